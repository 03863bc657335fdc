//! The references between device configurations (every edge of
//! [`schema::REFERENCES`](crate::models::schema::REFERENCES)): read them, set and clear a
//! single one, add and remove members of a collection, bind a target on create.
//!
//! A reference is named by the object's `@odata.type` and the navigation property; both
//! are checked against the schema before anything is sent, and the type-cast segment of
//! the URL is the object's own type, so a macOS SCEP profile reaches its root through
//! `…/{id}/microsoft.graph.macOSScepCertificateProfile/rootCertificate`.

use reqwest::Method;
use serde::Serialize;
use url::Url;

use super::DeviceConfigurations;
use crate::{
    error::{Error, Result},
    models::{DeviceConfiguration, schema},
    odata::{ItemStream, PageStream, Query},
    pipeline::{ApiRequest, BodyReader, Repeat},
};

/// The `@odata.type` namespace of the type-cast segment.
const NAMESPACE: &str = "microsoft.graph.";

/// One reference of one object, checked against the schema: what every call on it needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Navigation<'a> {
    /// The object's type as given, without `#microsoft.graph.` (the type-cast segment).
    cast: &'a str,
    /// The schema's reference.
    pub(crate) reference: &'static schema::Reference,
}

impl<'a> Navigation<'a> {
    /// The reference `navigation` of an object of type `odata_type`, or
    /// [`Error::InvalidArgument`] when the schema has none.
    pub(crate) fn of(odata_type: &'a str, navigation: &str) -> Result<Self> {
        let cast = schema::short_type(odata_type);
        match schema::reference(cast, navigation) {
            Some(reference) => Ok(Navigation { cast, reference }),
            None => {
                let known: Vec<&str> = schema::references(cast).map(|r| r.navigation).collect();
                let reason = if known.is_empty() {
                    format!("{cast:?} has no references to other device configurations")
                } else {
                    format!("{cast:?} has no reference {navigation:?} (it has {})", known.join(", "))
                };
                Err(Error::invalid("reference", reason))
            }
        }
    }

    /// Like [`of`](Self::of), also refusing a reference of the other kind for `call`
    /// (`many`: one that holds a collection).
    pub(crate) fn checked(odata_type: &'a str, navigation: &str, many: bool, call: &str) -> Result<Self> {
        let nav = Navigation::of(odata_type, navigation)?;
        nav.expect(many, call)?;
        Ok(nav)
    }

    /// Refuses a call meant for the other kind of reference (`many`: a collection).
    fn expect(&self, many: bool, call: &str) -> Result<()> {
        if self.reference.many == many {
            return Ok(());
        }
        let (has, use_instead) = if self.reference.many {
            ("a collection", "the `*_member` calls")
        } else {
            ("a single object", "`reference`, `set_reference` or `clear_reference`")
        };
        Err(Error::invalid(
            "reference",
            format!(
                "{}.{} holds {has}: {call} does not apply, use {use_instead}",
                self.cast, self.reference.navigation
            ),
        ))
    }
}

/// `{"@odata.id": URL}`, the body of a `$ref` write.
#[derive(Serialize)]
struct RefBody<'a> {
    #[serde(rename = "@odata.id")]
    odata_id: &'a str,
}

impl DeviceConfigurations {
    /// The object a single-valued reference points to
    /// (`GET …/{id}/microsoft.graph.{type}/{navigation}`), e.g. the trusted root of a
    /// SCEP profile: `reference(id, "#microsoft.graph.macOSScepCertificateProfile",
    /// "rootCertificate")`. `None` when nothing is linked (the service answers `204` or
    /// `404`; a `404` also comes back for an object that does not exist). An answer without
    /// `@odata.type` is read as the reference's declared target type.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] before sending when the schema gives `odata_type` no
    /// single-valued reference `navigation`, or for an empty id; [`Error::Graph`] other
    /// than 404; [`Error::Decode`].
    pub async fn reference(
        &self,
        id: &str,
        odata_type: &str,
        navigation: &str,
    ) -> Result<Option<DeviceConfiguration>> {
        let nav = Navigation::checked(odata_type, navigation, false, "reference")?;
        let reader = BodyReader::new();
        let request = self.reference_request(id, &nav)?.reading(reader);
        match self.client().send(request).await {
            Ok(response) if crate::client::is_empty_body(&response.body) => Ok(None),
            Ok(mut response) => {
                let target = response.decode_read(reader)?;
                Ok(Some(with_declared_type(target, nav.reference)?))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The members of a collection-valued reference
    /// (`GET …/{id}/microsoft.graph.{type}/{navigation}`, following `@odata.nextLink`), e.g.
    /// the roots an Android Enterprise Wi-Fi profile trusts for server validation. Members
    /// without `@odata.type` are read as the reference's declared target type.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] before sending when the schema gives `odata_type` no
    /// collection-valued reference `navigation`; [`Error::Graph`]; [`Error::Decode`];
    /// [`Error::Paging`].
    pub async fn reference_members(
        &self,
        id: &str,
        odata_type: &str,
        navigation: &str,
    ) -> Result<Vec<DeviceConfiguration>> {
        let nav = Navigation::checked(odata_type, navigation, true, "reference_members")?;
        let url = self.reference_request(id, &nav)?.url;
        let members = self.members_from(url).collect_all().await?;
        members.into_iter().map(|member| with_declared_type(member, nav.reference)).collect()
    }

    /// Links the single-valued reference to the object `target_id`
    /// (`PUT …/microsoft.graph.{type}/{navigation}/$ref` with `{"@odata.id": bind_url}`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] before sending (an unknown or collection-valued
    /// reference, an empty id); [`Error::Graph`].
    pub async fn set_reference(
        &self,
        id: &str,
        odata_type: &str,
        navigation: &str,
        target_id: &str,
    ) -> Result<()> {
        let nav = Navigation::checked(odata_type, navigation, false, "set_reference")?;
        self.client().send(self.ref_write_request(Method::PUT, id, &nav, target_id)?).await.map(drop)
    }

    /// Unlinks the single-valued reference (`DELETE …/microsoft.graph.{type}/{navigation}/$ref`).
    ///
    /// # Errors
    /// As [`set_reference`](Self::set_reference).
    pub async fn clear_reference(&self, id: &str, odata_type: &str, navigation: &str) -> Result<()> {
        let nav = Navigation::checked(odata_type, navigation, false, "clear_reference")?;
        let url = self.nav_url(id, &nav, &["$ref"])?;
        self.client().send(ApiRequest::new(Method::DELETE, url, Repeat::Safe)).await.map(drop)
    }

    /// Adds the object `target_id` to a collection-valued reference
    /// (`POST …/microsoft.graph.{type}/{navigation}/$ref` with `{"@odata.id": bind_url}`).
    ///
    /// Repeatable, unlike a create: the service keeps a set of links, so a second add of
    /// the same target cannot make a second link. After an unknown outcome (a 504, a reset)
    /// it is sent again like a PUT; if the first attempt did link it, the service may
    /// answer the retry with an error saying the link exists.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] before sending (an unknown or single-valued reference,
    /// an empty id); [`Error::Graph`].
    pub async fn add_reference_member(
        &self,
        id: &str,
        odata_type: &str,
        navigation: &str,
        target_id: &str,
    ) -> Result<()> {
        let nav = Navigation::checked(odata_type, navigation, true, "add_reference_member")?;
        self.client().send(self.ref_write_request(Method::POST, id, &nav, target_id)?).await.map(drop)
    }

    /// Removes the object `target_id` from a collection-valued reference
    /// (`DELETE …/microsoft.graph.{type}/{navigation}/{target_id}/$ref`).
    ///
    /// # Errors
    /// As [`add_reference_member`](Self::add_reference_member).
    pub async fn remove_reference_member(
        &self,
        id: &str,
        odata_type: &str,
        navigation: &str,
        target_id: &str,
    ) -> Result<()> {
        let nav = Navigation::checked(odata_type, navigation, true, "remove_reference_member")?;
        super::device_configurations::check_id(target_id)?;
        let url = self.nav_url(id, &nav, &[target_id, "$ref"])?;
        self.client().send(ApiRequest::new(Method::DELETE, url, Repeat::Safe)).await.map(drop)
    }

    /// The OData id of a device configuration, as `@odata.id` (`$ref` writes) and
    /// `{navigation}@odata.bind` (create bodies) expect it:
    /// `<base>/deviceManagement/deviceConfigurations('<id>')`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty id.
    pub fn bind_url(&self, target_id: &str) -> Result<Url> {
        super::device_configurations::check_id(target_id)?;
        let mut url = self.client().url("deviceManagement")?;
        let key = format!("deviceConfigurations('{}')", target_id.replace('\'', "''"));
        url.path_segments_mut()
            .map_err(|()| Error::Config("the base URL cannot hold a path".into()))?
            .push(&key);
        Ok(url)
    }

    /// Refuses, before sending, a reference the schema does not have or of the other kind.
    pub(crate) fn expect_reference(&self, odata_type: &str, navigation: &str, many: bool) -> Result<()> {
        let call = if many { "reference_members_many" } else { "reference_many" };
        Navigation::checked(odata_type, navigation, many, call).map(drop)
    }

    /// The read of reference `nav` of object `id`.
    pub(crate) fn reference_request(&self, id: &str, nav: &Navigation<'_>) -> Result<ApiRequest> {
        Ok(ApiRequest::get(self.nav_url(id, nav, &[])?))
    }

    /// A `$ref` write: `PUT` (set a single one) or `POST` (add a member), both repeatable.
    pub(crate) fn ref_write_request(
        &self,
        method: Method,
        id: &str,
        nav: &Navigation<'_>,
        target_id: &str,
    ) -> Result<ApiRequest> {
        let target = self.bind_url(target_id)?;
        let body = serde_json::to_vec(&RefBody { odata_id: target.as_str() }).map_err(Error::Encode)?;
        let url = self.nav_url(id, nav, &["$ref"])?;
        Ok(ApiRequest::new(method, url, Repeat::Safe).with_json_body(body))
    }

    /// `…/{id}/microsoft.graph.{type}/{navigation}/{rest…}`.
    fn nav_url(&self, id: &str, nav: &Navigation<'_>, rest: &[&str]) -> Result<Url> {
        let cast = format!("{NAMESPACE}{}", nav.cast);
        let mut parts = vec![cast.as_str(), nav.reference.navigation];
        parts.extend_from_slice(rest);
        self.item_url(id, &parts)
    }

    /// The members of a collection at `url`, every page.
    pub(crate) fn members_from(&self, url: Url) -> ItemStream<DeviceConfiguration> {
        PageStream::new(self.client().clone(), Ok(url), &Query::new()).decoded_in_attempt().items()
    }
}

/// `object` as the reference's declared target type when the service left `@odata.type`
/// out (minimal metadata does, for an object of exactly the declared type).
pub(crate) fn with_declared_type(
    object: DeviceConfiguration,
    reference: &schema::Reference,
) -> Result<DeviceConfiguration> {
    // Checked first: the usual answer names its type, and costs nothing more.
    let DeviceConfiguration::Other(other) = &object else { return Ok(object) };
    if other.odata_type.is_some() {
        return Ok(object);
    }
    let mut json = serde_json::to_value(other).map_err(Error::Encode)?;
    if let Some(map) = json.as_object_mut() {
        map.insert("@odata.type".into(), format!("#{NAMESPACE}{}", reference.target).into());
    }
    // An object that does not fit its declared type's model stays as it was read, whole.
    Ok(serde_json::from_value(json).unwrap_or(object))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::GraphClient;

    const BASE: &str = "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations";

    fn handle() -> DeviceConfigurations {
        GraphClient::builder().bearer_token("t").build().unwrap().device_configurations()
    }

    fn body(request: &ApiRequest) -> Value {
        serde_json::from_slice(request.body.as_deref().expect("a body")).unwrap()
    }

    #[test]
    fn every_reference_of_the_schema_has_its_requests() {
        let h = handle();
        for reference in schema::REFERENCES {
            let odata_type = format!("#microsoft.graph.{}", reference.source);
            let nav = Navigation::of(&odata_type, reference.navigation).unwrap();
            let prefix = format!("{BASE}/o1/microsoft.graph.{}/{}", reference.source, reference.navigation);
            let read = h.reference_request("o1", &nav).unwrap();
            assert_eq!((read.method.clone(), read.url.as_str()), (Method::GET, prefix.as_str()));
            let method = if reference.many { Method::POST } else { Method::PUT };
            let write = h.ref_write_request(method.clone(), "o1", &nav, "t'1").unwrap();
            assert_eq!(
                (write.method.clone(), write.url.as_str()),
                (method, format!("{prefix}/$ref").as_str())
            );
            assert_eq!(
                body(&write),
                json!({"@odata.id": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('t''1')"})
            );
            assert!(read.is_repeatable() && write.is_repeatable(), "{reference:?}");
        }
    }

    #[test]
    fn the_cast_is_the_objects_own_type() {
        let h = handle();
        let nav = Navigation::of("#microsoft.graph.macOSScepCertificateProfile", "rootCertificate").unwrap();
        assert_eq!(nav.reference.target, "macOSTrustedRootCertificate");
        let read = h.reference_request("m1", &nav).unwrap();
        assert_eq!(
            read.url.as_str(),
            format!("{BASE}/m1/microsoft.graph.macOSScepCertificateProfile/rootCertificate")
        );
        // Inherited: declared on androidCertificateProfileBase, reached through the subtype.
        let nav = Navigation::of("androidScepCertificateProfile", "rootCertificate").unwrap();
        let read = h.reference_request("a1", &nav).unwrap();
        assert_eq!(
            read.url.as_str(),
            format!("{BASE}/a1/microsoft.graph.androidScepCertificateProfile/rootCertificate")
        );
    }

    #[test]
    fn unknown_references_are_refused_before_sending() {
        let err =
            Navigation::of("#microsoft.graph.iosScepCertificateProfile", "rootCertificates").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid reference: \"iosScepCertificateProfile\" has no reference \"rootCertificates\" (it has rootCertificate)"
        );
        let err =
            Navigation::of("#microsoft.graph.iosTrustedRootCertificate", "rootCertificate").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid reference: \"iosTrustedRootCertificate\" has no references to other device configurations"
        );
        let many = Navigation::of(
            "#microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration",
            "rootCertificatesForServerValidation",
        )
        .unwrap();
        let err = many.expect(false, "set_reference").unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { what: "reference", .. }));
        assert_eq!(
            err.to_string(),
            "invalid reference: androidDeviceOwnerEnterpriseWiFiConfiguration.rootCertificatesForServerValidation holds a collection: set_reference does not apply, use the `*_member` calls"
        );
        assert!(handle().bind_url("").is_err());
    }

    #[test]
    fn an_untyped_target_is_read_as_the_declared_type() {
        let nav = Navigation::of("macOSScepCertificateProfile", "rootCertificate").unwrap();
        let untyped: DeviceConfiguration = serde_json::from_value(
            json!({"id": "r1", "displayName": "Root", "trustedRootCertificate": "MIIB"}),
        )
        .unwrap();
        let typed = with_declared_type(untyped, nav.reference).unwrap();
        let DeviceConfiguration::MacOsTrustedRootCertificate(root) = typed else { panic!("{typed:?}") };
        assert_eq!(root.trusted_root_certificate.as_deref(), Some("MIIB"));
        let other: DeviceConfiguration = serde_json::from_value(
            json!({"@odata.type": "#microsoft.graph.windows81TrustedRootCertificate", "id": "w"}),
        )
        .unwrap();
        assert_eq!(with_declared_type(other.clone(), nav.reference).unwrap(), other);
    }
}
