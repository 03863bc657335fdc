//! Errors of the tenant workflows: files, plans and the service.

use std::path::PathBuf;

use crate::untrusted::Untrusted;

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
    /// Export was asked to write into a folder that holds other things than a snapshot.
    #[error(
        "{path} is not empty and not a snapshot ({found} is not a snapshot file): export writes only into an \
         empty folder or one it exported to; nothing was written"
    )]
    NotASnapshot {
        /// The folder.
        path: PathBuf,
        /// The first entry that is not part of a snapshot.
        found: PathBuf,
    },
    /// Export would have written through a symlink (possibly out of the folder).
    #[error("{path} is a symlink: export does not write through symlinks; nothing was written")]
    Symlink {
        /// The symlink.
        path: PathBuf,
    },
    /// Export would have replaced a file it did not write.
    #[error("{path} would be replaced but {reason}; nothing was written")]
    FileTaken {
        /// The file.
        path: PathBuf,
        /// What it holds.
        reason: String,
    },
    /// A group map file is not a JSON object of strings.
    #[error("group map {path}: {message}")]
    GroupMap {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A plan cannot be applied as it is: it has problems, conflicts or deliberate skips
    /// that would leave the tenant different from the files. Nothing was written.
    #[error("the plan cannot be applied; nothing was written:{}", lines(.reasons))]
    PlanNotApplicable {
        /// One line per problem or conflict, naming the file or object.
        reasons: Vec<String>,
    },
    /// Objects the plan touches changed in the tenant since it was made. Nothing was
    /// written; plan again.
    #[error("the tenant changed since the plan was made; nothing was written:{}", lines(.changes))]
    Stale {
        /// One line per object that changed.
        changes: Vec<String>,
    },
    /// The service refused or failed a call.
    #[error(transparent)]
    Graph(#[from] crate::Error),
}

fn lines(items: &[String]) -> String {
    items.iter().map(|line| format!("\n  {}", Untrusted(line))).collect()
}

impl TenantError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TenantError::Io { path: path.into(), source }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        TenantError::Format { path: path.into(), message: message.into() }
    }
}
