//! Emulator: create, get, update, delete, headers, errors, auth, routing.

use super::harness::{DC, Harness, Resp};
use intune_graph::emulator::Emulator;
use reqwest::Method;
use serde_json::{Value, json};

fn scep(name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "displayName": name,
        "description": "desc",
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "commonNameAsEmail",
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "scepServerUrls": ["https://scep.example.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "keyEncipherment,digitalSignature",
        "keySize": "size4096",
        "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
    })
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

fn is_graph_timestamp(s: &str) -> bool {
    // 2026-11-26T13:00:00.1234567Z
    s.len() == 28
        && s.ends_with('Z')
        && s.as_bytes()[19] == b'.'
        && s[20..27].bytes().all(|b| b.is_ascii_digit())
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn header<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The Intune JSON-in-a-string `message`, decoded.
fn intune_message(r: &Resp) -> Value {
    let msg = r.body["error"]["message"].as_str().expect("message string");
    serde_json::from_str(msg).expect("message is a JSON document")
}

fn assert_graph_error(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.body["error"]["code"], code, "{}", r.text);
    let inner = &r.body["error"]["innerError"];
    let date = inner["date"].as_str().expect("date");
    assert_eq!(date.len(), 19, "date has no offset: {date}");
    assert!(chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S").is_ok());
    assert_eq!(inner["request-id"], header(r, "request-id"));
    assert_eq!(inner["client-request-id"], header(r, "client-request-id"));
    assert!(header(r, "content-type").starts_with("application/json"), "{:?}", r.headers);
}

#[tokio::test]
async fn create_returns_201_with_server_owned_fields() {
    let h = Harness::start().await;
    let mut body = scep("Corp SCEP");
    body["@odata.type"] = json!("microsoft.graph.iosScepCertificateProfile");
    body["id"] = json!("client-chosen");
    body["createdDateTime"] = json!("2000-01-01T00:00:00Z");
    body["supportsScopeTags"] = json!(false);
    let req = h
        .http
        .post(h.url(DC))
        .bearer_auth(h.emu.token())
        .header("client-request-id", "5d6a0b67-0000-4000-8000-000000000001")
        .header("content-type", "application/json")
        .body(body.to_string());
    let r = h.raw(req).await;
    assert_eq!(r.status, 201, "{}", r.text);

    // Headers.
    assert!(header(&r, "content-type").starts_with("application/json"));
    assert!(is_uuid(header(&r, "request-id")));
    assert_eq!(header(&r, "client-request-id"), "5d6a0b67-0000-4000-8000-000000000001");
    assert!(!header(&r, "date").is_empty());

    // Key order: @odata.context, then @odata.type before everything else.
    let prefix = format!(
        "{{\"@odata.context\":\"{}beta/$metadata#deviceManagement/deviceConfigurations/$entity\",\
         \"@odata.type\":\"#microsoft.graph.iosScepCertificateProfile\",\"id\":\"",
        h.emu.origin()
    );
    assert!(r.text.starts_with(&prefix), "{}", r.text);

    let b = &r.body;
    let id = b["id"].as_str().expect("id");
    assert!(is_uuid(id) && id != "client-chosen");
    assert!(is_graph_timestamp(b["createdDateTime"].as_str().expect("created")));
    assert_eq!(b["createdDateTime"], b["lastModifiedDateTime"]);
    assert_eq!(b["supportsScopeTags"], true);
    assert_eq!(b["version"], 1);
    assert_eq!(b["roleScopeTagIds"], json!(["0"]));
    assert_eq!(b["keyUsage"], "keyEncipherment,digitalSignature");
    assert_eq!(b["extendedKeyUsages"][0]["objectIdentifier"], "1.3.6.1.5.5.7.3.2");

    let stored = h.emu.state().get(id).expect("stored");
    assert_eq!(stored["displayName"], "Corp SCEP");
    assert_eq!(h.emu.state().len(), 1);
    assert!(!h.emu.state().is_empty());
}

#[tokio::test]
async fn create_keeps_writable_version_and_scope_tags() {
    let h = Harness::start().await;
    let mut body = scep("v");
    body["version"] = json!(7);
    body["roleScopeTagIds"] = json!(["3", "4"]);
    body["someFutureProperty"] = json!({"kept": true});
    let b = h.created(body).await;
    assert_eq!(b["version"], 7);
    assert_eq!(b["roleScopeTagIds"], json!(["3", "4"]));
    assert_eq!(b["someFutureProperty"]["kept"], true);
}

#[tokio::test]
async fn get_returns_bare_entity_select_and_key_forms() {
    let h = Harness::start().await;
    let id = h.created(scep("one")).await["id"].as_str().expect("id").to_owned();

    let r = h.call(Method::GET, &format!("{DC}/{id}"), None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.get("value").is_none());
    assert_eq!(r.body["displayName"], "one");
    assert!(r.text.starts_with("{\"@odata.context\":"), "{}", r.text);
    assert!(
        r.text.contains("$entity\",\"@odata.type\":\"#microsoft.graph.iosScepCertificateProfile\""),
        "{}",
        r.text
    );

    let r = h.call(Method::GET, &format!("{DC}('{id}')?$select=displayName,keySize"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut keys: Vec<&str> = r.body.as_object().expect("object").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["@odata.context", "@odata.type", "displayName", "id", "keySize"]);
    assert!(
        r.body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("deviceConfigurations(displayName,keySize)/$entity"))
    );

    // Ids compare case-insensitively, like Graph's GUID keys.
    let r = h.call(Method::GET, &format!("{DC}/{}", id.to_uppercase()), None).await;
    assert_eq!(r.status, 200);

    let r = h.call(Method::GET, &format!("{DC}/{id}?$top=1"), None).await;
    assert_graph_error(&r, 400, "BadRequest");
}

#[tokio::test]
async fn missing_object_is_404_with_intune_message() {
    let h = Harness::start().await;
    let req = h
        .http
        .get(h.url(&format!("{DC}/00000000-0000-0000-0000-00000000dead")))
        .bearer_auth(h.emu.token())
        .header("client-request-id", "abc-123");
    let r = h.raw(req).await;
    assert_graph_error(&r, 404, "ResourceNotFound");
    assert_eq!(header(&r, "client-request-id"), "abc-123");
    let m = intune_message(&r);
    assert_eq!(m["_version"], 3);
    let text = m["Message"].as_str().expect("Message");
    assert!(text.contains("Operation ID (for customer support): 00000000-0000-0000-0000-000000000000"));
    assert!(text.contains("Activity ID: abc-123"));
    assert!(text.contains("Url: http://127.0.0.1:"));
    assert!(m["CustomApiErrorPhrase"].is_string());
    assert!(m["RetryAfter"].is_null());
    assert_eq!(m["ErrorSourceService"], "");
    assert_eq!(m["HttpHeaders"], "{}");
}

#[tokio::test]
async fn patch_merges_bumps_version_and_returns_204() {
    let h = Harness::start().await;
    let created = h.created(scep("before")).await;
    let id = created["id"].as_str().expect("id");
    let path = format!("{DC}/{id}");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    let r = h
        .call(
            Method::PATCH,
            &path,
            Some(json!({
                "@odata.type": "microsoft.graph.iosScepCertificateProfile",
                "displayName": "after",
                "description": null,
                "id": "ignored",
                "supportsScopeTags": false,
                "createdDateTime": "2000-01-01T00:00:00Z",
                "version": 99,
            })),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty());

    let got = h.call(Method::GET, &path, None).await.body;
    assert_eq!(got["displayName"], "after");
    assert!(got["description"].is_null() && got.get("description").is_some());
    assert_eq!(got["keySize"], "size4096", "absent keys are untouched");
    assert_eq!(got["id"], id);
    assert_eq!(got["version"], 2);
    assert_eq!(got["supportsScopeTags"], true);
    assert_eq!(got["createdDateTime"], created["createdDateTime"]);
    let before = created["lastModifiedDateTime"].as_str().expect("lm");
    let after = got["lastModifiedDateTime"].as_str().expect("lm");
    assert!(is_graph_timestamp(after));
    assert!(after > before, "{after} > {before}");

    let r = h.call(Method::PATCH, &path, Some(json!({}))).await;
    assert_eq!(r.status, 204);
    assert_eq!(h.emu.state().get(id).expect("stored")["version"], 3);

    // Type mismatch, blank name, not-an-object, missing object.
    let r = h
        .call(
            Method::PATCH,
            &path,
            Some(json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate"})),
        )
        .await;
    assert_graph_error(&r, 400, "BadRequest");
    let r = h.call(Method::PATCH, &path, Some(json!({"displayName": ""}))).await;
    assert_graph_error(&r, 400, "BadRequest");
    let r = h.call(Method::PATCH, &path, Some(json!({"displayName": null}))).await;
    assert_graph_error(&r, 400, "BadRequest");
    let r = h.call(Method::PATCH, &path, Some(json!([1]))).await;
    assert_graph_error(&r, 400, "BadRequest");
    let r = h.call(Method::PATCH, &format!("{DC}/nope"), Some(json!({}))).await;
    assert_graph_error(&r, 404, "ResourceNotFound");
    assert_eq!(h.emu.state().get(id).expect("stored")["version"], 3);
}

#[tokio::test]
async fn delete_returns_204_then_404() {
    let h = Harness::start().await;
    let id = h.created(scep("gone")).await["id"].as_str().expect("id").to_owned();
    let path = format!("{DC}/{id}");
    let r = h.call(Method::DELETE, &path, None).await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    assert!(h.emu.state().is_empty());
    assert_graph_error(&h.call(Method::GET, &path, None).await, 404, "ResourceNotFound");
    assert_graph_error(&h.call(Method::DELETE, &path, None).await, 404, "ResourceNotFound");
}

#[tokio::test]
async fn create_validation_errors_are_400() {
    let h = Harness::start().await;
    let bad_bodies = [
        json!({"displayName": "no type"}),
        json!({"@odata.type": 5, "displayName": "x"}),
        json!({"@odata.type": "iosScepCertificateProfile", "displayName": "x"}),
        json!({"@odata.type": "#microsoft.graph.deviceConfiguration", "displayName": "abstract"}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile"}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": ""}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": 3}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x", "version": "1"}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x", "roleScopeTagIds": [1]}),
        json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": "root"}),
        json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": "root", "trustedRootCertificate": "not base64!"}),
        json!(["array"]),
        json!("string"),
    ];
    for body in bad_bodies {
        let r = h.call(Method::POST, DC, Some(body.clone())).await;
        assert_graph_error(&r, 400, "BadRequest");
        let phrase = intune_message(&r)["CustomApiErrorPhrase"].as_str().unwrap_or_default().to_owned();
        assert!(!phrase.is_empty(), "{body}: explains the error");
    }
    // Malformed and empty JSON.
    for raw in ["{\"@odata.type\": ", "", "{]", "\u{0}"] {
        let req = h
            .http
            .post(h.url(DC))
            .bearer_auth(h.emu.token())
            .header("content-type", "application/json")
            .body(raw);
        assert_graph_error(&h.raw(req).await, 400, "BadRequest");
    }
    assert!(h.emu.state().is_empty());

    let root = h
        .created(json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "displayName": "root",
            "certFileName": "root.cer",
            "trustedRootCertificate": "TUlJQ2R6Q0NBZUNnQXdJQkFnSUpBTkZ3",
        }))
        .await;
    assert_eq!(root["@odata.type"], "#microsoft.graph.iosTrustedRootCertificate");
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let h = Harness::with(Emulator::new().token("my-token")).await;
    assert_eq!(h.emu.token(), "my-token");
    let cases = [
        (None, "Access token is empty."),
        (Some("Bearer emulator-token"), "Access token validation failure."),
        (Some("Bearer "), "Access token is empty."),
        (Some("Basic bXk6dG9rZW4="), "Access token is empty."),
    ];
    for (auth, message) in cases {
        let mut req = h.http.get(h.url(DC));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = h.raw(req).await;
        assert_graph_error(&r, 401, "InvalidAuthenticationToken");
        assert_eq!(r.body["error"]["message"], message);
        assert!(header(&r, "www-authenticate").starts_with("Bearer"));
    }
    let ok = h.raw(h.http.get(h.url(DC)).header("authorization", "bearer my-token")).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn unknown_routes() {
    let h = Harness::start().await;
    let id = h.created(scep("x")).await["id"].as_str().expect("id").to_owned();

    let r = h.call(Method::GET, "/users", None).await;
    assert_graph_error(&r, 400, "BadRequest");
    assert_eq!(r.body["error"]["message"], "Resource not found for the segment 'users'.");
    let r = h.call(Method::GET, "/deviceManagement/managedDevices", None).await;
    assert_graph_error(&r, 400, "BadRequest");

    for (method, path) in [
        (Method::PUT, format!("{DC}/{id}")),
        (Method::GET, format!("{DC}/{id}/bogus")),
        (Method::DELETE, DC.to_owned()),
        (Method::GET, format!("{DC}/{id}/assign")),
        (Method::POST, format!("{DC}/{id}/microsoft.graph.iosScepCertificateProfile/rootCertificate")),
    ] {
        let r = h.call(method, &path, None).await;
        assert_graph_error(&r, 400, "No method match route template");
        assert!(intune_message(&r)["Message"].is_string());
    }

    // Outside /beta: 404 (still with the Graph shape and ids).
    let r = h.raw(h.http.get(format!("{}v1.0/me", h.emu.origin()))).await;
    assert_graph_error(&r, 404, "ResourceNotFound");
}

#[tokio::test]
async fn seeded_objects_are_served_with_odata_type_first() {
    let h = Harness::start().await;
    let id = h.emu.state().insert_raw(json!({
        "zzz": 1,
        "aaa": 2,
        "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
        "displayName": "seeded",
    }));
    assert!(is_uuid(&id));
    let stored = h.emu.state().get(&id).expect("stored");
    assert!(is_graph_timestamp(stored["createdDateTime"].as_str().expect("ts")));

    let r = h.call(Method::GET, &format!("{DC}/{id}"), None).await;
    let after_context = r.text.split_once("$entity\",").map(|(_, rest)| rest);
    assert!(
        after_context.is_some_and(|rest| rest
            .starts_with("\"@odata.type\":\"#microsoft.graph.windows10GeneralConfiguration\",\"id\":")),
        "{}",
        r.text
    );

    let same = h.emu.state().insert_raw(json!({"id": id, "displayName": "replaced"}));
    assert_eq!(same, id);
    assert_eq!(h.emu.state().len(), 1);
    assert_eq!(h.emu.state().objects()[0]["displayName"], "replaced");
    assert!(h.emu.state().remove(&id).is_some());
    assert!(h.emu.state().is_empty());
    h.emu.state().insert_raw(json!({"displayName": "a"}));
    h.emu.state().clear();
    assert_eq!(h.emu.state().len(), 0);
}

#[tokio::test]
async fn debug_output_hides_the_token_and_shutdown_stops_the_server() {
    let h = Harness::with(Emulator::new().token("super-secret-token-value")).await;
    let dbg = format!("{:?} {:?}", h.emu, h.emu.state());
    assert!(!dbg.contains("super-secret-token-value"), "{dbg}");
    let cfg = format!(
        "{:?}",
        Emulator::new().token("super-secret-token-value").client_credentials("id", "secret-value-123")
    );
    assert!(!cfg.contains("super-secret-token-value") && !cfg.contains("secret-value-123"));

    assert_eq!(h.emu.base_url().as_str(), format!("{}beta", h.emu.origin()));
    assert!(!h.emu.base_url().as_str().ends_with('/'));
    assert_eq!(h.emu.origin().host_str(), Some("127.0.0.1"));

    let r = h.call(Method::GET, DC, None).await;
    assert_eq!(r.status, 200);
    assert!(h.emu.state().requests() >= 1);
    let url = h.url(DC);
    let Harness { emu, http } = h;
    emu.shutdown().await;
    let err = http.get(url).bearer_auth("x").send().await;
    assert!(err.is_err(), "server is stopped");
}

#[tokio::test]
async fn router_can_be_embedded() {
    let (router, state) = Emulator::new().router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::new();
    let r = http
        .post(format!("http://{addr}/beta{DC}"))
        .bearer_auth(intune_graph::emulator::DEFAULT_TOKEN)
        .body(scep("embedded").to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 201);
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("body")).expect("json");
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.starts_with(&format!("http://{addr}/beta/$metadata#")))
    );
    assert_eq!(state.len(), 1);
    server.abort();
}

#[tokio::test]
async fn patch_can_return_the_entity_like_the_docs() {
    let h = Harness::with(Emulator::new().patch_returns_entity(true)).await;
    let id = h.created(scep("before")).await["id"].as_str().expect("id").to_owned();
    let r = h.call(Method::PATCH, &format!("{DC}/{id}"), Some(json!({"displayName": "after"}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["displayName"], "after");
    assert_eq!(r.body["version"], 2);
    assert!(r.text.contains("$entity\",\"@odata.type\":"));
}
