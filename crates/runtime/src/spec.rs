//! What the engine asks for: a typed description of one container process (or one exec).

use std::path::PathBuf;

/// Which network namespace the container lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkNamespace {
    /// Share the namespace of the process that calls [`crate::Runtime::start`] (`--network host`).
    Host,
    /// Join the namespace pinned at this path (modes none, bridge, `container:`).
    Path(PathBuf),
}

/// A bind mount from the host (or a daemon-owned file) into the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindMount {
    pub source: PathBuf,
    /// Absolute path inside the container.
    pub destination: String,
    pub read_only: bool,
}

/// A tmpfs mounted in the container (`--tmpfs`, `--mount type=tmpfs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmpfsMount {
    /// Absolute path inside the container.
    pub destination: String,
    /// Mount options as the user gave them (`size=64m`, `mode=1777`, `exec`...), on top of
    /// Docker's `noexec,nosuid,nodev`.
    pub options: Vec<String>,
}

/// One container's process and sandbox, as the engine decided it.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    /// Container id: `[A-Za-z0-9_+.-]+` (Docker's 64-hex ids qualify).
    pub id: String,
    /// The container's own root filesystem (the overlay `merged` dir). It is written to
    /// (mount points for bind mounts, the working directory), so it must be private.
    pub rootfs: PathBuf,
    /// The command: entrypoint + cmd, already combined. Must not be empty.
    pub args: Vec<String>,
    /// `KEY=value` entries. Docker's default PATH is added when missing.
    pub env: Vec<String>,
    /// Working directory; empty means `/`. Created in the rootfs when missing, as Docker does.
    pub cwd: String,
    /// Docker's `-u`: empty (root), `uid`, `uid:gid`, `name`, `name:group`...
    pub user: String,
    pub hostname: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub network: NetworkNamespace,
    /// Share the host's UTS namespace (`--network host`): the hostname is the host's.
    pub host_uts: bool,
    /// Bind mounts, including the daemon-generated /etc/hosts, /etc/resolv.conf, /etc/hostname.
    pub mounts: Vec<BindMount>,
    pub tmpfs: Vec<TmpfsMount>,
    /// The json-file log (`D/containers/<id>/<id>-json.log`); appended to.
    pub log_path: PathBuf,
    /// `linux.cgroupsPath`; `None` means `/berth/<id>`.
    pub cgroups_path: Option<String>,
    /// `--security-opt no-new-privileges`; Docker's default is off.
    pub no_new_privileges: bool,
    /// `--privileged`: every capability, no seccomp filter, no masked or read-only paths,
    /// a writable /sys and access to every device.
    pub privileged: bool,
    /// `--cap-add` / `--cap-drop` as the user wrote them (`NET_ADMIN`, `cap_sys_time`, `ALL`).
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// `--security-opt seccomp=...`; ignored when `privileged`.
    pub seccomp: SeccompMode,
}

/// Which seccomp filter a container runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SeccompMode {
    /// Docker's default profile, adjusted to the container's capabilities.
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
}

/// A process to run inside a running container (`docker exec`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ExecSpec {
    pub args: Vec<String>,
    /// Extra `KEY=value` entries, added to (and overriding) the container's environment.
    pub env: Vec<String>,
    /// Empty means the container's working directory.
    pub cwd: String,
    /// Docker's `-u` syntax; empty means the container's user.
    pub user: String,
    pub tty: bool,
    pub stdin: bool,
}

/// The default PATH Docker gives a container whose image sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Checks an id against libcontainer's rule, so a bad id fails early with a clear message.
pub fn validate_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 1024
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+.-".contains(&b))
}
