//! The image store's failures, and how Docker words each one at its API edge.

use berth_model::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Docker: `No such image: busybox:latest` (404).
    #[error("No such image: {0}")]
    NotFound(String),
    /// A reference that does not parse (400), e.g. `invalid reference format`.
    #[error("{0}")]
    InvalidReference(String),
    /// Bad `--change` instructions or other request parameters (400).
    #[error("{0}")]
    InvalidParameter(String),
    /// A tarball or archive that is corrupt, truncated, or tries to escape its root (400).
    #[error("{0}")]
    BadArchive(String),
    /// rmi refused: a container uses the image, or several references point at it (409).
    #[error("{0}")]
    Conflict(String),
    /// Mounting or unmounting a container's root filesystem failed.
    #[error("{0}")]
    Mount(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl ImageError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        ImageError::Io {
            context: context.into(),
            source,
        }
    }
    pub(crate) fn bad(msg: impl Into<String>) -> Self {
        ImageError::BadArchive(msg.into())
    }
}

/// Adds a context string to io errors, so a failure names the file it concerns.
pub(crate) trait IoContext<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, ImageError>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, ImageError> {
        self.map_err(|e| ImageError::io(context(), e))
    }
}

impl From<ImageError> for ApiError {
    fn from(e: ImageError) -> Self {
        let msg = e.to_string();
        match e {
            ImageError::NotFound(_) => ApiError::not_found(msg),
            ImageError::InvalidReference(_)
            | ImageError::InvalidParameter(_)
            | ImageError::BadArchive(_) => ApiError::invalid(msg),
            ImageError::Conflict(_) => ApiError::conflict(msg),
            ImageError::Mount(_) | ImageError::Io { .. } => ApiError::internal(msg),
        }
    }
}
