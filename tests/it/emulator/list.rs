//! Emulator: listing, paging, `$filter`, `$select`, `$count`, `$orderby`,
//! `$expand`.

use intune_graph::emulator::{Emulator, RunningEmulator};
use serde_json::{Value, json};

const DC: &str = "/deviceManagement/deviceConfigurations";

struct Harness {
    emu: RunningEmulator,
    http: reqwest::Client,
}

impl Harness {
    async fn with(e: Emulator) -> Self {
        Self { emu: e.start().await.expect("emulator starts"), http: reqwest::Client::new() }
    }

    /// GETs a path under /beta or an absolute URL; returns (status, text, json).
    async fn get(&self, path_or_url: &str) -> (u16, String, Value) {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.emu.base_url())
        };
        let resp = self.http.get(url).bearer_auth(self.emu.token()).send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        (status, text, body)
    }

    /// GETs `path`, which the emulator must refuse as a bad request; returns the answer.
    async fn refused(&self, path: &str) -> Value {
        let (status, text, body) = self.get(path).await;
        assert_eq!(status, 400, "{path}: {text}");
        assert_eq!(body["error"]["code"], "BadRequest", "{path}");
        body
    }

    /// Follows nextLinks; returns every page's body.
    async fn pages(&self, first: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = Some(first.to_owned());
        while let Some(url) = next {
            let (status, text, body) = self.get(&url).await;
            assert_eq!(status, 200, "{text}");
            next = body["@odata.nextLink"].as_str().map(str::to_owned);
            out.push(body);
            assert!(out.len() < 100, "paging terminates");
        }
        out
    }

    fn seed(&self, ty: &str, name: &str) -> String {
        self.emu.state().insert_raw(json!({
            "@odata.type": format!("#microsoft.graph.{ty}"),
            "displayName": name,
        }))
    }
}

fn names(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .expect("value array")
        .iter()
        .map(|v| v["displayName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn all_names(pages: &[Value]) -> Vec<String> {
    pages.iter().flat_map(names).collect()
}

#[tokio::test]
async fn pages_with_top_follow_next_links_in_creation_order() {
    let h = Harness::with(Emulator::new()).await;
    let ids: Vec<String> = (0..7).map(|i| h.seed("iosScepCertificateProfile", &format!("p{i}"))).collect();

    let pages = h.pages(&format!("{DC}?$top=3")).await;
    assert_eq!(pages.iter().map(|p| names(p).len()).collect::<Vec<_>>(), [3, 3, 1]);
    let got: Vec<String> = pages
        .iter()
        .flat_map(|p| p["value"].as_array().cloned().unwrap_or_default())
        .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(got, ids);

    let first = &pages[0];
    let ctx = first["@odata.context"].as_str().expect("context");
    assert_eq!(ctx, format!("{}beta/$metadata#deviceManagement/deviceConfigurations", h.emu.origin()));
    let next = first["@odata.nextLink"].as_str().expect("nextLink");
    assert!(next.starts_with(&format!("{}beta{DC}?", h.emu.origin())), "{next}");
    assert!(next.contains("$top=3") && next.contains("$skiptoken="), "{next}");
    assert!(pages[2].get("@odata.nextLink").is_none());
    assert!(first.get("@odata.count").is_none());

    // nextLink precedes value, and each item starts with @odata.type.
    let (_, text, _) = h.get(&format!("{DC}?$top=3")).await;
    let link_at = text.find("\"@odata.nextLink\"").expect("link");
    let value_at = text.find("\"value\":[").expect("value");
    assert!(link_at < value_at);
    assert_eq!(text.matches("{\"@odata.type\":").count(), 3, "{text}");
}

#[tokio::test]
async fn default_and_configured_page_sizes() {
    let h = Harness::with(Emulator::new()).await;
    for i in 0..30 {
        h.seed("iosScepCertificateProfile", &format!("p{i:02}"));
    }
    let pages = h.pages(DC).await;
    assert_eq!(pages.iter().map(|p| names(p).len()).collect::<Vec<_>>(), [25, 5]);

    let h = Harness::with(Emulator::new().page_size(4)).await;
    for i in 0..9 {
        h.seed("iosScepCertificateProfile", &format!("p{i}"));
    }
    let pages = h.pages(DC).await;
    assert_eq!(pages.iter().map(|p| names(p).len()).collect::<Vec<_>>(), [4, 4, 1]);
    let (status, _, body) = h.get(DC).await;
    assert_eq!(status, 200);
    assert!(body["@odata.nextLink"].is_string());

    let empty = Harness::with(Emulator::new()).await;
    let (status, text, body) = empty.get(DC).await;
    assert_eq!(status, 200);
    assert_eq!(body["value"], json!([]), "{text}");
    assert!(body.get("@odata.nextLink").is_none());
}

#[tokio::test]
async fn filters() {
    let h = Harness::with(Emulator::new()).await;
    h.seed("iosScepCertificateProfile", "Corp SCEP");
    h.seed("iosTrustedRootCertificate", "Corp Root");
    h.seed("iosPkcsCertificateProfile", "Corp PKCS");
    h.seed("windows10GeneralConfiguration", "Win general");
    h.seed("iosScepCertificateProfile", "Lab SCEP");

    let cases: &[(&str, &[&str])] = &[
        ("isof('microsoft.graph.iosScepCertificateProfile')", &["Corp SCEP", "Lab SCEP"]),
        ("isof(%27%23microsoft.graph.iosScepCertificateProfile%27)", &["Corp SCEP", "Lab SCEP"]),
        ("isof(microsoft.graph.iosScepCertificateProfile)", &["Corp SCEP", "Lab SCEP"]),
        ("isof('microsoft.graph.iosCertificateProfileBase')", &["Corp SCEP", "Corp PKCS", "Lab SCEP"]),
        ("displayName eq 'Corp Root'", &["Corp Root"]),
        ("startswith(displayName,'Corp')", &["Corp SCEP", "Corp Root", "Corp PKCS"]),
        (
            "isof('microsoft.graph.iosScepCertificateProfile') and startswith(displayName, 'lab')",
            &["Lab SCEP"],
        ),
        ("displayName eq 'nothing'", &[]),
    ];
    for (filter, expected) in cases {
        let (status, text, body) = h.get(&format!("{DC}?$filter={filter}")).await;
        assert_eq!(status, 200, "{filter}: {text}");
        assert_eq!(names(&body), *expected, "{filter}");
    }

    for filter in [
        "substringof('a',displayName)",
        "displayName in ('a','b')",
        "displayName eq",
        "isof('iosScepCertificateProfile')",
    ] {
        let body = h.refused(&format!("{DC}?$filter={filter}")).await;
        let inner: Value =
            serde_json::from_str(body["error"]["message"].as_str().expect("msg")).expect("intune message");
        let phrase = inner["CustomApiErrorPhrase"].as_str().expect("phrase");
        assert!(phrase.contains("$filter"), "{phrase}");
    }
}

#[tokio::test]
async fn next_link_preserves_an_encoded_filter() {
    let h = Harness::with(Emulator::new()).await;
    for i in 0..5 {
        h.seed("iosScepCertificateProfile", &format!("R&D 'lab' #{i}"));
    }
    h.seed("iosScepCertificateProfile", "other");
    let filter = "startswith(displayName,'R%26D ''lab'' %23')";
    let pages = h.pages(&format!("{DC}?$filter={filter}&$top=2&$count=true")).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(all_names(&pages).len(), 5);
    for p in &pages {
        assert_eq!(p["@odata.count"], 5);
    }
    let link = pages[0]["@odata.nextLink"].as_str().expect("link");
    let url = url::Url::parse(link).expect("absolute URL");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("$filter".to_owned(), "startswith(displayName,'R&D ''lab'' #')".to_owned())));
    assert!(pairs.contains(&("$top".to_owned(), "2".to_owned())));
    assert_eq!(pairs.iter().filter(|(k, _)| k == "$skiptoken").count(), 1);
}

#[tokio::test]
async fn select_count_orderby_and_expand() {
    let h = Harness::with(Emulator::new()).await;
    for name in ["bravo", "Alpha", "delta", "charlie"] {
        h.seed("iosScepCertificateProfile", name);
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }

    let (_, _, body) = h.get(&format!("{DC}?$select=displayName&$top=2")).await;
    assert!(
        body["@odata.context"].as_str().is_some_and(|c| c.ends_with("deviceConfigurations(displayName)"))
    );
    for item in body["value"].as_array().expect("value") {
        let mut keys: Vec<&String> = item.as_object().expect("obj").keys().collect();
        keys.sort();
        assert_eq!(keys, ["@odata.type", "displayName", "id"]);
    }
    let next = body["@odata.nextLink"].as_str().expect("next");
    assert!(next.contains("$select=displayName"));

    let (_, _, body) = h.get(&format!("{DC}?$count=true&$top=1")).await;
    assert_eq!(body["@odata.count"], 4);
    let (_, _, body) = h.get(&format!("{DC}?$count=true&$filter=startswith(displayName,'d')")).await;
    assert_eq!(body["@odata.count"], 1);

    let pages = h.pages(&format!("{DC}?$orderby=displayName&$top=3")).await;
    assert_eq!(all_names(&pages), ["Alpha", "bravo", "charlie", "delta"]);
    let pages = h.pages(&format!("{DC}?$orderby=displayName%20desc&$top=3")).await;
    assert_eq!(all_names(&pages), ["delta", "charlie", "bravo", "Alpha"]);
    let pages = h.pages(&format!("{DC}?$orderby=createdDateTime desc")).await;
    assert_eq!(all_names(&pages), ["charlie", "delta", "Alpha", "bravo"]);
    let pages = h.pages(&format!("{DC}?$orderby=createdDateTime asc&$top=1")).await;
    assert_eq!(all_names(&pages), ["bravo", "Alpha", "delta", "charlie"]);

    let id = h.emu.state().objects()[0]["id"].as_str().expect("id").to_owned();
    let r = h
        .http
        .post(format!("{}{DC}/{id}/assign", h.emu.base_url()))
        .bearer_auth(h.emu.token())
        .body(
            json!({"assignments": [{"target": {
                "@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]})
            .to_string(),
        )
        .send()
        .await
        .expect("assign");
    assert_eq!(r.status(), 200);
    let (_, _, body) = h.get(&format!("{DC}?$expand=assignments&$top=2")).await;
    assert_eq!(body["value"][0]["assignments"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["value"][1]["assignments"], json!([]));
    let (_, _, body) = h.get(&format!("{DC}/{id}?$expand=assignments")).await;
    assert_eq!(
        body["assignments"][0]["target"]["@odata.type"],
        "#microsoft.graph.allDevicesAssignmentTarget"
    );
    let (_, _, body) = h.get(&format!("{DC}/{id}")).await;
    assert!(body.get("assignments").is_none());
}

#[tokio::test]
async fn invalid_query_options_are_400() {
    let h = Harness::with(Emulator::new()).await;
    for q in [
        "$top=0",
        "$top=1000",
        "$top=-1",
        "$top=ten",
        "$count=maybe",
        "$orderby=displayName sideways",
        "$expand=deviceStatuses",
        "$skip=2",
        "$search=x",
        "$unknown=1",
        "$skiptoken=garbage",
    ] {
        h.refused(&format!("{DC}?{q}")).await;
    }
    let (status, _, _) = h.get(&format!("{DC}?$top=999&unrelated=1")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn creation_order_paging_is_stable_under_deletes() {
    let h = Harness::with(Emulator::new()).await;
    let ids: Vec<String> = (0..6).map(|i| h.seed("iosScepCertificateProfile", &format!("p{i}"))).collect();
    let (_, _, first) = h.get(&format!("{DC}?$top=2")).await;
    assert_eq!(names(&first), ["p0", "p1"]);
    // Delete an object already served and one not yet served.
    h.emu.state().remove(&ids[0]);
    h.emu.state().remove(&ids[3]);
    h.seed("iosScepCertificateProfile", "p6");
    let rest = h.pages(first["@odata.nextLink"].as_str().expect("next")).await;
    assert_eq!(all_names(&rest), ["p2", "p4", "p5", "p6"]);
}
