//! What a batch gives back: each step's typed value or error, by key, in the caller's order.

use bytes::Bytes;
use reqwest::{StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;

use crate::{
    api::Created,
    client::raw::decode_or_null,
    error::Result,
    models::{DeviceConfiguration, DeviceConfigurationAssignment, IosTrustedRootCertificate},
    pipeline::RawResponse,
};

/// A step's success, in the type its single call returns.
#[derive(Debug)]
#[non_exhaustive]
pub enum StepValue {
    /// A `get` or `create` step: the object.
    Configuration(Box<DeviceConfiguration>),
    /// A `create_with` step: the object, and whether it was found by reconcile.
    Created(Box<Created<DeviceConfiguration>>),
    /// An `update` step: the object when the service sent it back (200), `None` for a 204.
    Updated(Option<Box<DeviceConfiguration>>),
    /// A `delete` step.
    Deleted,
    /// An `assignments` or `assign` step: every assignment.
    Assignments(Vec<DeviceConfigurationAssignment>),
    /// A `root_certificate` step: the linked root, `None` when there is none (204 or 404).
    RootCertificate(Option<Box<IosTrustedRootCertificate>>),
    /// A `reference` step of a single-valued reference: the target, `None` when nothing
    /// is linked (204 or 404).
    Reference(Option<Box<DeviceConfiguration>>),
    /// A `reference` step of a collection-valued reference: every member.
    ReferenceMembers(Vec<DeviceConfiguration>),
    /// A `raw` step.
    Raw(Box<RawStepResponse>),
}

impl StepValue {
    /// "Nothing there" for a step of `kind` (see `StepKind::reads_absent_as_none`).
    pub(crate) fn absent(kind: super::StepKind) -> StepValue {
        match kind {
            super::StepKind::Reference(_) => StepValue::Reference(None),
            _ => StepValue::RootCertificate(None),
        }
    }

    /// The target of a single-valued `reference` step (`Some(None)`: nothing linked).
    pub fn into_reference(self) -> Option<Option<DeviceConfiguration>> {
        match self {
            StepValue::Reference(r) => Some(r.map(|r| *r)),
            _ => None,
        }
    }

    /// The members of a collection-valued `reference` step.
    pub fn into_reference_members(self) -> Option<Vec<DeviceConfiguration>> {
        match self {
            StepValue::ReferenceMembers(members) => Some(members),
            _ => None,
        }
    }

    /// The object of a `get`, `create` or `create_with` step.
    pub fn into_configuration(self) -> Option<DeviceConfiguration> {
        match self {
            StepValue::Configuration(c) => Some(*c),
            StepValue::Created(c) => Some(c.object),
            _ => None,
        }
    }

    /// The result of a `create_with` step (with [`Created::reconciled`]).
    pub fn into_created(self) -> Option<Created<DeviceConfiguration>> {
        match self {
            StepValue::Created(c) => Some(*c),
            _ => None,
        }
    }

    /// The assignments of an `assignments` step.
    pub fn into_assignments(self) -> Option<Vec<DeviceConfigurationAssignment>> {
        match self {
            StepValue::Assignments(a) => Some(a),
            _ => None,
        }
    }

    /// The answer of a `root_certificate` step (`Some(None)`: no root linked).
    pub fn into_root_certificate(self) -> Option<Option<IosTrustedRootCertificate>> {
        match self {
            StepValue::RootCertificate(r) => Some(r.map(|r| *r)),
            _ => None,
        }
    }

    /// The response of a `raw` step.
    pub fn into_raw(self) -> Option<RawStepResponse> {
        match self {
            StepValue::Raw(r) => Some(*r),
            _ => None,
        }
    }
}

/// The success response of a `raw` step.
#[derive(Debug)]
pub struct RawStepResponse {
    pub(crate) inner: RawResponse,
    pub(crate) headers: HeaderMap,
}

impl RawStepResponse {
    /// The step's status (a 2xx).
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The step's headers, as the envelope carried them.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The step's body re-encoded as JSON (empty when there was none).
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// Decodes the body as `T` (no body reads as JSON `null`).
    ///
    /// # Errors
    /// [`Error::Decode`](crate::Error::Decode), naming the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_or_null(&self.inner)
    }
}

/// Every step's result, by key, in the order the steps were added.
#[derive(Debug)]
pub struct BatchResults {
    entries: Vec<(String, Option<Result<StepValue>>)>,
}

impl BatchResults {
    pub(crate) fn new(entries: Vec<(String, Result<StepValue>)>) -> Self {
        BatchResults { entries: entries.into_iter().map(|(k, r)| (k, Some(r))).collect() }
    }

    /// How many steps there were.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys, in the order the steps were added.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The result of step `key` (exact key), unless it was taken.
    pub fn get(&self, key: &str) -> Option<&Result<StepValue>> {
        self.entries.iter().find(|(k, _)| k == key).and_then(|(_, r)| r.as_ref())
    }

    /// Takes the result of step `key` out (exact key).
    pub fn take(&mut self, key: &str) -> Option<Result<StepValue>> {
        self.entries.iter_mut().find(|(k, _)| k == key).and_then(|(_, r)| r.take())
    }
}

impl IntoIterator for BatchResults {
    type Item = (String, Result<StepValue>);
    type IntoIter = std::iter::FilterMap<
        std::vec::IntoIter<(String, Option<Result<StepValue>>)>,
        fn((String, Option<Result<StepValue>>)) -> Option<(String, Result<StepValue>)>,
    >;

    /// Every result not taken, in the order the steps were added.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().filter_map(|(k, r)| r.map(|r| (k, r)))
    }
}
