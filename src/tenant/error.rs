//! Errors of the tenant workflows: files and the service.

use std::path::PathBuf;

/// What went wrong while exporting, reading a snapshot, planning or applying.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TenantError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A snapshot file does not hold what a snapshot file must.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the property.
        message: String,
    },
    /// A group map file is not a JSON object of strings.
    #[error("group map {path}: {message}")]
    GroupMap {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The service refused or failed a call.
    #[error(transparent)]
    Graph(#[from] crate::Error),
}

impl TenantError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TenantError::Io { path: path.into(), source }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        TenantError::Format { path: path.into(), message: message.into() }
    }
}
