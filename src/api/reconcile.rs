//! Creates that survive an unknown outcome: opt-in reconcile.
//!
//! A `POST` that times out, is reset, or gets a 504 may or may not have created the
//! object, so the client never re-sends it blindly ([`Error::OutcomeUnknown`]). With
//! [`DeviceConfigurations::create_with`] and a [`CreateOptions`] that names how to
//! recognise the object, the client looks for it instead:
//!
//! 1. wait the settle delay (the service may still be finishing the create);
//! 2. list the collection with `$filter=displayName eq '…' and isof('…')` (falling back to
//!    the display name alone when the service refuses the combined filter), and keep the
//!    objects whose display name is exactly the same (Graph compares case-insensitively),
//!    whose type is the same and, with a marker, whose description contains it;
//! 3. found: read it back by id and return it with [`Created::reconciled`] set. Absent:
//!    send the create again, unless the service had already answered `2xx` (then it was
//!    created but is not visible yet, and the original error is returned).
//!
//! The trade-off is spelled out on [`CreateOptions`], where rustdoc shows it.

use std::time::Duration;

use serde_json::{Map, Value};

use super::DeviceConfigurations;
use crate::{
    error::{Error, Result},
    models::{DeviceConfiguration, GraphEntity},
    odata::{Page, Query},
};

/// Pages of lookup results read at most (a display name is rarely shared that widely).
const MAX_LOOKUP_PAGES: usize = 20;

/// How a create whose outcome is unknown recognises the object it may have created.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReconcileBy {
    /// An object of the same `@odata.type` whose `displayName` is exactly the same.
    DisplayName,
    /// As [`DisplayName`](Self::DisplayName), and whose `description` contains this
    /// marker (e.g. a UUID the caller put there): other objects with the same name are
    /// then never mistaken for the new one.
    Marker(String),
}

/// Options of [`DeviceConfigurations::create_with`].
///
/// After a create whose outcome is unknown (timeout, reset, `504`), reconcile waits a
/// settle delay, looks for the object by exact display name and type (plus the marker in
/// `description`, with [`reconcile_by_marker`](Self::reconcile_by_marker)), returns it with
/// [`Created::reconciled`] set when found, and sends the create again when it is absent
/// (never after the service answered `2xx`).
///
/// **The trade-off**: the display name (and marker) becomes the object's identity. An
/// object that already existed with that name before the call is taken for the one just
/// created, unless a marker tells them apart. If the service stores the object later than
/// the lookup sees it, a duplicate is still possible: reconcile narrows the duplicate
/// window, it cannot close it, because Graph has no idempotency key for creates.
///
/// ```no_run
/// # async fn run(client: intune_graph::GraphClient, profile: intune_graph::models::IosScepCertificateProfile)
/// # -> intune_graph::Result<()> {
/// use intune_graph::api::CreateOptions;
///
/// let created = client
///     .device_configurations()
///     .create_with(&profile, CreateOptions::reconcile_by_display_name())
///     .await?;
/// if created.reconciled {
///     println!("the first attempt had created it: {:?}", created.object.base.id);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct CreateOptions {
    reconcile: Option<ReconcileBy>,
    settle_delay: Duration,
    max_reposts: u32,
    lookup_attempts: u32,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            reconcile: None,
            settle_delay: Duration::from_secs(2),
            max_reposts: 3,
            lookup_attempts: 3,
        }
    }
}

impl CreateOptions {
    /// No reconcile: the same as [`DeviceConfigurations::create`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Reconcile by exact display name and type (see [`ReconcileBy::DisplayName`]).
    pub fn reconcile_by_display_name() -> Self {
        Self::new().reconcile(ReconcileBy::DisplayName)
    }

    /// Reconcile by display name, type and a marker the object's `description` contains
    /// (see [`ReconcileBy::Marker`]). The object is refused before anything is sent when
    /// its description does not contain the marker.
    pub fn reconcile_by_marker(marker: impl Into<String>) -> Self {
        Self::new().reconcile(ReconcileBy::Marker(marker.into()))
    }

    /// Sets how the object is recognised.
    pub fn reconcile(mut self, by: ReconcileBy) -> Self {
        self.reconcile = Some(by);
        self
    }

    /// How long to wait after an unknown outcome before looking (default 2 s).
    pub fn settle_delay(mut self, delay: Duration) -> Self {
        self.settle_delay = delay;
        self
    }

    /// How often the create is re-sent after a lookup found nothing (default 3).
    pub fn max_reposts(mut self, reposts: u32) -> Self {
        self.max_reposts = reposts;
        self
    }

    /// How the object is recognised, when reconcile is on.
    pub fn reconcile_by(&self) -> Option<&ReconcileBy> {
        self.reconcile.as_ref()
    }
}

/// The result of [`DeviceConfigurations::create_with`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Created<T> {
    /// The created object, as the service returns it.
    pub object: T,
    /// True when an attempt's outcome was unknown and the object was then found by the
    /// lookup (and read back) rather than returned by a create.
    pub reconciled: bool,
    /// How often the create was re-sent after a lookup showed it had not happened.
    pub reposts: u32,
}

/// What identifies the object, taken from its create body.
#[derive(Debug)]
struct Identity {
    display_name: String,
    odata_type: String,
    marker: Option<String>,
}

impl Identity {
    fn of<T: GraphEntity>(object: &T, by: &ReconcileBy) -> Result<Self> {
        let body = object.to_write_json().map_err(Error::Encode)?;
        let map: Map<String, Value> = serde_json::from_slice(&body).map_err(Error::Encode)?;
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let display_name = text("displayName")
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Error::invalid("object", "reconcile needs a displayName on the object"))?;
        let odata_type = strip_hash(&text("@odata.type").unwrap_or_default()).to_owned();
        if odata_type.is_empty() {
            return Err(Error::invalid("object", "reconcile needs an @odata.type on the object"));
        }
        let marker = match by {
            ReconcileBy::DisplayName => None,
            ReconcileBy::Marker(marker) => {
                if marker.is_empty() || !text("description").is_some_and(|d| d.contains(marker.as_str())) {
                    return Err(Error::invalid(
                        "object",
                        "reconcile by marker: the object's description must contain the marker",
                    ));
                }
                Some(marker.clone())
            }
        };
        Ok(Identity { display_name, odata_type, marker })
    }

    fn filter(&self, with_type: bool) -> String {
        let name = format!("displayName eq '{}'", odata_string(&self.display_name));
        if with_type { format!("{name} and isof('{}')", odata_string(&self.odata_type)) } else { name }
    }

    fn matches(&self, item: &DeviceConfiguration) -> bool {
        item.display_name() == Some(self.display_name.as_str())
            && strip_hash(item.odata_type()).eq_ignore_ascii_case(&self.odata_type)
            && self
                .marker
                .as_deref()
                .is_none_or(|m| item.base().description.as_deref().is_some_and(|d| d.contains(m)))
    }
}

/// An OData string literal's content: `'` doubled.
pub(crate) fn odata_string(text: &str) -> String {
    text.replace('\'', "''")
}

fn strip_hash(odata_type: &str) -> &str {
    odata_type.strip_prefix('#').unwrap_or(odata_type)
}

/// Whether a failed create may have created the object, and whether it certainly did.
fn possibly_created(error: &Error) -> Option<bool> {
    match error {
        Error::OutcomeUnknown(unknown) => Some(unknown.status.is_some_and(|s| s.is_success())),
        // A success status whose body did not decode (e.g. cut short, or not an object):
        // created.
        Error::Decode(_) | Error::CreatedUnreadable(_) => Some(true),
        _ => None,
    }
}

/// How one create is reconciled: what identifies its object, and the options.
#[derive(Debug)]
pub(crate) struct Reconcile {
    identity: Identity,
    options: CreateOptions,
}

impl Reconcile {
    /// The plan for creating `object` with `options`; `None` when reconcile is off.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the object lacks what reconcile needs.
    pub(crate) fn of<T: GraphEntity>(object: &T, options: &CreateOptions) -> Result<Option<Self>> {
        let Some(by) = &options.reconcile else { return Ok(None) };
        Ok(Some(Reconcile { identity: Identity::of(object, by)?, options: options.clone() }))
    }
}

impl DeviceConfigurations {
    /// Creates a device configuration like [`create`](Self::create), and with reconcile
    /// turned on in `options`, recovers from an unknown outcome instead of returning
    /// [`Error::OutcomeUnknown`]: it looks for the object and returns it when found
    /// ([`Created::reconciled`]), or sends the create again when it is absent. See
    /// [`CreateOptions`] and the module docs for the trade-off.
    ///
    /// # Errors
    /// As [`create`](Self::create). [`Error::OutcomeUnknown`] (or [`Error::Decode`] after a
    /// `2xx`) still comes back when the lookup fails, when a `2xx` was seen but the object
    /// is not visible yet, or after `max_reposts` re-sends. [`Error::InvalidArgument`] before
    /// sending when the object lacks what reconcile needs.
    pub async fn create_with<T: GraphEntity>(
        &self,
        object: &T,
        options: CreateOptions,
    ) -> Result<Created<T>> {
        let Some(plan) = Reconcile::of(object, &options)? else {
            return Ok(Created { object: self.create(object).await?, reconciled: false, reposts: 0 });
        };
        let first = self.create(object).await;
        self.reconcile_create(&plan, first, || self.create(object)).await
    }

    /// Brings a create to a known outcome: `first` is the first attempt's result; after an
    /// unknown outcome the object is looked for, and `again` sends the create once more
    /// when it is absent (see the module docs). Single creates and batched ones both end here.
    pub(crate) async fn reconcile_create<T, F, Fut>(
        &self,
        plan: &Reconcile,
        first: Result<T>,
        mut again: F,
    ) -> Result<Created<T>>
    where
        T: GraphEntity,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let Reconcile { identity, options } = plan;
        let mut outcome = first;
        let mut reposts = 0;
        loop {
            let error = match outcome {
                Ok(created) => return Ok(Created { object: created, reconciled: false, reposts }),
                Err(error) => error,
            };
            let Some(created_for_sure) = possibly_created(&error) else { return Err(error) };
            tracing::info!(
                client_request_id = error.client_request_id(),
                created_for_sure,
                reposts,
                "create outcome unknown: looking for the object"
            );
            if !options.settle_delay.is_zero() {
                // Through the client's sleeper, so tests with an injected clock do not wait.
                self.client().sleep(options.settle_delay).await;
            }
            let found = match self.find(identity, options.lookup_attempts).await {
                Ok(found) => found,
                Err(lookup) => {
                    tracing::warn!(error = %lookup, "reconcile lookup failed; returning the create's error");
                    return Err(error);
                }
            };
            match found {
                Some(id) => {
                    return match self.read_back::<T>(&id, options.lookup_attempts).await {
                        Ok(object) => {
                            tracing::info!(id = id.as_str(), "reconciled: the create had happened");
                            Ok(Created { object, reconciled: true, reposts })
                        }
                        Err(read) => {
                            tracing::warn!(error = %read, "reconcile found the object but could not read it back");
                            Err(error)
                        }
                    };
                }
                None if created_for_sure || reposts >= options.max_reposts => return Err(error),
                None => {
                    tracing::info!(reposts = reposts + 1, "the create had not happened: sending it again");
                    reposts += 1;
                    outcome = again().await;
                }
            }
        }
    }

    /// Reads the found object, reading again when a response arrives broken.
    async fn read_back<T: GraphEntity>(&self, id: &str, attempts: u32) -> Result<T> {
        let mut tries = 1;
        loop {
            match self.get_as::<T>(id).await {
                Err(e @ Error::Decode(_)) if tries < attempts.max(1) => {
                    tracing::debug!(error = %e, "reconcile read-back did not decode; reading again");
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// The id of the newest object matching `identity`, if any.
    async fn find(&self, identity: &Identity, attempts: u32) -> Result<Option<String>> {
        let mut with_type = true;
        let mut tries = 0;
        loop {
            tries += 1;
            let query = Query::new().filter(identity.filter(with_type));
            match self.scan(identity, &query).await {
                Ok(found) => return Ok(found),
                // The service does not take the combined filter: match the type here instead.
                Err(e) if with_type && e.status().is_some_and(|s| s.as_u16() == 400) => with_type = false,
                // A page that arrived broken (a 200 cut short): look again.
                Err(e @ Error::Decode(_)) if tries < attempts.max(1) => {
                    tracing::debug!(error = %e, "reconcile lookup page did not decode; looking again");
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn scan(&self, identity: &Identity, query: &Query) -> Result<Option<String>> {
        let mut page: Page<DeviceConfiguration> = self.list(query).await?;
        let mut newest: Option<(Option<chrono::DateTime<chrono::Utc>>, String)> = None;
        for _ in 0..MAX_LOOKUP_PAGES {
            for item in page.items.iter().filter(|item| identity.matches(item)) {
                let Some(id) = item.id() else { continue };
                let created = item.base().created_date_time.map(|t| t.to_utc());
                if newest.as_ref().is_none_or(|(at, _)| created > *at) {
                    newest = Some((created, id.to_owned()));
                }
            }
            match self.next_page(&page, query).await? {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(newest.map(|(_, id)| id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::IosScepCertificateProfile;

    fn profile(name: &str, description: Option<&str>) -> IosScepCertificateProfile {
        let mut p = IosScepCertificateProfile::default();
        p.base.display_name = Some(name.into());
        p.base.description = description.map(Into::into);
        p
    }

    #[test]
    fn filters_escape_quotes_and_name_the_type() {
        let id = Identity::of(&profile("O'Brien's 'SCEP'", None), &ReconcileBy::DisplayName).unwrap();
        assert_eq!(
            id.filter(true),
            "displayName eq 'O''Brien''s ''SCEP''' and isof('microsoft.graph.iosScepCertificateProfile')"
        );
        assert_eq!(id.filter(false), "displayName eq 'O''Brien''s ''SCEP'''");
    }

    #[test]
    fn markers_must_be_in_the_description() {
        let by = ReconcileBy::Marker("run-42".into());
        assert!(Identity::of(&profile("a", Some("made by run-42")), &by).is_ok());
        assert!(matches!(
            Identity::of(&profile("a", Some("other")), &by),
            Err(Error::InvalidArgument { what: "object", .. })
        ));
        assert!(matches!(
            Identity::of(&profile("a", None), &by),
            Err(Error::InvalidArgument { what: "object", .. })
        ));
        assert!(matches!(
            Identity::of(&profile("", None), &ReconcileBy::DisplayName),
            Err(Error::InvalidArgument { what: "object", .. })
        ));
    }

    #[test]
    fn matching_is_exact_on_name_type_and_marker() {
        let by = ReconcileBy::Marker("m-1".into());
        let id = Identity::of(&profile("Wi-Fi", Some("x m-1")), &by).unwrap();
        let item = |name: &str, desc: &str| DeviceConfiguration::from(profile(name, Some(desc)));
        assert!(id.matches(&item("Wi-Fi", "m-1")));
        assert!(!id.matches(&item("wi-fi", "m-1")), "Graph's eq is case-insensitive; reconcile is not");
        assert!(!id.matches(&item("Wi-Fi", "m-2")));
        let mut other = crate::models::IosTrustedRootCertificate::default();
        other.base.display_name = Some("Wi-Fi".into());
        other.base.description = Some("m-1".into());
        assert!(!id.matches(&DeviceConfiguration::from(other)));
    }
}
