//! The container's filter for `exec`'d processes. libcontainer 0.7 rebuilds `linux` for a
//! process joining a container without `seccomp`, so such a process would run unfiltered; this
//! executor loads the container's filter itself, in the new process, just before `execve`.
//! By then capabilities are dropped, so the process must have no_new_privs (the client sets it
//! whenever the exec could not load a filter otherwise).

use libcontainer::workload::default::DefaultExecutor;
use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};
use oci_spec::runtime::{LinuxSeccomp, Spec};

#[derive(Clone)]
pub(crate) struct SeccompExecutor {
    profile: LinuxSeccomp,
}

impl SeccompExecutor {
    pub(crate) fn new(profile: LinuxSeccomp) -> Self {
        SeccompExecutor { profile }
    }
}

impl Executor for SeccompExecutor {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        libcontainer::seccomp::initialize_seccomp(&self.profile)
            .map_err(|e| ExecutorError::Other(format!("loading the seccomp filter: {e:?}")))?;
        DefaultExecutor {}.exec(spec)
    }

    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        DefaultExecutor {}.validate(spec)
    }
}
