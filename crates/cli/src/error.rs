//! How a command fails, and how docker prints each kind of failure.

use std::fmt;

#[derive(Debug)]
pub enum CliError {
    /// An error body from the daemon: `Error response from daemon: <message>`.
    Daemon(String),
    /// The socket could not be reached.
    Connect(String),
    /// A failure whose text is printed as is, with an exit code (docker's `StatusError`).
    Status(i32, String),
    /// Wrong command line: message, then usage and a pointer to `--help`.
    Usage {
        code: i32,
        message: String,
        path: String,
    },
}

impl CliError {
    pub fn msg(m: impl Into<String>) -> Self {
        CliError::Status(1, m.into())
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Status(c, _) | CliError::Usage { code: c, .. } => *c,
            _ => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // docker trims the message: moby's predefined-network error ends with a space
            CliError::Daemon(m) => write!(f, "Error response from daemon: {}", m.trim_end()),
            CliError::Connect(host) => {
                write!(
                    f,
                    "Cannot connect to the berth daemon at {host}. Is the berth daemon running?"
                )
            }
            CliError::Status(_, m) => f.write_str(m),
            CliError::Usage { message, path, .. } => {
                let usage = crate::usage::usage_line(path);
                let see = crate::usage::see_word(path);
                write!(
                    f,
                    "{message}\n\nUsage:  {usage}\n\n{see} '{path} --help' for more information"
                )
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, CliError>;
