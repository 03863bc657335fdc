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
    out.assert_code(1);
    assert!(out.stderr.contains("HTTP 401"), "{}", out.stderr);
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
    run.assert_code(2);
    assert!(run.stderr.contains("cannot read /no/such/file.json"), "{}", run.stderr);
    assert_eq!(emu.state().requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_2() {
    let emu = emulator().await;
    let base_url = emu.base_url().to_string();
    let bad: [&[&str]; 10] = [
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
    ];
    for args in bad {
        let out = run_with(args, &[("GRAPH_BASE_URL", &base_url), ("GRAPH_TOKEN", TOKEN)], None).await;
        out.assert_code(2);
        assert!(!out.stderr.is_empty(), "{args:?} explains itself");
    }
    // Global options go before the subcommand.
    run(&["list", "--output", "json"]).await.assert_code(2);
    assert_eq!(emu.state().requests(), 0);

    // A base URL without a credential.
    let out = crate::support::run(&["--base-url", &base_url, "list"]).await;
    out.assert_code(2);
    assert!(out.stderr.contains("--token"), "{}", out.stderr);
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
    run.assert_code(1);
    assert!(run.stderr.contains("outcome is unknown"), "{}", run.stderr);
    assert!(run.stderr.contains("client-request-id"), "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 504"), "{}", run.stderr);
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
