//! The runtime's errors. Messages that Docker shows to users carry Docker's exact text, so the
//! engine can hand them to the API unchanged.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The container's command does not exist in the image (Docker: exit code 127).
    #[error("failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: error during container init: {0}: unknown")]
    CommandNotFound(String),
    /// The container's command exists but cannot be executed (Docker: exit code 126).
    #[error("failed to create task for container: failed to create shim task: OCI runtime create failed: unable to start container process: error during container init: {0}: unknown")]
    CommandNotExecutable(String),
    /// An exec's command could not be started (Docker's exec error text and exit code).
    #[error("OCI runtime exec failed: exec failed: unable to start container process: {message}: unknown")]
    ExecFailed { message: String, exit_code: i32 },
    /// `-u` names a user or group the image does not know, or is malformed.
    #[error("{0}")]
    User(String),
    /// `top` with ps options: ps failed, or printed no table berth can read.
    #[error("{0}")]
    Top(String),
    /// The container has no live monitor: it is not running.
    #[error("container {0} is not running")]
    NotRunning(String),
    /// The container already has a live monitor.
    #[error("container {0} is already running")]
    AlreadyRunning(String),
    /// Nothing is known about this container in the runtime directory.
    #[error("no such container in the runtime: {0}")]
    NotFound(String),
    #[error("invalid container id {0:?}")]
    InvalidId(String),
    /// Invalid input for the spec (e.g. a relative mount destination).
    #[error("{0}")]
    InvalidSpec(String),
    /// The helper (`berth __runtime`) or libcontainer failed.
    #[error("OCI runtime error: {0}")]
    Oci(String),
    /// The monitor answered with an error or broke the protocol.
    #[error("container monitor: {0}")]
    Monitor(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("{context} {path}: {source}")]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl RuntimeError {
    pub(crate) fn io(context: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        RuntimeError::Io {
            context,
            path: path.into(),
            source,
        }
    }

    /// The exit code Docker records for a container whose start failed this way.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            RuntimeError::CommandNotFound(_) => Some(127),
            RuntimeError::CommandNotExecutable(_) => Some(126),
            RuntimeError::ExecFailed { exit_code, .. } => Some(*exit_code),
            _ => None,
        }
    }
}

/// Classifies an error text coming back from the helper: libcontainer's wording for a missing
/// or non-executable command becomes Docker's (runc's) wording.
pub(crate) fn classify_helper_error(kind: &str, message: &str, args0: &str) -> RuntimeError {
    match kind {
        "not_found" => RuntimeError::CommandNotFound(not_found_text(args0)),
        "not_executable" => {
            RuntimeError::CommandNotExecutable(format!("exec: \"{args0}\": permission denied"))
        }
        _ => RuntimeError::Oci(message.to_string()),
    }
}

/// runc's text: a bare name is looked up in $PATH, a path is stat'ed.
fn not_found_text(args0: &str) -> String {
    if args0.contains('/') {
        format!("exec: \"{args0}\": stat {args0}: no such file or directory")
    } else {
        format!("exec: \"{args0}\": executable file not found in $PATH")
    }
}
