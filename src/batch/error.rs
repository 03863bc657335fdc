//! What a `$batch` refuses before sending, and what a step gets when its envelope failed as
//! a whole.

use std::sync::Arc;

/// A batch refused before anything was sent, or the failure of a step's whole envelope.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// A step has an empty key.
    #[error("a batch step has an empty key")]
    EmptyKey,
    /// Two steps have the same key (keys are step ids, compared case-insensitively).
    #[error("batch step key {key:?} is used twice (keys are compared case-insensitively)")]
    DuplicateKey {
        /// The key used twice.
        key: String,
    },
    /// A step's URL is absolute; Graph wants it relative to the version root.
    #[error("batch step {key:?}: the URL {url:?} must be relative to the version root")]
    AbsoluteUrl {
        /// The step's key.
        key: String,
        /// The URL given.
        url: String,
    },
    /// A step is itself a `$batch`: batches cannot be nested.
    #[error("batch step {key:?}: a batch cannot contain another $batch")]
    NestedBatch {
        /// The step's key.
        key: String,
    },
    /// A step with a body has no `Content-Type` header.
    #[error("batch step {key:?} has a body but no Content-Type header")]
    MissingContentType {
        /// The step's key.
        key: String,
    },
    /// A step depends on a key that no earlier step has.
    #[error("batch step {key:?} depends on {depends_on:?}, which is not an earlier step")]
    UnknownDependency {
        /// The step's key.
        key: String,
        /// The key it depends on.
        depends_on: String,
    },
    /// Two steps depend on the same step: Graph runs a batch fully in parallel or as a
    /// chain (one dependency per step, one dependent per step), nothing in between.
    #[error(
        "batch steps {first:?} and {second:?} both depend on {depends_on:?}: dependencies must form chains"
    )]
    NotAChain {
        /// The step depended on.
        depends_on: String,
        /// Its first dependent.
        first: String,
        /// Its second dependent.
        second: String,
    },
    /// A dependency chain is longer than one envelope holds.
    #[error(
        "the dependency chain starting at batch step {key:?} has {len} steps; at most {max} fit one envelope"
    )]
    ChainTooLong {
        /// The first step of the chain.
        key: String,
        /// Its length.
        len: usize,
        /// The most steps an envelope holds.
        max: usize,
    },
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
}
