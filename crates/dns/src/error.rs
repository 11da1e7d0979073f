//! The error type of the DNS layer.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// Binding 127.0.0.11:53 inside the container's namespace failed (port taken, no such
    /// namespace...).
    #[error("cannot open the DNS sockets in network namespace {}: {source}", netns.display())]
    OpenSockets {
        netns: PathBuf,
        source: std::io::Error,
    },

    /// Entering the namespace failed.
    #[error(transparent)]
    Netns(#[from] berth_netsys::NetsysError),

    /// The sockets could not be handed to the runtime.
    #[error("cannot serve DNS for container {id}: {source}")]
    Serve { id: String, source: std::io::Error },
}
