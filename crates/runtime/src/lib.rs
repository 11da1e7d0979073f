//! berth's container runtime: containers run through youki's `libcontainer`, called only from
//! a short-lived single-threaded helper process (`berth __runtime`, see [`helper_main`]), and
//! each container is watched by its own small monitor process (`berth-monitor`, see
//! [`monitor_main`]) that outlives the daemon, owns the container's stdio and json-file log,
//! reaps its init and records its exit code.
//!
//! The engine uses [`Runtime`], a blocking API meant for `spawn_blocking` threads: it never
//! calls libcontainer in the daemon process and never changes the calling thread's namespaces.
//!
//! Layout, under the daemon's exec root `E`:
//! - `E/containers/<id>/`: the OCI bundle and the monitor's files ([`protocol`]);
//! - `E/runtime/<id>/`: libcontainer's state.

mod bundle;
mod caps;
mod client;
mod error;
mod helper;
mod host_devices;
mod monitor;
pub mod protocol;
mod reaper;
pub mod seccomp;
mod spec;
mod streams;
mod top;
mod top_ps;
mod user;

pub use bundle::{build_spec, MASKED_PATHS, READONLY_PATHS};
pub use caps::{container_capabilities, DOCKER_CAPABILITIES};
pub use client::{Adopted, Runtime, RuntimeConfig, Started};
pub use error::RuntimeError;
pub use helper::helper_main;
pub use monitor::monitor_main;
pub use protocol::{ExitStatus, MonitorStatus};
pub use reaper::MonitorReaper;
pub use spec::{
    validate_id, BindMount, ContainerSpec, ExecSpec, NetworkNamespace, SeccompMode, TmpfsMount,
    DEFAULT_PATH,
};
pub use streams::{AttachOptions, Attachment, ExecHandle, InputWriter, Output, OutputReader};
pub use top::{Top, TOP_TITLES};
pub use user::{resolve_user, resolve_user_from, ResolvedUser};
