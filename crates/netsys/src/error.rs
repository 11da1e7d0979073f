//! The error type of the kernel layer.

use std::path::PathBuf;

/// Everything that can go wrong between berth and the kernel.
#[derive(Debug, thiserror::Error)]
pub enum NetsysError {
    /// The interface name is taken by a link berth does not own (not a bridge, or another alias).
    #[error("interface name {name} is already in use by another link")]
    NameInUse { name: String },

    /// The interface name is taken inside a container's network namespace (e.g. a second
    /// `eth0`); nothing was created.
    #[error("interface name {name} is already in use in network namespace {}", netns.display())]
    NameInUseInNetns { name: String, netns: PathBuf },

    /// The bridge an endpoint should join does not exist (or is not a bridge).
    #[error("bridge {name} not found")]
    BridgeNotFound { name: String },

    /// The interface name cannot be used by the kernel (empty, longer than 15 bytes, '/', ...).
    #[error("invalid interface name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },

    /// A request that cannot be expressed, e.g. an IPv6 gateway for an IPv4 route.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The kernel refused a netlink request. `errno` is positive (e.g. libc::EEXIST);
    /// `message` is the kernel's extended ack text when it sent one.
    #[error("netlink {op}: {}{}", std::io::Error::from_raw_os_error(*errno), ext_message(message))]
    Netlink {
        op: String,
        errno: i32,
        message: Option<String>,
    },

    /// The kernel answered with something we cannot decode or did not expect.
    #[error("netlink {op}: unexpected reply: {detail}")]
    Protocol { op: String, detail: String },

    /// A socket or file operation failed.
    #[error("{op}: {source}")]
    Io {
        op: String,
        #[source]
        source: std::io::Error,
    },

    /// Creating, entering or removing a network namespace failed.
    #[error("netns {op} {}: {source}", path.display())]
    Netns {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A helper thread (used to enter a namespace) panicked or could not be spawned.
    #[error("namespace helper thread: {0}")]
    Thread(String),

    /// Injected by `RecordingKernel::fail_next`.
    #[error("injected failure of {op}")]
    Injected { op: String },
}

fn ext_message(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(" ({m})"),
        _ => String::new(),
    }
}

impl NetsysError {
    /// The positive errno of a netlink or I/O failure, if there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NetsysError::Netlink { errno, .. } => Some(*errno),
            NetsysError::Io { source, .. } | NetsysError::Netns { source, .. } => {
                source.raw_os_error()
            }
            _ => None,
        }
    }

    pub(crate) fn io(op: impl Into<String>, source: std::io::Error) -> Self {
        NetsysError::Io {
            op: op.into(),
            source,
        }
    }

    pub(crate) fn netns(op: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        NetsysError::Netns {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}
