//! The engine's view of the runtime (crates/runtime): libcontainer in a helper process and a
//! monitor per container.

use berth_engine::containers::deps::{
    Attachment, ExecHandle, ExecSpec, Exited, NetnsSpec, RunSpec, Runtime, Started, Top,
};
use berth_model::container::security_opts::{SeccompProfile, SecurityOptions};
use berth_model::ApiError;
use berth_runtime::{
    Adopted, AttachOptions, BindMount, ContainerSpec, ExitStatus, NetworkNamespace, RuntimeError,
    SeccompMode, TmpfsMount,
};
use std::path::Path;
use std::time::SystemTime;

pub struct LibcontainerRuntime(pub berth_runtime::Runtime);

/// Docker answers a start whose command is missing or not executable with 400 (the CLI turns
/// it into exit code 127/126); other runtime failures are the daemon's (500).
fn api_error(e: RuntimeError) -> ApiError {
    match e.exit_code() {
        Some(126) | Some(127) => ApiError::invalid(e.to_string()),
        _ => ApiError::internal(e.to_string()),
    }
}

fn exited(s: ExitStatus) -> Exited {
    let at = chrono::DateTime::parse_from_rfc3339(&s.finished_at)
        .map(SystemTime::from)
        .unwrap_or_else(|_| SystemTime::now());
    Exited {
        code: s.exit_code as i64,
        at,
        oom_killed: false,
    }
}

impl Runtime for LibcontainerRuntime {
    fn create(&self, spec: &RunSpec) -> Result<(), ApiError> {
        let security = SecurityOptions::parse(&spec.security_opt)?;
        let seccomp = match security.seccomp {
            SeccompProfile::Default => SeccompMode::Default,
            SeccompProfile::Unconfined => SeccompMode::Unconfined,
            SeccompProfile::Custom(_) => {
                security.check_supported()?;
                SeccompMode::Default
            }
        };
        let spec = ContainerSpec {
            id: spec.id.clone(),
            rootfs: spec.rootfs.clone(),
            args: spec.argv.clone(),
            env: spec.env.clone(),
            cwd: spec.cwd.clone(),
            user: spec.user.clone(),
            hostname: spec.hostname.clone(),
            tty: spec.tty,
            open_stdin: spec.open_stdin,
            network: match &spec.netns {
                NetnsSpec::Host => NetworkNamespace::Host,
                NetnsSpec::Path(p) => NetworkNamespace::Path(p.clone()),
            },
            host_uts: spec.share_host_uts,
            mounts: spec
                .mounts
                .iter()
                .map(|b| BindMount {
                    source: b.source.clone().into(),
                    destination: b.destination.clone(),
                    read_only: b.read_only,
                })
                .collect(),
            tmpfs: spec
                .tmpfs
                .iter()
                .map(|(destination, options)| TmpfsMount {
                    destination: destination.clone(),
                    options: options.clone(),
                })
                .collect(),
            log_path: spec.log_path.clone(),
            cgroups_path: None,
            no_new_privileges: security.no_new_privileges,
            privileged: spec.privileged,
            cap_add: spec.cap_add.clone(),
            cap_drop: spec.cap_drop.clone(),
            seccomp,
        };
        self.0.create(&spec).map(|_| ()).map_err(api_error)
    }

    fn start_created(&self, id: &str) -> Result<Started, ApiError> {
        let status = self.0.start_created(id).map_err(api_error)?;
        Ok(Started {
            pid: status.init_pid.max(0) as u32,
            monitor_pid: status.monitor_pid.max(0) as u32,
        })
    }

    fn signal(&self, id: &str, _: &Path, signal: i32) -> Result<(), ApiError> {
        self.0.kill(id, signal).map_err(api_error)
    }

    fn wait_exit(&self, id: &str, _: &Path) -> Result<Exited, ApiError> {
        self.0.wait(id, None).map(exited).map_err(api_error)
    }

    fn recover(&self, id: &str, _: &Path) -> Result<Option<Exited>, ApiError> {
        match self.0.adopt(id).map_err(api_error)? {
            Adopted::Running(_) => Ok(None),
            Adopted::Exited(s) => Ok(Some(exited(s))),
            // Nothing survived (the host rebooted): Docker reports such containers as exited.
            Adopted::Gone => Ok(Some(Exited {
                code: 255,
                at: SystemTime::now(),
                oom_killed: false,
            })),
        }
    }

    fn delete(&self, id: &str, _: &Path) -> Result<(), ApiError> {
        self.0.delete(id).map_err(api_error)
    }

    fn attach(
        &self,
        id: &str,
        stdin: bool,
        stdout: bool,
        stderr: bool,
    ) -> Result<Attachment, ApiError> {
        self.0
            .attach(
                id,
                AttachOptions {
                    stdin,
                    stdout,
                    stderr,
                },
            )
            .map_err(api_error)
    }

    fn resize(&self, id: &str, height: u16, width: u16) -> Result<(), ApiError> {
        self.0.resize(id, height, width).map_err(api_error)
    }

    fn exec(&self, id: &str, spec: &ExecSpec) -> Result<ExecHandle, ApiError> {
        self.0.exec(id, spec).map_err(api_error)
    }

    fn top(&self, id: &str, ps_args: &str) -> Result<Top, ApiError> {
        self.0.top(id, ps_args).map_err(api_error)
    }
}
