//! Listing and paging: one page with `@odata.count`, a stream across several pages with
//! headers on every page, the loop detector, the page cap, a foreign nextLink, resuming,
//! a stream over thousands of pages whose memory stays one page, and a polymorphic page
//! with unmodelled types written back unchanged.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::mock::*;
use futures_util::StreamExt;
use intune_graph::{Error, models::DeviceConfiguration, odata::Query};
use serde::{Deserialize, Deserializer, de::IgnoredAny};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate,
    matchers::{header, method},
};

fn other(id: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": id, "displayName": id})
}

fn link(server: &MockServer, query: &str) -> String {
    format!("{}{COLLECTION}?{query}", server.uri())
}

#[tokio::test]
async fn list_reads_one_page_with_its_count_and_next_link() {
    let server = MockServer::start().await;
    let next = link(&server, "$count=true&$top=2&$skiptoken=a%2Bb");
    let mut body = page(vec![scep_json("1"), other("2")], Some(next.clone()));
    body["@odata.count"] = json!(5);
    when("GET", COLLECTION)
        .and(query_is("$top=2&$count=true"))
        .and(header("authorization", BEARER))
        .respond_with(ok_json(body))
        .mount_once(&server)
        .await;
    mount_page(&server, query_is("$count=true&$top=2&$skiptoken=a%2Bb"), vec![other("3")], None).await;
    let configs = client(&server).device_configurations();
    let query = Query::new().top(2).count(true);
    let first = configs.list(&query).await.unwrap();
    assert_eq!(first.count, Some(5));
    assert_eq!(first.len(), 2);
    assert_eq!(first.next_link.as_ref().map(|u| u.as_str()), Some(next.as_str()));
    let second = configs.next_page(&first, &query).await.unwrap().unwrap();
    assert_eq!(second.items[0].id(), Some("3"));
    assert!(second.is_last());
    assert!(configs.next_page(&second, &query).await.unwrap().is_none());
}

#[tokio::test]
async fn the_stream_follows_next_links_verbatim_with_headers_on_every_page() {
    let server = MockServer::start().await;
    let filter = "$filter=isof(%27microsoft.graph.iosScepCertificateProfile%27)&$top=2";
    let pages = [
        (filter.to_owned(), vec![scep_json("1"), scep_json("2")]),
        (format!("{filter}&$skiptoken=P2"), vec![scep_json("3"), scep_json("4")]),
        (format!("{filter}&$skiptoken=P3"), vec![scep_json("5")]),
    ];
    for (i, (query, items)) in pages.iter().enumerate() {
        let next = pages.get(i + 1).map(|(q, _)| link(&server, q));
        when("GET", COLLECTION)
            .and(query_is(query.clone()))
            .and(header("authorization", BEARER))
            .and(header("consistencylevel", "eventual"))
            .respond_with(ok_json(page(items.clone(), next)))
            .mount_once(&server)
            .await;
    }
    let query = Query::new().of_type(SCEP).top(2).consistency_level_eventual();
    let mut stream = client(&server).device_configurations().list_all(&query);
    let mut ids = Vec::new();
    while let Some(config) = stream.next().await {
        let config = config.unwrap();
        assert!(matches!(config, DeviceConfiguration::IosScepCertificate(_)));
        ids.push(config.id().unwrap().to_owned());
    }
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    assert_eq!(stream.pages().pages_read(), 3);
    assert!(stream.pages().next_link().is_none());
    assert!(stream.next().await.is_none(), "fused");
}

#[tokio::test]
async fn headers_can_be_limited_to_the_first_request() {
    let server = MockServer::start().await;
    when("GET", COLLECTION)
        .and(no_query())
        .and(header("consistencylevel", "eventual"))
        .respond_with(ok_json(page(vec![other("1")], Some(link(&server, "p=2")))))
        .mount_once(&server)
        .await;
    when("GET", COLLECTION)
        .and(query_is("p=2"))
        .and(NoHeader("consistencylevel"))
        .and(header("authorization", BEARER))
        .respond_with(ok_json(page(vec![other("2")], None)))
        .mount_once(&server)
        .await;
    let query = Query::new().consistency_level_eventual().carry_headers(false);
    let pages: Vec<_> = client(&server).device_configurations().pages(&query).collect().await;
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(Result::is_ok));
}

#[tokio::test]
async fn a_repeated_next_link_stops_the_stream() {
    let server = MockServer::start().await;
    // Page 1 → page 2 → page 1 again: a loop of two.
    mount_page(&server, no_query(), vec![other("1")], Some(link(&server, "t=2"))).await;
    mount_page(&server, query_is("t=2"), vec![other("2")], Some(format!("{}{COLLECTION}", server.uri())))
        .await;
    let mut stream = client(&server).device_configurations().pages(&Query::new());
    assert_eq!(stream.next().await.unwrap().unwrap().items[0].id(), Some("1"));
    assert_eq!(stream.next().await.unwrap().unwrap().items[0].id(), Some("2"));
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(&err, Error::Paging(m) if m.contains("repeats")), "{err:?}");
    assert_eq!(stream.next_link().map(|u| u.path()), Some(COLLECTION));
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn a_page_linking_to_itself_stops_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, query_is("x=1"), vec![other("1")], Some(link(&server, "x=1"))).await;
    let client = client(&server);
    let items: Vec<_> = client.list_items::<Value>(&link(&server, "x=1"), &Query::new()).collect().await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(Error::Paging(_))));
}

/// Page N of an endless (or `pages`-long) listing, generated from `$skiptoken=N`.
struct Generator {
    base: String,
    pages: usize,
    per_page: usize,
}

impl Respond for Generator {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n: usize = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "$skiptoken")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap_or(0);
        let mut body = String::with_capacity(self.per_page * 120 + 200);
        body.push_str(r#"{"@odata.context":"x","value":["#);
        for i in 0..self.per_page {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&format!(
                r##"{{"@odata.type":"#microsoft.graph.windows10GeneralConfiguration","id":"{n}-{i}","displayName":"Config {n}-{i}","passwordRequired":true,"roleScopeTagIds":["0"]}}"##
            ));
        }
        body.push(']');
        if n + 1 < self.pages {
            body.push_str(&format!(
                r#","@odata.nextLink":"{}{COLLECTION}?$top=50&$skiptoken={}""#,
                self.base,
                n + 1
            ));
        }
        body.push('}');
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

#[tokio::test]
async fn the_page_cap_stops_an_endless_listing() {
    let server = MockServer::start().await;
    when("GET", COLLECTION)
        .respond_with(Generator { base: server.uri(), pages: usize::MAX, per_page: 2 })
        .expect(3)
        .mount(&server)
        .await;
    let query = Query::new().top(50).max_pages(3);
    let results: Vec<_> = client(&server).device_configurations().list_all(&query).collect().await;
    assert_eq!(results.len(), 7);
    assert!(results[..6].iter().all(Result::is_ok));
    assert!(matches!(&results[6], Err(Error::Paging(m)) if m.contains("max_pages")), "{:?}", results[6]);
}

#[tokio::test]
async fn a_foreign_next_link_is_never_followed() {
    let server = MockServer::start().await;
    let foreign = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&foreign).await;
    when("GET", COLLECTION)
        .respond_with(ok_json(page(
            vec![other("1")],
            Some(format!("{}{COLLECTION}?$skiptoken=2", foreign.uri())),
        )))
        .mount_once(&server)
        .await;
    let results: Vec<_> = client(&server).device_configurations().list_all(&Query::new()).collect().await;
    assert_eq!(results.len(), 2);
    assert!(matches!(results[1], Err(Error::Origin(_))), "{:?}", results[1]);
}

#[tokio::test]
async fn a_failed_page_can_be_resumed_from_its_link() {
    let server = MockServer::start().await;
    mount_page(&server, no_query(), vec![other("1")], Some(link(&server, "s=2"))).await;
    when("GET", COLLECTION)
        .and(query_is("s=2"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": {"code": "BadRequest", "message": "once"}})),
        )
        .up_to_n_times(1)
        .mount_once(&server)
        .await;
    mount_page(&server, query_is("s=2"), vec![other("2")], None).await;
    let configs = client(&server).device_configurations();
    let mut stream = configs.list_all(&Query::new());
    assert_eq!(stream.next().await.unwrap().unwrap().id(), Some("1"));
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let failed = stream.pages().next_link().cloned().unwrap();
    assert!(stream.next().await.is_none());
    let rest: Vec<_> = configs.resume_pages(failed, &Query::new()).items().collect().await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].as_ref().unwrap().id(), Some("2"));
}

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static DECODED: AtomicUsize = AtomicUsize::new(0);

/// An item that counts how many of its kind are alive.
struct Counted;

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer)?;
        let live = LIVE.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(live, Ordering::SeqCst);
        DECODED.fetch_add(1, Ordering::SeqCst);
        Ok(Counted)
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn memory_stays_one_page_over_two_thousand_pages() {
    const PAGES: usize = 2_000;
    const PER_PAGE: usize = 50;
    let server = MockServer::builder().disable_request_recording().start().await;
    when("GET", COLLECTION)
        .and(header("authorization", BEARER))
        .respond_with(Generator { base: server.uri(), pages: PAGES, per_page: PER_PAGE })
        .expect(PAGES as u64)
        .mount(&server)
        .await;
    let client = client(&server);

    // Every item, consumed one by one: never more than one page of items alive at once.
    let mut items =
        client.list_items::<Counted>("deviceManagement/deviceConfigurations", &Query::new().top(50));
    let mut seen = 0;
    while let Some(item) = items.next().await {
        let item = item.unwrap();
        seen += 1;
        assert!(items.page_remaining() < PER_PAGE, "the stream holds at most the rest of one page");
        assert!(LIVE.load(Ordering::SeqCst) <= PER_PAGE);
        drop(item);
    }
    assert_eq!(seen, PAGES * PER_PAGE);
    assert_eq!(DECODED.load(Ordering::SeqCst), PAGES * PER_PAGE);
    assert_eq!(items.pages().pages_read(), PAGES);
    assert_eq!(PEAK.load(Ordering::SeqCst), PER_PAGE, "peak live items = one page, whatever the total");
    assert_eq!(LIVE.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_typed_stream_holds_one_page_over_many_pages() {
    const PAGES: usize = 300;
    let server = MockServer::builder().disable_request_recording().start().await;
    when("GET", COLLECTION)
        .respond_with(Generator { base: server.uri(), pages: PAGES, per_page: 50 })
        .expect(PAGES as u64)
        .mount(&server)
        .await;
    let mut stream = client(&server).device_configurations().list_all(&Query::new().top(50));
    let mut count = 0;
    while let Some(config) = stream.next().await {
        let config = config.unwrap();
        assert!(matches!(config, DeviceConfiguration::Other(_)));
        assert!(stream.page_remaining() < 50);
        count += 1;
    }
    assert_eq!(count, PAGES * 50);
}

#[tokio::test]
async fn a_polymorphic_page_with_unmodelled_types_writes_back_unchanged() {
    let server = MockServer::start().await;
    let items = vec![
        scep_json("scep"),
        json!({
            "@odata.type": "#microsoft.graph.iosPkcsCertificateProfile", "id": "pkcs", "displayName": "PKCS",
            "certificationAuthority": "ca.contoso.com", "certificationAuthorityName": "Contoso CA",
            "certificateTemplateName": "User", "subjectNameFormat": "commonNameAsIMEI",
            "customSubjectAlternativeNames": [{"sanType": "userPrincipalName,customFuture", "name": "x"}]
        }),
        json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": "root", "displayName": "Root",
            "certFileName": "root.cer", "trustedRootCertificate": "MIIB"
        }),
        json!({
            "@odata.type": "#microsoft.graph.iosImportedPFXCertificateProfile", "id": "pfx", "displayName": "PFX",
            "intendedPurpose": "somethingNew"
        }),
        json!({
            "@odata.type": "#microsoft.graph.macOSScepCertificateProfile", "id": "mac", "displayName": "mac",
            "hashAlgorithm": "sha1,sha2", "deploymentChannel": "userChannel", "allowAllAppsAccess": false,
            "keyUsage": "digitalSignature", "rootCertificate@odata.navigationLink": "https://graph.microsoft.com/beta/x"
        }),
        json!({
            "@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": "win", "displayName": "win",
            "passwordRequired": true, "defenderScanMaxCpu": null, "privacyAccessControls": [],
            "edgeHomeButtonConfiguration": {"@odata.type": "#microsoft.graph.edgeHomeButtonHidden"},
            "deviceManagementApplicabilityRuleOsVersion": {"minOSVersion": "10.0", "maxOSVersion": null, "name": "n", "ruleType": "include"}
        }),
        json!({
            "id": "late-type", "displayName": "type after other keys",
            "@odata.type": "#microsoft.graph.androidWorkProfileScepCertificateProfile",
            "subjectNameFormat": "commonNameAsAadDeviceId"
        }),
        json!({
            "@odata.type": "#microsoft.graph.someTypeFromTheFuture", "id": "future", "displayName": "future",
            "version": 7, "nested": {"deep": [1, 2.5, "three", null, {"x": true}]}
        }),
    ];
    when("GET", COLLECTION).respond_with(ok_json(page(items.clone(), None))).mount_once(&server).await;
    let page = client(&server).device_configurations().list(&Query::new()).await.unwrap();
    assert_eq!(page.len(), items.len());
    let kinds: Vec<&str> = page
        .items
        .iter()
        .map(|c| match c {
            DeviceConfiguration::IosScepCertificate(_) => "scep",
            DeviceConfiguration::IosPkcsCertificate(_) => "pkcs",
            DeviceConfiguration::IosTrustedRootCertificate(_) => "root",
            DeviceConfiguration::IosImportedPfxCertificate(_) => "pfx",
            DeviceConfiguration::MacOsScepCertificate(_) => "macOS scep",
            DeviceConfiguration::Other(_) => "other",
            _ => "new variant",
        })
        .collect();
    assert_eq!(kinds, ["scep", "pkcs", "root", "pfx", "macOS scep", "other", "other", "other"]);
    for (config, original) in page.items.iter().zip(&items) {
        assert_eq!(&serde_json::to_value(config).unwrap(), original, "{}", config.odata_type());
    }
    assert_eq!(page.items[7].odata_type(), "#microsoft.graph.someTypeFromTheFuture");
    assert_eq!(page.items[6].display_name(), Some("type after other keys"));
}
