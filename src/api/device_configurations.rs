//! `deviceManagement/deviceConfigurations`: read, list, create, update, delete, assign, and
//! the SCEP profile's trusted root and certificate states.

use reqwest::Method;
use serde::{Serialize, Serializer, de::DeserializeOwned, ser::SerializeMap};
use url::Url;

use super::references::Navigation;
use crate::{
    GraphClient,
    client::is_empty_body,
    error::{Error, Result},
    models::{
        DeviceConfiguration, DeviceConfigurationAssignment, DeviceConfigurationGroupAssignment,
        DeviceConfigurationPatch, GraphEntity, IosScepCertificateProfile, IosTrustedRootCertificate,
        ManagedDeviceCertificateState, WriteMode,
        object::{Encoded, strip_hash},
        resolve_binds,
    },
    odata::{ItemStream, Page, PageStream, Query, page_reader},
    pipeline::{ApiRequest, BodyReader, Repeat},
};

/// The SCEP navigation the `root_certificate` shorthands and the certificate states use.
const ROOT_CERTIFICATE: &str = "rootCertificate";

/// The `deviceConfigurations` collection of a tenant. Owned and cheap to clone, so it can
/// be moved into a task.
///
/// ```no_run
/// # async fn run(client: intune_graph::GraphClient) -> intune_graph::Result<()> {
/// use futures_util::StreamExt;
/// use intune_graph::{models::DeviceConfiguration, odata::Query};
///
/// let configurations = client.device_configurations();
/// let mut all = configurations.list_all(&Query::new().of_type("microsoft.graph.iosScepCertificateProfile"));
/// while let Some(config) = all.next().await {
///     if let DeviceConfiguration::IosScepCertificate(profile) = config? {
///         println!("{:?}", profile.base.display_name);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeviceConfigurations {
    client: GraphClient,
    /// `{base}/deviceManagement/deviceConfigurations`, built once per handle: every create,
    /// list and item URL starts from it.
    collection: Url,
}

impl DeviceConfigurations {
    /// The client this handle sends through.
    pub(crate) fn client(&self) -> &GraphClient {
        &self.client
    }

    pub(crate) fn new(client: GraphClient) -> Self {
        let collection = client.segments_url(&["deviceManagement", "deviceConfigurations"]);
        DeviceConfigurations { client, collection }
    }

    /// Creates a device configuration (`POST …/deviceConfigurations`) and returns the
    /// object the service created (`201 Created`), with its id and timestamps.
    ///
    /// The object is validated first (unless the client was built with
    /// `skip_validation`), and only its writable fields are sent.
    ///
    /// # Errors
    /// [`Error::Validation`] before anything is sent; [`Error::Graph`] when the service
    /// refuses; [`Error::OutcomeUnknown`] when the create may or may not have happened (it is
    /// not re-sent); [`Error::CreatedUnreadable`] when the service accepted it but its answer
    /// is not a JSON object; [`Error::Decode`] when the answer does not decode.
    pub async fn create<T: GraphEntity>(&self, object: &T) -> Result<T> {
        let request = self.create_request(object)?;
        self.client.send(request).await?.decode_created()
    }

    /// The create request for `object`, without sending it.
    pub(crate) fn create_request<T: GraphEntity>(&self, object: &T) -> Result<ApiRequest> {
        if self.client.validates() {
            object.validate()?;
        }
        let body = object.to_write_json().map_err(Error::Encode)?;
        self.write_request(Method::POST, self.collection.clone(), Repeat::Once, body)
    }

    /// A create or update request carrying `body`: the one place where the write bodies
    /// of device configurations pass, so relative `@odata.bind` values
    /// (`deviceManagement/deviceConfigurations('ID')`) are resolved against the client's
    /// base URL for both, in one call.
    fn write_request(&self, method: Method, url: Url, repeat: Repeat, body: Vec<u8>) -> Result<ApiRequest> {
        let body = resolve_binds(body, self.client.base_url()).map_err(Error::Encode)?;
        Ok(ApiRequest::new(method, url, repeat).with_json_body(body))
    }

    // ----- read -------------------------------------------------------------------------

    /// Reads one device configuration (`GET …/deviceConfigurations/{id}`), whatever its type.
    ///
    /// # Errors
    /// [`Error::Graph`] (404 when it does not exist: see [`get_opt`](Self::get_opt));
    /// [`Error::Decode`] when the response does not decode.
    pub async fn get(&self, id: &str) -> Result<DeviceConfiguration> {
        self.get_with(id, &Query::new()).await
    }

    /// Like [`get`](Self::get), with `None` when the service answers 404.
    ///
    /// # Errors
    /// As [`get`](Self::get), except 404.
    pub async fn get_opt(&self, id: &str) -> Result<Option<DeviceConfiguration>> {
        match self.get(id).await {
            Ok(config) => Ok(Some(config)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads one device configuration as a specific model, e.g.
    /// [`IosScepCertificateProfile`]. An object of another `@odata.type` is an
    /// [`Error::Decode`].
    ///
    /// # Errors
    /// As [`get`](Self::get).
    pub async fn get_as<T: DeserializeOwned>(&self, id: &str) -> Result<T> {
        self.client.send(self.get_request(id, &Query::new())?).await?.decode()
    }

    /// Reads one device configuration with query options (`$select`, `$expand`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for invalid options; otherwise as [`get`](Self::get).
    pub async fn get_with(&self, id: &str, query: &Query) -> Result<DeviceConfiguration> {
        let reader = BodyReader::new();
        self.client.send(self.get_request(id, query)?.reading(reader)).await?.decode_read(reader)
    }

    pub(crate) fn get_request(&self, id: &str, query: &Query) -> Result<ApiRequest> {
        query.validate()?;
        let mut url = self.item_url(id, &[])?;
        query.apply(&mut url);
        Ok(ApiRequest::get(url).with_query_headers(query))
    }

    // ----- list -------------------------------------------------------------------------

    /// Reads the first page of the collection (`GET …/deviceConfigurations?…`).
    ///
    /// Items of types this crate does not model come back as
    /// [`DeviceConfiguration::Other`], so a listing of a real tenant never fails on them
    /// and each item can be written back unchanged. Use [`next_page`](Self::next_page),
    /// [`pages`](Self::pages) or [`list_all`](Self::list_all) for the rest.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for invalid options; [`Error::Graph`]; [`Error::Decode`].
    pub async fn list(&self, query: &Query) -> Result<Page<DeviceConfiguration>> {
        let request = self.list_request(query)?;
        let url = request.url.clone();
        let reader = page_reader();
        Page::from_read_response(&mut self.client.send(request.reading(reader)).await?, &url, reader)
    }

    /// The page after `page` (following its `@odata.nextLink` verbatim, with the query's
    /// headers unless it says otherwise), or `None` after the last page.
    ///
    /// # Errors
    /// [`Error::Origin`] when the link leads away from the Graph origin; otherwise as
    /// [`list`](Self::list).
    pub async fn next_page(
        &self,
        page: &Page<DeviceConfiguration>,
        query: &Query,
    ) -> Result<Option<Page<DeviceConfiguration>>> {
        let Some(link) = &page.next_link else { return Ok(None) };
        let mut request = ApiRequest::get(link.clone());
        if query.carries_headers() {
            request = request.with_query_headers(query);
        }
        let reader = page_reader();
        Page::from_read_response(&mut self.client.send(request.reading(reader)).await?, link, reader)
            .map(Some)
    }

    pub(crate) fn list_request(&self, query: &Query) -> Result<ApiRequest> {
        query.validate()?;
        let mut url = self.collection.clone();
        query.apply(&mut url);
        Ok(ApiRequest::get(url).with_query_headers(query))
    }

    /// Every page of the collection, as a stream (see [`PageStream`]: one page in memory,
    /// loop detection, page cap, headers on every page).
    pub fn pages(&self, query: &Query) -> PageStream<DeviceConfiguration> {
        PageStream::new(self.client.clone(), self.list_request(query).map(|r| r.url), query)
            .decoded_in_attempt()
    }

    /// Every device configuration, as a stream of items over all pages.
    ///
    /// ```no_run
    /// # async fn run(client: intune_graph::GraphClient) -> intune_graph::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use intune_graph::odata::Query;
    ///
    /// let names: Vec<String> = client
    ///     .device_configurations()
    ///     .list_all(&Query::new().select(["id", "displayName"]).top(100))
    ///     .map_ok(|c| c.display_name().unwrap_or_default().to_owned())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_all(&self, query: &Query) -> ItemStream<DeviceConfiguration> {
        self.pages(query).items()
    }

    /// Continues a listing from a saved `@odata.nextLink` (e.g. [`PageStream::next_link`]
    /// after an error). The link carries the original options; `query` gives the headers
    /// and page cap.
    pub fn resume_pages(&self, next_link: Url, query: &Query) -> PageStream<DeviceConfiguration> {
        PageStream::new(self.client.clone(), Ok(next_link), query).decoded_in_attempt()
    }

    // ----- update / delete --------------------------------------------------------------

    /// Updates a device configuration (`PATCH …/deviceConfigurations/{id}`).
    ///
    /// The service answers `200 OK` with the updated object (as documented) or
    /// `204 No Content` without a body (what the live service does); both are success:
    /// `Some(object)` for the first, `None` for the second (read it with
    /// [`get`](Self::get) if needed).
    ///
    /// # Errors
    /// [`Error::Validation`] before anything is sent when the patch sets a read-only
    /// property or an accidental null (see [`DeviceConfigurationPatch::validate`]);
    /// [`Error::Graph`]; [`Error::Decode`] when a 200 body does not decode.
    pub async fn update(
        &self,
        id: &str,
        patch: &DeviceConfigurationPatch,
    ) -> Result<Option<DeviceConfiguration>> {
        let response = self.client.send(self.update_request(id, patch)?).await?;
        if is_empty_body(&response.body) { Ok(None) } else { response.decode().map(Some) }
    }

    pub(crate) fn update_request(&self, id: &str, patch: &DeviceConfigurationPatch) -> Result<ApiRequest> {
        let body = patch.to_json()?;
        self.write_request(Method::PATCH, self.item_url(id, &[])?, Repeat::Safe, body)
    }

    /// Deletes a device configuration (`DELETE …/deviceConfigurations/{id}`, `204`).
    ///
    /// A DELETE whose first attempt had an unknown outcome (a 504, a reset, a timeout) and
    /// whose retry finds the object gone (404) succeeds: the first attempt deleted it. This
    /// is reported as an `INFO` event on the `intune_graph::retry` tracing target.
    ///
    /// # Errors
    /// [`Error::Graph`] (404 when it does not exist).
    pub async fn delete(&self, id: &str) -> Result<()> {
        self.client.send(self.delete_request(id)?).await.map(drop)
    }

    pub(crate) fn delete_request(&self, id: &str) -> Result<ApiRequest> {
        Ok(ApiRequest::new(Method::DELETE, self.item_url(id, &[])?, Repeat::Safe))
    }

    // ----- assignments ------------------------------------------------------------------

    /// Sets the assignments of a device configuration
    /// (`POST …/deviceConfigurations/{id}/assign` with `{"assignments": […]}`) and returns
    /// the assignments the service reports (`200` with `value`; an empty answer gives an
    /// empty `Vec`).
    ///
    /// The action replaces the whole assignment set: pass every assignment the
    /// configuration should keep; an empty slice removes them all. Assignment ids are not
    /// sent (the service assigns them).
    ///
    /// # Errors
    /// [`Error::Graph`]; [`Error::Decode`]. Like every POST, a `5xx` or a broken connection
    /// gives [`Error::OutcomeUnknown`] and is not re-sent automatically (re-sending the same
    /// assignment set is harmless if you choose to).
    pub async fn assign(
        &self,
        id: &str,
        assignments: &[DeviceConfigurationAssignment],
    ) -> Result<Vec<DeviceConfigurationAssignment>> {
        self.assign_with_group_assignments(id, assignments, &[]).await
    }

    /// Like [`assign`](Self::assign), also sending legacy
    /// `deviceConfigurationGroupAssignments` (left out of the body when empty).
    ///
    /// # Errors
    /// As [`assign`](Self::assign).
    pub async fn assign_with_group_assignments(
        &self,
        id: &str,
        assignments: &[DeviceConfigurationAssignment],
        group_assignments: &[DeviceConfigurationGroupAssignment],
    ) -> Result<Vec<DeviceConfigurationAssignment>> {
        let request = self.assign_request(id, assignments, group_assignments)?;
        let url = request.url.clone();
        let response = self.client.send(request).await?;
        if is_empty_body(&response.body) {
            return Ok(Vec::new());
        }
        Ok(Page::from_response(&response, &url)?.items)
    }

    pub(crate) fn assign_request(
        &self,
        id: &str,
        assignments: &[DeviceConfigurationAssignment],
        group_assignments: &[DeviceConfigurationGroupAssignment],
    ) -> Result<ApiRequest> {
        let body =
            serde_json::to_vec(&AssignBody { assignments, group_assignments }).map_err(Error::Encode)?;
        // The action replaces the whole assignment set: sending it twice leaves the same set.
        let url = self.item_url(id, &["assign"])?;
        Ok(ApiRequest::new(Method::POST, url, Repeat::Safe).with_json_body(body))
    }

    /// The assignments of a device configuration (`GET …/{id}/assignments`, every page).
    ///
    /// # Errors
    /// [`Error::Graph`]; [`Error::Decode`]; [`Error::Paging`].
    pub async fn assignments(&self, id: &str) -> Result<Vec<DeviceConfigurationAssignment>> {
        let url = self.assignments_request(id).map(|r| r.url);
        PageStream::new(self.client.clone(), url, &Query::new())
            .decoded_in_attempt()
            .items()
            .collect_all()
            .await
    }

    pub(crate) fn assignments_request(&self, id: &str) -> Result<ApiRequest> {
        Ok(ApiRequest::get(self.item_url(id, &["assignments"])?))
    }

    // ----- SCEP: trusted root and certificate states -----------------------------------

    /// The trusted root certificate linked to an iOS SCEP profile
    /// (`GET …/{id}/microsoft.graph.iosScepCertificateProfile/rootCertificate`): the
    /// shorthand of [`reference`](Self::reference) for that type. For any other type
    /// (macOS SCEP, Android…), call `reference` with the object's `@odata.type`.
    ///
    /// `None` when no root is linked: the service answers `204` or `404` then. (A `404`
    /// also comes back for a SCEP profile that does not exist.)
    ///
    /// # Errors
    /// [`Error::Graph`] other than 404; [`Error::Decode`].
    pub async fn root_certificate(&self, scep_id: &str) -> Result<Option<IosTrustedRootCertificate>> {
        let reader = BodyReader::new();
        match self.client.send(self.root_certificate_request(scep_id)?.reading(reader)).await {
            Ok(response) if is_empty_body(&response.body) => Ok(None),
            Ok(mut response) => response.decode_read(reader).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The iOS SCEP profile's `rootCertificate` reference.
    fn scep_root() -> Result<Navigation<'static>> {
        Navigation::of(IosScepCertificateProfile::ODATA_TYPE, ROOT_CERTIFICATE)
    }

    pub(crate) fn root_certificate_request(&self, scep_id: &str) -> Result<ApiRequest> {
        self.reference_request(scep_id, &Self::scep_root()?)
    }

    /// Links a trusted root certificate profile to an iOS SCEP profile
    /// (`PUT …/{scep_id}/microsoft.graph.iosScepCertificateProfile/rootCertificate/$ref`
    /// with `{"@odata.id": "<base>/deviceManagement/deviceConfigurations('<root_id>')"}`):
    /// the shorthand of [`set_reference`](Self::set_reference) for that type.
    ///
    /// The usual sequence is: create the [`IosTrustedRootCertificate`], create the SCEP
    /// profile bound to it ([`bind_root_certificate`](Self::bind_root_certificate)) or link
    /// it afterwards with this call, then assign both to the same groups.
    ///
    /// # Errors
    /// [`Error::Graph`].
    pub async fn link_root_certificate(&self, scep_id: &str, root_id: &str) -> Result<()> {
        self.client.send(self.link_root_certificate_request(scep_id, root_id)?).await.map(drop)
    }

    pub(crate) fn link_root_certificate_request(&self, scep_id: &str, root_id: &str) -> Result<ApiRequest> {
        self.ref_write_request(Method::PUT, scep_id, &Self::scep_root()?, root_id)
    }

    /// Removes the link to the trusted root certificate of an iOS SCEP profile
    /// (`DELETE …/{scep_id}/microsoft.graph.iosScepCertificateProfile/rootCertificate/$ref`):
    /// the shorthand of [`clear_reference`](Self::clear_reference) for that type.
    ///
    /// # Errors
    /// [`Error::Graph`].
    pub async fn unlink_root_certificate(&self, scep_id: &str) -> Result<()> {
        let scep = IosScepCertificateProfile::ODATA_TYPE;
        self.clear_reference(scep_id, scep, ROOT_CERTIFICATE).await
    }

    /// The OData reference to a device configuration: the same as
    /// [`bind_url`](Self::bind_url), under its older name.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id.
    pub fn root_certificate_reference(&self, root_id: &str) -> Result<Url> {
        self.bind_url(root_id)
    }

    /// Binds an iOS SCEP profile about to be created to a trusted root certificate
    /// profile, by adding `rootCertificate@odata.bind` (the [`bind_url`](Self::bind_url)
    /// of `root_id`) to its create body.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id.
    pub fn bind_root_certificate(
        &self,
        profile: &mut IosScepCertificateProfile,
        root_id: &str,
    ) -> Result<()> {
        let reference = self.bind_url(root_id)?;
        let property = Self::scep_root()?.reference.bind_property();
        profile.additional_data.insert(property, reference.as_str().into());
        Ok(())
    }

    /// The certificate states of the devices that got a certificate from a SCEP profile
    /// (`GET …/{scep_id}/microsoft.graph.iosScepCertificateProfile/managedDeviceCertificateStates`),
    /// as a stream over every page.
    pub fn managed_device_certificate_states(
        &self,
        scep_id: &str,
        query: &Query,
    ) -> ItemStream<ManagedDeviceCertificateState> {
        let url = self.managed_device_certificate_states_request(scep_id, query).map(|r| r.url);
        PageStream::new(self.client.clone(), url, query).decoded_in_attempt().items()
    }

    pub(crate) fn managed_device_certificate_states_request(
        &self,
        scep_id: &str,
        query: &Query,
    ) -> Result<ApiRequest> {
        query.validate()?;
        let cast = strip_hash(IosScepCertificateProfile::ODATA_TYPE);
        let mut url = self.item_url(scep_id, &[cast, "managedDeviceCertificateStates"])?;
        query.apply(&mut url);
        Ok(ApiRequest::get(url).with_query_headers(query))
    }

    // ----- helpers ----------------------------------------------------------------------

    /// `…/deviceConfigurations/{id}/{rest…}`, each part percent-encoded as one path segment.
    pub(crate) fn item_url(&self, id: &str, rest: &[&str]) -> Result<Url> {
        check_id(id)?;
        let mut url = self.collection.clone();
        url.path_segments_mut()
            .map_err(|()| Error::Config("the base URL cannot hold a path".into()))?
            .push(id)
            .extend(rest);
        Ok(url)
    }
}

/// Refuses ids that would not name one object: empty, blank, `.` or `..` (the URL rules
/// would drop the last two, addressing the collection instead), and ids with a control
/// character (the URL parser silently drops TAB, CR and LF, so `a\tb` would read `ab`).
pub(crate) fn check_id(id: &str) -> Result<()> {
    if id.trim().is_empty() || id == "." || id == ".." {
        return Err(Error::invalid("object id", format!("{id:?} does not name one object")));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid("object id", format!("{id:?} contains a control character")));
    }
    Ok(())
}

/// `{"assignments": […], "deviceConfigurationGroupAssignments": […]}`, each entry in its
/// write form (no ids); the legacy list is left out when empty.
struct AssignBody<'a> {
    assignments: &'a [DeviceConfigurationAssignment],
    group_assignments: &'a [DeviceConfigurationGroupAssignment],
}

struct WriteAll<'a, T>(&'a [T]);

impl<T: crate::models::object::Object> Serialize for WriteAll<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|item| Encoded(item, WriteMode::Write)))
    }
}

impl Serialize for AssignBody<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("assignments", &WriteAll(self.assignments))?;
        if !self.group_assignments.is_empty() {
            map.serialize_entry("deviceConfigurationGroupAssignments", &WriteAll(self.group_assignments))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};
    use serde_json::{Value, json};

    use super::*;
    use crate::models::{AssignmentTarget, KeyUsages};

    fn handle() -> DeviceConfigurations {
        GraphClient::builder().bearer_token("t").build().unwrap().device_configurations()
    }

    fn body(request: &ApiRequest) -> Value {
        serde_json::from_slice(request.body.as_deref().expect("a body")).unwrap()
    }

    const BASE: &str = "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations";

    #[test]
    fn ids_are_one_encoded_path_segment() {
        let h = handle();
        let r = h.get_request("a/b c?d#e%f", &Query::new()).unwrap();
        assert_eq!(r.method, Method::GET);
        assert_eq!(r.url.as_str(), format!("{BASE}/a%2Fb%20c%3Fd%23e%25f"));
        for bad in ["", " ", ".", "..", "a\tb", "a\rb", "a\nb", "\u{0}", "a\u{7f}", "a\u{85}b"] {
            let invalid_id =
                |r: Result<ApiRequest>| matches!(r, Err(Error::InvalidArgument { what: "object id", .. }));
            assert!(invalid_id(h.get_request(bad, &Query::new())), "{bad:?}");
            assert!(invalid_id(h.delete_request(bad)), "{bad:?}");
        }
        assert!(r.body.is_none());
    }

    #[test]
    fn get_and_list_carry_options_and_headers() {
        let h = handle();
        let query =
            Query::new().select(["id", "displayName"]).expand("assignments").consistency_level_eventual();
        let r = h.get_request("p1", &query).unwrap();
        assert_eq!(r.url.as_str(), format!("{BASE}/p1?$select=id,displayName&$expand=assignments"));
        assert_eq!(r.headers["consistencylevel"], "eventual");
        let r = h
            .list_request(&Query::new().of_type("microsoft.graph.iosScepCertificateProfile").top(50))
            .unwrap();
        assert_eq!(
            r.url.as_str(),
            format!("{BASE}?$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)&$top=50")
        );
        assert!(r.headers.is_empty());
        assert!(matches!(
            h.list_request(&Query::new().top(5000)),
            Err(Error::InvalidArgument { what: "query", .. })
        ));
    }

    #[test]
    fn expand_takes_the_cast_form_unmangled() {
        let cast = "microsoft.graph.iosScepCertificateProfile/rootCertificate";
        let r = handle().get_request("s1", &Query::new().expand(cast).expand("assignments")).unwrap();
        assert_eq!(r.url.as_str(), format!("{BASE}/s1?$expand={cast},assignments"));
        assert_eq!(
            r.url.query(),
            Some("$expand=microsoft.graph.iosScepCertificateProfile/rootCertificate,assignments")
        );
    }

    #[test]
    fn update_and_delete() {
        let h = handle();
        let patch = DeviceConfigurationPatch::new("#microsoft.graph.iosScepCertificateProfile")
            .set("keyUsage", KeyUsages::DIGITAL_SIGNATURE)
            .set_null("description");
        let r = h.update_request("p1", &patch).unwrap();
        assert_eq!(r.method, Method::PATCH);
        assert_eq!(r.url.as_str(), format!("{BASE}/p1"));
        assert_eq!(
            body(&r),
            json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "keyUsage": "digitalSignature", "description": null})
        );
        let bad = patch.set("supportsScopeTags", true);
        assert!(
            matches!(h.update_request("p1", &bad), Err(Error::Validation(v)) if v.has_problem_with("supportsScopeTags"))
        );
        let r = h.delete_request("p1").unwrap();
        assert_eq!((r.method, r.url.as_str()), (Method::DELETE, format!("{BASE}/p1").as_str()));
    }

    #[test]
    fn assign_body() {
        let h = handle();
        let mut with_id = DeviceConfigurationAssignment::new(AssignmentTarget::group("g1"));
        with_id.id = Some("p1_g1".into());
        let assignments =
            [with_id, DeviceConfigurationAssignment::new(AssignmentTarget::exclude_group("g2"))];
        let r = h.assign_request("p1", &assignments, &[]).unwrap();
        assert_eq!((r.method.clone(), r.url.as_str()), (Method::POST, format!("{BASE}/p1/assign").as_str()));
        // It replaces the whole set: as safe to repeat as a PUT, unlike a create.
        assert!(r.is_repeatable());
        let mut root = crate::models::IosTrustedRootCertificate::default();
        root.base.display_name = Some("Root".into());
        root.trusted_root_certificate = Some("MIIB".into());
        assert!(!h.create_request(&root).unwrap().is_repeatable());
        assert_eq!(
            body(&r),
            json!({"assignments": [
                {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                 "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}},
                {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                 "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g2"}}
            ]})
        );
        let r = h.assign_request("p1", &[], &[DeviceConfigurationGroupAssignment::new("g3", false)]).unwrap();
        assert_eq!(
            body(&r),
            json!({"assignments": [], "deviceConfigurationGroupAssignments": [
                {"@odata.type": "#microsoft.graph.deviceConfigurationGroupAssignment", "targetGroupId": "g3", "excludeGroup": false}
            ]})
        );
    }

    #[test]
    fn scep_navigation_uses_the_type_cast_segment() {
        let h = handle();
        let r = h.root_certificate_request("s1").unwrap();
        assert_eq!(
            r.url.as_str(),
            format!("{BASE}/s1/microsoft.graph.iosScepCertificateProfile/rootCertificate")
        );
        let r = h.link_root_certificate_request("s1", "r'1").unwrap();
        assert_eq!(r.method, Method::PUT);
        assert_eq!(
            r.url.as_str(),
            format!("{BASE}/s1/microsoft.graph.iosScepCertificateProfile/rootCertificate/$ref")
        );
        assert_eq!(
            body(&r),
            json!({"@odata.id": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('r''1')"})
        );
        assert!(r.is_repeatable());
        let query =
            Query::new().top(10).header(HeaderName::from_static("prefer"), HeaderValue::from_static("x"));
        let r = h.managed_device_certificate_states_request("s1", &query).unwrap();
        assert_eq!(
            r.url.as_str(),
            format!(
                "{BASE}/s1/microsoft.graph.iosScepCertificateProfile/managedDeviceCertificateStates?$top=10"
            )
        );
        assert_eq!(r.headers["prefer"], "x");
    }

    #[test]
    fn bind_goes_into_the_create_body() {
        let h = handle();
        let mut profile = IosScepCertificateProfile::default();
        profile.base.display_name = Some("SCEP".into());
        h.bind_root_certificate(&mut profile, "root-1").unwrap();
        let json: Value = serde_json::from_slice(&profile.to_write_json().unwrap()).unwrap();
        assert_eq!(
            json["rootCertificate@odata.bind"],
            "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('root-1')"
        );
        assert!(h.root_certificate_reference("").is_err());
    }

    #[test]
    fn handle_is_send_sync_and_cheap() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<DeviceConfigurations>();
    }
}
