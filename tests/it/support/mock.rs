//! Wiremock helpers: how a mock begins (`when`), a client pointed at a wiremock server,
//! exact query-string and missing-header matchers, and the fixtures of the `surface_*` tests.

use std::sync::atomic::{AtomicUsize, Ordering};

use intune_graph::GraphClient;
use serde_json::{Value, json};
use wiremock::{
    Match, Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate,
    matchers::{method, path},
};

pub const TOKEN: &str = "surface-test-token";
pub const BEARER: &str = "Bearer surface-test-token";
pub use super::fixtures::COLLECTION;
pub const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";

/// A client for `server` (base URL `<server>/beta`).
pub fn client(server: &MockServer) -> GraphClient {
    GraphClient::builder().base_url(format!("{}/beta", server.uri())).bearer_token(TOKEN).build().unwrap()
}

/// A mock of the `verb` requests to exactly `route`: how nearly every mock here begins.
pub fn when(verb: &str, route: impl Into<String>) -> MockBuilder {
    Mock::given(method(verb)).and(path(route))
}

/// A `200` answer with `body` as its JSON.
pub fn ok_json(body: impl serde::Serialize) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Mounting a mock that must match exactly one request.
pub trait MountOnce {
    /// Mounts the mock on `server`, expecting exactly one matching request (checked when
    /// the server is dropped).
    fn mount_once(self, server: &MockServer) -> impl Future<Output = ()>;
}

impl MountOnce for Mock {
    fn mount_once(self, server: &MockServer) -> impl Future<Output = ()> {
        self.expect(1).mount(server)
    }
}

/// Answers the requests a mock matches with its responses in turn, and every request after
/// the last with the last: a server that fails first and recovers.
pub struct InTurn {
    responses: Vec<ResponseTemplate>,
    answered: AtomicUsize,
}

/// [`InTurn`] over `responses` (at least one).
pub fn in_turn(responses: impl IntoIterator<Item = ResponseTemplate>) -> InTurn {
    let responses: Vec<_> = responses.into_iter().collect();
    assert!(!responses.is_empty(), "in_turn needs a response");
    InTurn { responses, answered: AtomicUsize::new(0) }
}

impl Respond for InTurn {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let turn = self.answered.fetch_add(1, Ordering::SeqCst);
        self.responses[turn.min(self.responses.len() - 1)].clone()
    }
}

/// `<collection>/<rest>` as a request path.
pub fn item(rest: &str) -> String {
    format!("{COLLECTION}/{rest}")
}

/// Matches the raw query string exactly (`None`: no query at all). Unlike
/// `query_param`, this sees the encoding (`%20` vs `+`, `$` literal).
pub struct RawQuery(pub Option<String>);

impl Match for RawQuery {
    fn matches(&self, request: &Request) -> bool {
        request.url.query() == self.0.as_deref()
    }
}

/// The query string must be exactly `query`.
pub fn query_is(query: impl Into<String>) -> RawQuery {
    RawQuery(Some(query.into()))
}

/// The request must have no query string.
pub fn no_query() -> RawQuery {
    RawQuery(None)
}

/// Matches when the request does not carry the header.
pub struct NoHeader(pub &'static str);

impl Match for NoHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// Matches when the request has no body.
pub struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// A full iOS SCEP profile as Graph returns it.
pub fn scep_json(id: &str) -> Value {
    json!({
        "@odata.type": SCEP,
        "id": id,
        "lastModifiedDateTime": "2024-05-01T10:11:12.1234567Z",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "createdDateTime": "2024-05-01T10:11:12.1234567Z",
        "description": null,
        "displayName": "iOS SCEP",
        "version": 2,
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "commonNameAsEmail",
        "subjectAlternativeNameType": "emailAddress,userPrincipalName",
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "scepServerUrls": ["https://scep.contoso.com/certsrv/mscep/mscep.dll"],
        "subjectNameFormatString": null,
        "keyUsage": "keyEncipherment,digitalSignature",
        "keySize": "size2048",
        "extendedKeyUsages": [{"@odata.type": "microsoft.graph.extendedKeyUsage", "name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
        "subjectAlternativeNameFormatString": null,
        "certificateStore": "user",
        "customSubjectAlternativeNames": []
    })
}

/// `{"value": items}` plus optional `@odata.nextLink`.
pub fn page(items: Vec<Value>, next_link: Option<String>) -> Value {
    let mut body = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations",
        "value": items
    });
    if let Some(link) = next_link {
        body["@odata.nextLink"] = Value::String(link);
    }
    body
}

/// Serves one list page of the collection, once, to a GET whose query is `query`.
pub async fn mount_page(server: &MockServer, query: RawQuery, items: Vec<Value>, next_link: Option<String>) {
    when("GET", COLLECTION)
        .and(query)
        .respond_with(ok_json(page(items, next_link)))
        .expect(1)
        .mount(server)
        .await;
}
