//! What a step gets when its envelope failed as a whole, or when the service's answer did
//! not answer it exactly once. (A batch that breaks Graph's rules is refused before
//! anything is sent with [`Error::InvalidArgument`](crate::Error::InvalidArgument).)

use std::sync::Arc;

/// The failure of a step's whole envelope, or an answer that does not answer the step
/// exactly once.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The envelope carrying the step failed as a whole (after the single-call retries)
    /// with an error that is not a Graph error; `source` is that error, shared by every
    /// step of the envelope.
    #[error("the $batch envelope carrying step {key:?} failed: {source}")]
    Envelope {
        /// The step's key.
        key: String,
        /// The envelope's error.
        source: Arc<crate::Error>,
    },
    /// The service's answer had no response for the step.
    #[error("the $batch response has no answer for step {key:?}")]
    MissingResponse {
        /// The step's key.
        key: String,
    },
    /// The service's answer had more than one response for the step: which one holds is
    /// unknown, so neither is taken.
    #[error("the $batch response answers step {key:?} {count} times")]
    DuplicateResponse {
        /// The step's key.
        key: String,
        /// How many answers named it.
        count: usize,
    },
}
