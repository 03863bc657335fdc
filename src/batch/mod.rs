//! JSON batching (`POST {base}/$batch`): many calls in few round trips, each step with the
//! result the single call would give.
//!
//! [`GraphClient::batch`] collects steps, each under a key of the caller's choosing (the
//! key is the step's `id` on the wire). Typed steps exist for what the crate does
//! ([`get`](Batch::get), [`create`](Batch::create), [`update`](Batch::update),
//! [`delete`](Batch::delete), [`assign`](Batch::assign),
//! [`assignments`](Batch::assignments), [`root_certificate`](Batch::root_certificate),
//! [`reference`](Batch::reference)); [`raw`](Batch::raw) reaches any path.
//! [`send`](Batch::send) checks Graph's rules before sending anything, cuts the steps into
//! envelopes of at most 20 (a dependency chain alone, in whole segments of 20 when it is
//! longer), and returns every step's result by key, in the order the steps were added,
//! whatever order the service answered in. An answer that names a step twice, or not at
//! all, is that step's [`BatchError`].
//!
//! Each step goes through the retry decision of a single call (the same function): a
//! throttled (429) or unavailable (503) step is sent again in a later envelope after its
//! own `Retry-After` (backoff when there is none), counted against the retry policy and the
//! retry budget; a 401 step forces one token refresh and goes again; a 429 with a hint
//! pauses the whole client; the write limiter counts write steps, not envelopes. Whether a
//! step may be repeated is its request's own property (an `assign` step is, a create is
//! not), and an envelope is repeatable exactly when all its steps are. A create step (or an envelope carrying one) whose outcome is unknown ends as
//! [`Error::OutcomeUnknown`] for that step, never re-sent blindly; a
//! [`create_with`](Batch::create_with) step reconciles it as
//! [`DeviceConfigurations::create_with`] does. A failed envelope never takes the results
//! of envelopes that completed with it.
//!
//! The client's [deadline](crate::GraphClientBuilder::deadline) covers the whole `send`,
//! not each envelope: a step not finished by then ends with [`Error::DeadlineExceeded`]
//! (a write never sent included), a retry whose wait would pass it is not made (the step
//! keeps its error, as a single call would), and a create whose envelope was in flight
//! when it passed is [`Error::OutcomeUnknown`] saying so. Reconcile lookups come after the
//! envelopes and, as `create_with`'s, are calls with deadlines of their own.
//!
//! ```no_run
//! # async fn run(client: intune_graph::GraphClient) -> intune_graph::Result<()> {
//! let mut batch = client.batch();
//! batch.get("profile", "0b1c…").assignments("assignments", "0b1c…");
//! let mut results = batch.send().await?;
//! if let Some(Ok(value)) = results.take("assignments") {
//!     println!("{} assignments", value.into_assignments().unwrap_or_default().len());
//! }
//! # Ok(()) }
//! ```

mod error;
mod many;
mod plan;
mod reconcile;
mod results;
mod send;
mod wire;

use reqwest::{Method, header::CONTENT_TYPE};
use serde::Serialize;
use serde_json::Value;
use url::Url;

pub use error::BatchError;
pub use plan::MAX_STEPS;
pub use results::{BatchResults, RawStepResponse, StepValue};

use crate::{
    GraphClient,
    api::{CreateOptions, DeviceConfigurations, Reconcile, references::Navigation},
    error::{Error, Result},
    models::{DeviceConfigurationAssignment, DeviceConfigurationPatch, GraphEntity, schema},
    odata::Query,
    pipeline::{ApiRequest, Repeat, is_write_method},
};

/// A batch being assembled; see the [module documentation](self).
///
/// A step that cannot be built (an empty id, an object that fails validation) is reported
/// by [`send`](Self::send), before anything is sent.
#[derive(Debug)]
#[must_use = "a batch does nothing until it is sent"]
pub struct Batch {
    client: GraphClient,
    steps: Vec<Step>,
    /// The first step that could not be built.
    error: Option<Error>,
}

/// What a step's success decodes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StepKind {
    Configuration,
    /// A create through [`Batch::create_with`]: decodes as `Configuration`, then ends as
    /// [`StepValue::Created`].
    Created,
    Update,
    Delete,
    Assignments,
    /// An `assign` step: the assignments the service reports (an empty answer: none).
    Assigned,
    RootCertificate,
    /// A reference read: the target (or `None`), or a collection's members.
    Reference(&'static schema::Reference),
    Raw,
}

/// One step, ready for the wire.
#[derive(Debug)]
pub(crate) struct Step {
    pub(crate) key: String,
    /// The request as a single call would send it (absolute URL, body).
    pub(crate) request: ApiRequest,
    /// The URL relative to the version root, as the envelope carries it.
    pub(crate) url: String,
    /// The body as JSON, as the envelope carries it.
    pub(crate) body: Option<Value>,
    pub(crate) depends_on: Option<String>,
    pub(crate) kind: StepKind,
    /// How a create step whose outcome is unknown is reconciled (`None`: it is not).
    pub(crate) reconcile: Option<Reconcile>,
}

impl StepKind {
    /// Whether a `404` (or an empty `2xx`) answers "nothing there" rather than failing.
    pub(crate) fn reads_absent_as_none(self) -> bool {
        match self {
            StepKind::RootCertificate => true,
            StepKind::Reference(reference) => !reference.many,
            _ => false,
        }
    }
}

impl Step {
    pub(crate) fn is_write(&self) -> bool {
        is_write_method(&self.request.method)
    }

    pub(crate) fn describe(&self) -> String {
        format!("{} {} (batch step {:?})", self.request.method, self.request.url.path(), self.key)
    }
}

impl GraphClient {
    /// Starts a JSON batch (`POST {base}/$batch`); see the [`batch`](crate::batch) module.
    pub fn batch(&self) -> Batch {
        Batch { client: self.clone(), steps: Vec::new(), error: None }
    }
}

impl Batch {
    /// How many steps were added.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step was added.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn configurations(&self) -> DeviceConfigurations {
        self.client.device_configurations()
    }

    /// Adds a step built from a single call's request, or keeps the first build error.
    fn push(&mut self, key: impl Into<String>, request: Result<ApiRequest>, kind: StepKind) -> &mut Self {
        let key = key.into();
        let step = request.and_then(|request| {
            let url = relative_url(self.client.base_url(), &request.url)?;
            Step::new(key, request, url, kind)
        });
        match step {
            Ok(step) => self.steps.push(step),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Reads one device configuration, like
    /// [`DeviceConfigurations::get`]; succeeds with [`StepValue::Configuration`].
    pub fn get(&mut self, key: impl Into<String>, id: &str) -> &mut Self {
        self.get_with(key, id, &Query::new())
    }

    /// Like [`get`](Self::get), with query options (`$select`, `$expand`).
    pub fn get_with(&mut self, key: impl Into<String>, id: &str, query: &Query) -> &mut Self {
        let request = self.configurations().get_request(id, query);
        self.push(key, request, StepKind::Configuration)
    }

    /// Creates a device configuration, like [`DeviceConfigurations::create`]
    /// (validated first); succeeds with [`StepValue::Configuration`]. A create step whose
    /// outcome is unknown is [`Error::OutcomeUnknown`], never re-sent.
    pub fn create<T: GraphEntity>(&mut self, key: impl Into<String>, object: &T) -> &mut Self {
        let request = self.configurations().create_request(object);
        self.push(key, request, StepKind::Configuration)
    }

    /// Creates a device configuration like [`DeviceConfigurations::create_with`]:
    /// succeeds with [`StepValue::Created`]. With reconcile turned on in `options`, a step
    /// whose outcome is unknown (a `504` step, an envelope timing out or answered with
    /// something that is not a batch response, a `2xx` that does not decode) is resolved
    /// after the envelopes as `create_with` resolves it: the object is looked for and
    /// returned with [`Created::reconciled`](crate::api::Created::reconciled) set when
    /// found, and the create is sent again (as a single call) when it is absent.
    ///
    /// An object lacking what reconcile needs (a display name, a type, the marker) is
    /// reported by [`send`](Self::send) with [`Error::InvalidArgument`], before anything
    /// is sent.
    pub fn create_with<T: GraphEntity>(
        &mut self,
        key: impl Into<String>,
        object: &T,
        options: CreateOptions,
    ) -> &mut Self {
        let request = self.configurations().create_request(object);
        let plan = match Reconcile::of(object, &options) {
            Ok(plan) => plan,
            Err(e) => {
                self.error.get_or_insert(e);
                return self;
            }
        };
        let added = self.steps.len();
        self.push(key, request, StepKind::Created);
        if let Some(step) = self.steps.get_mut(added) {
            step.reconcile = plan;
        }
        self
    }

    /// Updates a device configuration, like [`DeviceConfigurations::update`]; succeeds
    /// with [`StepValue::Updated`].
    pub fn update(
        &mut self,
        key: impl Into<String>,
        id: &str,
        patch: &DeviceConfigurationPatch,
    ) -> &mut Self {
        let request = self.configurations().update_request(id, patch);
        self.push(key, request, StepKind::Update)
    }

    /// Deletes a device configuration, like [`DeviceConfigurations::delete`]; succeeds
    /// with [`StepValue::Deleted`].
    pub fn delete(&mut self, key: impl Into<String>, id: &str) -> &mut Self {
        let request = self.configurations().delete_request(id);
        self.push(key, request, StepKind::Delete)
    }

    /// Reads the assignments of a device configuration, like
    /// [`DeviceConfigurations::assignments`] (further pages, if any, are read with single
    /// calls); succeeds with [`StepValue::Assignments`].
    pub fn assignments(&mut self, key: impl Into<String>, id: &str) -> &mut Self {
        let request = self.configurations().assignments_request(id);
        self.push(key, request, StepKind::Assignments)
    }

    /// Reads the trusted root linked to a SCEP profile, like
    /// [`DeviceConfigurations::root_certificate`] (404 and 204 are `None`); succeeds with
    /// [`StepValue::RootCertificate`].
    pub fn root_certificate(&mut self, key: impl Into<String>, scep_id: &str) -> &mut Self {
        let request = self.configurations().root_certificate_request(scep_id);
        self.push(key, request, StepKind::RootCertificate)
    }

    /// Sets the assignments of a device configuration, like [`DeviceConfigurations::assign`]
    /// (repeatable: it replaces the whole set); succeeds with [`StepValue::Assignments`].
    pub fn assign(
        &mut self,
        key: impl Into<String>,
        id: &str,
        assignments: &[DeviceConfigurationAssignment],
    ) -> &mut Self {
        let request = self.configurations().assign_request(id, assignments, &[]);
        self.push(key, request, StepKind::Assigned)
    }

    /// Reads the reference `navigation` of the object `id` of type `odata_type`, like
    /// [`DeviceConfigurations::reference`] (a single-valued one: succeeds with
    /// [`StepValue::Reference`], `None` for 404 and 204) or
    /// [`DeviceConfigurations::reference_members`] (a collection: succeeds with
    /// [`StepValue::ReferenceMembers`], further pages read with single calls). A reference
    /// the schema does not have is reported by [`send`](Self::send) with
    /// [`Error::InvalidArgument`], before anything is sent.
    pub fn reference(
        &mut self,
        key: impl Into<String>,
        id: &str,
        odata_type: &str,
        navigation: &str,
    ) -> &mut Self {
        let step = Navigation::of(odata_type, navigation).and_then(|nav| {
            let request = self.configurations().reference_request(id, &nav)?;
            Ok((request, StepKind::Reference(nav.reference)))
        });
        match step {
            Ok((request, kind)) => self.push(key, Ok(request), kind),
            Err(e) => {
                self.error.get_or_insert(e);
                self
            }
        }
    }

    /// Any request: `path` is relative to the version root (`deviceManagement/…`, a leading
    /// `/` optional, a query string allowed); an absolute URL is refused by
    /// [`send`](Self::send) with [`Error::InvalidArgument`]. A body is sent as JSON with
    /// `Content-Type: application/json`. Succeeds with [`StepValue::Raw`] for any 2xx.
    pub fn raw<B: Serialize + ?Sized>(
        &mut self,
        key: impl Into<String>,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> &mut Self {
        let key = key.into();
        let url =
            if path.starts_with('/') || path.contains("://") { path.to_owned() } else { format!("/{path}") };
        let step = self.client.url(path.trim_start_matches('/')).and_then(|absolute| {
            // A raw step's meaning is unknown to the crate: a POST is taken for a create.
            let repeat = Repeat::by_method(&method);
            let mut request = ApiRequest::new(method, absolute, repeat);
            if let Some(body) = body {
                request = request.with_json_body(serde_json::to_vec(body).map_err(Error::Encode)?);
            }
            Step::new(key, request, url, StepKind::Raw)
        });
        match step {
            Ok(step) => self.steps.push(step),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Makes the step `key` run only after the step `on` succeeded (`dependsOn`); if `on`
    /// fails, `key` fails with 424. `on` must be an earlier step, and steps must form
    /// chains (one dependency and at most one dependent per step). A chain longer than
    /// [`MAX_STEPS`] is sent in several envelopes, in whole segments: a later segment goes
    /// once the step it depends on was answered (and gets 424 if that step failed).
    pub fn depends_on(&mut self, key: &str, on: impl Into<String>) -> &mut Self {
        let on = on.into();
        match self.steps.iter_mut().rev().find(|s| s.key == key) {
            Some(step) => step.depends_on = Some(on),
            None => {
                self.error.get_or_insert(Error::invalid(
                    "batch step",
                    format!("{key:?} depends on {on:?}, but there is no step {key:?}"),
                ));
            }
        }
        self
    }

    /// Checks the batch, sends it in as few envelopes as the limits allow, and returns
    /// every step's result by key in the order the steps were added.
    ///
    /// # Errors
    /// Only before anything is sent: the first step that could not be built
    /// ([`Error::InvalidArgument`], [`Error::Validation`], [`Error::Encode`]) or a broken batch
    /// rule (an empty or repeated key, an absolute URL, a nested `$batch`, a body without
    /// `Content-Type`, a `dependsOn` that is not an earlier step or does not form chains:
    /// [`Error::InvalidArgument`] naming the step). Everything after is per step, in
    /// [`BatchResults`].
    pub async fn send(self) -> Result<BatchResults> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let shapes: Vec<plan::Shape<'_>> = self.steps.iter().map(Step::shape).collect();
        let deps = plan::validate(&shapes)?;
        let envelope_url = self.client.url("$batch")?;
        let outcomes = send::run(&self.client, &envelope_url, &self.steps, &deps).await;
        let outcomes = reconcile::settle(&self.client, &self.steps, outcomes).await;
        Ok(BatchResults::new(self.steps.into_iter().map(|s| s.key).zip(outcomes).collect()))
    }
}

impl Step {
    fn new(key: String, mut request: ApiRequest, url: String, kind: StepKind) -> Result<Self> {
        let body = match &request.body {
            None => None,
            Some(bytes) => Some(serde_json::from_slice(bytes).map_err(Error::Encode)?),
        };
        if body.is_some() && !request.headers.contains_key(CONTENT_TYPE) {
            request
                .headers
                .insert(CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        }
        Ok(Step { key, request, url, body, depends_on: None, kind, reconcile: None })
    }

    fn shape(&self) -> plan::Shape<'_> {
        plan::Shape {
            key: &self.key,
            url: &self.url,
            depends_on: self.depends_on.as_deref(),
            has_body: self.body.is_some(),
            has_content_type: self.request.headers.contains_key(CONTENT_TYPE),
        }
    }
}

/// `url` relative to the version root `base` (`/deviceManagement/…?…`), as a step carries it.
fn relative_url(base: &Url, url: &Url) -> Result<String> {
    let root = base.path().trim_end_matches('/');
    let rest = (url.origin() == base.origin())
        .then(|| url.path().strip_prefix(root))
        .flatten()
        .filter(|rest| rest.starts_with('/'))
        .ok_or_else(|| Error::invalid("path", format!("{url} is not under the base URL {base}")))?;
    Ok(match url.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_relative_to_the_version_root() {
        let base = Url::parse("https://graph.microsoft.com/beta").unwrap();
        let url = Url::parse("https://graph.microsoft.com/beta/deviceManagement/x?$select=id").unwrap();
        assert_eq!(relative_url(&base, &url).unwrap(), "/deviceManagement/x?$select=id");
        let elsewhere = Url::parse("https://example.com/beta/deviceManagement/x").unwrap();
        assert!(matches!(relative_url(&base, &elsewhere), Err(Error::InvalidArgument { .. })));
        let sibling = Url::parse("https://graph.microsoft.com/betax/y").unwrap();
        assert!(matches!(relative_url(&base, &sibling), Err(Error::InvalidArgument { .. })));
    }
}
