//! What the container engine needs from the image store and the runtime, as traits, so the
//! state machine is tested with fakes and the real crates plug in through small adapters.

use berth_model::container::create::{Bind, ImageDefaults};
use berth_model::ApiError;
use std::path::PathBuf;
use std::time::SystemTime;

/// An image resolved from a user's reference.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    /// `sha256:<64 hex>`
    pub id: String,
    pub defaults: ImageDefaults,
}

pub trait Images: Send + Sync {
    fn resolve(&self, reference: &str) -> Result<ResolvedImage, ApiError>;
    /// Mounts the image's layers with a writable upper layer at `merged`.
    fn mount_rootfs(
        &self,
        image_id: &str,
        upper: &std::path::Path,
        work: &std::path::Path,
        merged: &std::path::Path,
    ) -> Result<(), ApiError>;
    fn unmount_rootfs(&self, merged: &std::path::Path) -> Result<(), ApiError>;
}

/// The network namespace a container's process runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetnsSpec {
    /// The daemon's own (the host's): `--network host`.
    Host,
    /// A namespace file to join (the container's own, or another container's).
    Path(PathBuf),
}

/// Everything the runtime needs to start a container's process.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub id: String,
    pub rootfs: PathBuf,
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub cwd: String,
    pub user: String,
    pub hostname: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub netns: NetnsSpec,
    /// `--network host` shares the host's UTS namespace too (the hostname is the host's).
    pub share_host_uts: bool,
    pub mounts: Vec<Bind>,
    /// tmpfs mounts: destination and the user's options.
    pub tmpfs: Vec<(String, Vec<String>)>,
    pub log_path: PathBuf,
    /// Per-container runtime directory (bundle, monitor socket, exit file).
    pub runtime_dir: PathBuf,
    /// `--privileged`: every capability, no seccomp filter.
    pub privileged: bool,
    /// `--cap-add` / `--cap-drop` as given (validated at create).
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// `--security-opt` as given (validated at create): seccomp profile, no-new-privileges.
    pub security_opt: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub pid: u32,
    pub monitor_pid: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exited {
    pub code: i64,
    pub at: SystemTime,
    pub oom_killed: bool,
}

pub use berth_runtime::{Attachment, ExecHandle, ExecSpec, Top};

pub trait Runtime: Send + Sync {
    /// Creates the container's process and its monitor, stopped before the user's program
    /// runs, so clients can attach before any output. A missing command fails here with
    /// Docker's message.
    fn create(&self, spec: &RunSpec) -> Result<(), ApiError>;
    /// Lets a created container's program run.
    fn start_created(&self, id: &str) -> Result<Started, ApiError>;
    /// Connects to the container's stdio through its monitor.
    fn attach(
        &self,
        id: &str,
        stdin: bool,
        stdout: bool,
        stderr: bool,
    ) -> Result<Attachment, ApiError>;
    fn resize(&self, id: &str, height: u16, width: u16) -> Result<(), ApiError>;
    fn exec(&self, id: &str, spec: &ExecSpec) -> Result<ExecHandle, ApiError>;
    /// The container's processes; `ps_args` empty for Docker's default table.
    fn top(&self, id: &str, ps_args: &str) -> Result<Top, ApiError>;
    /// Sends a signal to the container's init.
    fn signal(&self, id: &str, runtime_dir: &std::path::Path, signal: i32) -> Result<(), ApiError>;
    /// Blocks until the container's process has exited and returns how.
    fn wait_exit(&self, id: &str, runtime_dir: &std::path::Path) -> Result<Exited, ApiError>;
    /// After a daemon restart: `Ok(None)` if the container still runs, or how it ended.
    fn recover(&self, id: &str, runtime_dir: &std::path::Path) -> Result<Option<Exited>, ApiError>;
    /// Frees the runtime's resources of an exited container (state, cgroups).
    fn delete(&self, id: &str, runtime_dir: &std::path::Path) -> Result<(), ApiError>;
}
