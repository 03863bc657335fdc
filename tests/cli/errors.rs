//! Exit codes and error reports: 1 when the service or validation refuses (status, Graph
//! code, message and request ids on stderr, never the token), 2 for usage and input errors.

use crate::support::*;
use intune_graph::emulator::FaultKind;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_names_status_code_message_and_ids_but_not_the_token() {
    let emu = emulator().await;
    let run = run_at(&emu, "json", &["get", "no-such-id"], None).await;
    run.assert_code(1);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let first = run.stderr.lines().next().unwrap();
    assert!(first.starts_with("error: HTTP 404 ResourceNotFound: "), "{first}");
    // Intune's JSON-inside-message is shown as its inner `Message`, not as JSON.
    assert!(first.contains("The deviceConfiguration 'no-such-id' was not found"), "{first}");
    assert!(!run.stderr.contains("_version") && !run.stderr.contains("{\""), "{}", run.stderr);
    assert!(request_id(&run.stderr).is_some(), "a request-id: {}", run.stderr);
    assert!(first.contains(", client-request-id "), "{first}");
    assert!(!run.stderr.contains(TOKEN), "the token leaked: {}", run.stderr);

    // Table output reports the same way.
    let run = run_at(&emu, "table", &["get", "no-such-id"], None).await;
    run.assert_code(1);
    assert!(run.stderr.contains("HTTP 404"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_never_printed() {
    let emu = emulator().await;
    let wrong = "wrong-token-3c9d41f7e2";
    let base_url = emu.base_url().to_string();
    let out = crate::support::run(&["--base-url", &base_url, "--token", wrong, "list"]).await;
    out.assert_code(1).assert_stderr(Has("HTTP 401"));
    assert!(!out.stderr.contains(wrong) && !out.stdout.contains(wrong), "{}", out.stderr);
    // The same through the environment.
    let out = run_with(&["list"], &[("GRAPH_BASE_URL", &base_url), ("GRAPH_TOKEN", wrong)], None).await;
    out.assert_code(1);
    assert!(!out.stderr.contains(wrong), "{}", out.stderr);
    // And in the help text.
    let out = run_with(&["--help"], &[("GRAPH_TOKEN", wrong)], None).await;
    out.assert_code(0);
    assert!(!out.stdout.contains(wrong), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_create_lists_the_fields_and_sends_nothing() {
    let emu = emulator().await;
    let invalid = json!({
        "@odata.type": SCEP,
        "scepServerUrls": ["http://ndes.contoso.com/not-https"],
        "renewalThresholdPercentage": 120
    });
    let run = run_at(&emu, "json", &["create", "-"], Some(&bytes(&invalid))).await;
    run.assert_code(1);
    for field in ["displayName", "scepServerUrls[0]", "renewalThresholdPercentage"] {
        assert!(run.stderr.contains(&format!("  {field}: ")), "names {field}:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty());
    assert_eq!(emu.state().len(), 0);
    assert_eq!(emu.state().requests(), 0, "no POST (no request at all) reached the emulator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_input_is_a_usage_error() {
    let emu = emulator().await;
    let cases: [&[u8]; 4] = [
        b"{",
        b"[]",
        br#"{"displayName": "no type"}"#,
        br##"{"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": 5}"##,
    ];
    for input in cases {
        let run = run_at(&emu, "json", &["create", "-"], Some(input)).await;
        run.assert_code(2);
        assert!(run.stderr.starts_with("error: cannot decode standard input"), "{}", run.stderr);
    }
    let run = run_at(&emu, "json", &["create", "/no/such/file.json"], None).await;
    run.assert_code(2).assert_stderr(Has("cannot read /no/such/file.json"));
    assert_eq!(emu.state().requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let emu = emulator().await;
    let base_url = emu.base_url().to_string();
    let bad: [&[&str]; 12] = [
        &[],
        &["frobnicate"],
        &["get"],
        &["list", "--top", "0"],
        &["list", "--top", "1000"],
        &["--output", "yaml", "list"],
        &["list", "--type", "not a type"],
        &["assign", "x"],
        &["assign", "x", "--group", "g", "--clear"],
        &["emulator", "--fault-rate", "1.5"],
        &["--write-rate", "0/20", "list"],
        &["list", "--write-rate", "fast"],
    ];
    for args in bad {
        let out = run_with(args, &[("GRAPH_BASE_URL", &base_url), ("GRAPH_TOKEN", TOKEN)], None).await;
        out.assert_code(2);
        assert!(!out.stderr.is_empty(), "{args:?} explains itself");
    }
    assert_eq!(emu.state().requests(), 0);

    // A base URL without a credential.
    let out = crate::support::run(&["--base-url", &base_url, "list"]).await;
    out.assert_code(2).assert_stderr(Has("--token"));
    // Plain http is refused for anything but loopback (nothing is sent).
    let out =
        crate::support::run(&["--base-url", "http://graph.example.com/beta", "--token", "t", "get", "x"])
            .await;
    out.assert_code(2);
    // Incomplete Azure variables.
    let out = run_with(&["list"], &[("AZURE_TENANT_ID", "contoso")], None).await;
    out.assert_code(2);
    assert!(
        out.stderr.contains("AZURE_CLIENT_ID") && out.stderr.contains("AZURE_CLIENT_SECRET"),
        "{}",
        out.stderr
    );

    for help in [&["--help"][..], &["list", "--help"], &["--version"]] {
        run_with(help, &[], None).await.assert_code(0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_with_an_unknown_outcome_is_not_re_sent() {
    let emu = emulator().await;
    // The emulator stores the object, then answers 504.
    emu.state().inject_fault(FaultKind::GatewayTimeout);
    let run = run_at(&emu, "json", &["create", "-"], Some(&bytes(&scep_profile("Maybe")))).await;
    run.assert_code(1).assert_stderr(Has("outcome is unknown"));
    run.assert_stderr(Has("client-request-id"));
    run.assert_stderr(Has("HTTP 504"));
    assert_eq!(emu.state().len(), 1, "created once, not re-posted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_retried_transparently() {
    let emu = emulator().await;
    let id = emu.state().insert_raw(scep_profile("Throttled"));
    emu.state().inject_fault(FaultKind::TooManyRequestsDecimal);
    let run = run_at(&emu, "json", &["get", &id], None).await;
    run.assert_code(0);
    assert_eq!(run.json()["id"], id.as_str());
    assert_eq!(emu.state().fault_count(FaultKind::TooManyRequestsDecimal), 1);
}

/// A wiremock server standing in for Graph, and the arguments that point `intune` at it.
async fn hostile_graph() -> (wiremock::MockServer, String) {
    let server = wiremock::MockServer::start().await;
    let base = format!("{}/beta", server.uri());
    (server, base)
}

fn listing(items: serde_json::Value, next: Option<String>) -> wiremock::ResponseTemplate {
    let mut page = json!({"value": items});
    if let Some(next) = next {
        page["@odata.nextLink"] = json!(next);
    }
    wiremock::ResponseTemplate::new(200).set_body_json(page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bidi_and_format_characters_from_the_server_are_escaped() {
    use wiremock::{Mock, ResponseTemplate, matchers::path};
    let (server, base) = hostile_graph().await;
    let collection = format!("/beta/{COLLECTION}");
    let item =
        json!({"@odata.type": ROOT, "id": "r\u{200f}1", "displayName": "invoice\u{202e}fdp.exe\u{2066}"});
    Mock::given(path(collection.as_str())).respond_with(listing(json!([item]), None)).mount(&server).await;
    Mock::given(path(format!("{collection}/x")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": {"code": "NotFound", "message": "gone\u{feff} \u{202d}txt.exe"}
        })))
        .mount(&server)
        .await;

    let run = run(&["--base-url", &base, "--token", TOKEN, "--output", "table", "list"]).await;
    run.assert_code(0).assert_stdout(Has(r"invoice\u{202e}fdp.exe\u{2066}"));
    run.assert_stdout(Has(r"r\u{200f}1"));
    let run_get = crate::support::run(&["--base-url", &base, "--token", TOKEN, "get", "x"]).await;
    run_get.assert_code(1).assert_stderr(Has(r"gone\u{feff} \u{202d}txt.exe"));
    for text in [&run.stdout, &run_get.stderr] {
        assert!(!text.contains(['\u{202e}', '\u{2066}', '\u{200f}', '\u{feff}', '\u{202d}']), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_off_origin_redirect_is_reported_as_refused_naming_the_host() {
    use wiremock::{Mock, ResponseTemplate, matchers::path};
    let (server, base) = hostile_graph().await;
    Mock::given(path(format!("/beta/{COLLECTION}/x")))
        .respond_with(
            ResponseTemplate::new(302).insert_header("location", "http://evil.example:8080/steal?k=1"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let run = run(&["--base-url", &base, "--token", TOKEN, "get", "x"]).await;
    run.assert_code(1);
    assert!(
        run.stderr.contains("refused to follow a 302 redirect to http://evil.example:8080"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("steal") && !run.stderr.contains(TOKEN), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_bearer_prefix_is_dropped_and_global_options_follow_the_subcommand() {
    let emu = emulator().await;
    let base = emu.base_url().to_string();
    let bearer = format!("Bearer {TOKEN}");
    let run = run(&["list", "--all", "--output", "json", "--base-url", &base, "--token", &bearer]).await;
    run.assert_code(0);
    assert_eq!(run.json(), json!([]));
    let lower = format!("bearer   {TOKEN}");
    let run = crate::support::run(&["get", "nope", "--token", &lower, "--base-url", &base]).await;
    run.assert_code(1).assert_stderr(Has("HTTP 404"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_read_before_a_refused_next_link_are_printed() {
    use wiremock::{Mock, matchers::path};
    let (server, base) = hostile_graph().await;
    let collection = format!("/beta/{COLLECTION}");
    let item = |id: &str| json!({"@odata.type": ROOT, "id": id, "displayName": id});
    let second = format!("{}{collection}/page2", server.uri());
    Mock::given(path(collection.as_str()))
        .respond_with(listing(json!([item("a1"), item("a2")]), Some(second)))
        .mount(&server)
        .await;
    Mock::given(path(format!("{collection}/page2")))
        .respond_with(listing(json!([item("b1")]), Some("http://evil.example/beta/page3".into())))
        .mount(&server)
        .await;
    for format in ["json", "table"] {
        let run = run(&["--base-url", &base, "--token", TOKEN, "--output", format, "list", "--all"]).await;
        run.assert_code(1);
        for id in ["a1", "a2", "b1"] {
            assert!(run.stdout.contains(id), "{format}: {id} missing from\n{}", run.stdout);
        }
        run.assert_stderr(Has("evil.example"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_variables_see_neither_the_secret_nor_the_token() {
    use intune_graph::emulator::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID};
    use tokio::io::AsyncReadExt;
    // A proxy that records whatever reaches it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = Vec::new();
            let _ = stream.read_to_end(&mut buffer).await;
            sink.lock().unwrap().push_str(&format!("<connection>{}", String::from_utf8_lossy(&buffer)));
        }
    });
    let emu = emulator().await;
    let base = emu.base_url().to_string();
    let authority = format!("http://{}", emu.addr());
    let mut env = vec![
        ("AZURE_TENANT_ID", DEFAULT_TENANT_ID),
        ("AZURE_CLIENT_ID", DEFAULT_CLIENT_ID),
        ("AZURE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
        ("AZURE_AUTHORITY_HOST", authority.as_str()),
    ];
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY"] {
        env.push((name, &proxy));
    }
    let run = run_with(&["--base-url", &base, "--output", "json", "list"], &env, None).await;
    run.assert_code(0);
    assert_eq!(run.json(), json!([]));
    assert_eq!(emu.state().tokens_issued(), 1, "the token came from the emulator");
    assert_eq!(seen.lock().unwrap().as_str(), "", "the proxy was reached");
}
