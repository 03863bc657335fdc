//! The `intune` command against hostile servers: a reflected token never reaches stderr,
//! a create accepted with an unreadable answer says to check before retrying (exit 1),
//! retries are reported as they happen, and `-v` shows the client's tracing.

use crate::support::*;
use serde_json::json;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

const ITEM: &str = "/beta/deviceManagement/deviceConfigurations/p1";

/// Echoes the request's `Authorization` into the body and the `request-id` header.
struct Reflect(u16);

impl Respond for Reflect {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let body = if self.0 < 300 {
            json!({"@odata.type": SCEP, "id": "p1", "version": auth})
        } else {
            json!({"error": {"code": "BadRequest", "message": format!("you sent {auth}")}})
        };
        ResponseTemplate::new(self.0).insert_header("request-id", auth).set_body_json(body)
    }
}

async fn get_from(server: &MockServer, extra: &[&str]) -> Run {
    let base_url = format!("{}/beta", server.uri());
    let mut args = vec!["--base-url", &base_url, "--token", TOKEN, "--output", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["get", "p1"]);
    run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reflected_token_never_reaches_stderr() {
    for (status, code) in [(400, 1), (200, 2)] {
        let server = MockServer::start().await;
        when("GET", ITEM).respond_with(Reflect(status)).mount(&server).await;
        for verbose in [&[][..], &["-v"][..]] {
            let run = get_from(&server, verbose).await;
            run.assert_code(code);
            assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN), "{status}: {}", run.stderr);
            assert!(run.stderr.contains("Bearer [redacted]"), "{status}: {}", run.stderr);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_accepted_with_an_empty_answer_says_to_check_before_retrying() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201)).expect(1).mount(&server).await;
    let base_url = format!("{}/beta", server.uri());
    let body = bytes(&scep_profile("accepted"));
    let run = run_with(&["--base-url", &base_url, "--token", TOKEN, "create", "-"], &[], Some(&body)).await;
    run.assert_code(1);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(
            "error: POST /beta/deviceManagement/deviceConfigurations: the service accepted the create (HTTP 201)"
        ),
        "{}",
        run.stderr
    );
    assert!(first.contains("Check with `intune list` before trying again"), "{first}");
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_and_a_delete_found_gone_are_reported_on_stderr() {
    let server = MockServer::start().await;
    when("DELETE", ITEM).respond_with(ResponseTemplate::new(504)).up_to_n_times(1).mount(&server).await;
    when("DELETE", ITEM).respond_with(ResponseTemplate::new(404)).mount(&server).await;
    let base_url = format!("{}/beta", server.uri());
    let run = run(&["--base-url", &base_url, "--token", TOKEN, "delete", "p1"]).await;
    run.assert_code(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("DELETE {ITEM}: HTTP 504; retrying (attempt 2 of 6) in ")),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with('s'), "{}", lines[0]);
    assert_eq!(
        lines[1],
        format!(
            "DELETE {ITEM}: already gone after retry (an earlier attempt's outcome was unknown; it had deleted it)"
        )
    );
    assert_eq!(lines[2], "deleted p1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verbose_and_rust_log_show_the_client_tracing() {
    let emu = emulator().await;
    let base_url = emu.base_url().to_string();
    let quiet = run(&["--base-url", &base_url, "--token", TOKEN, "list"]).await;
    quiet.assert_code(0);
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    let verbose = run(&["--base-url", &base_url, "--token", TOKEN, "list", "-v"]).await;
    verbose.assert_code(0);
    assert!(verbose.stderr.contains("graph.call") && verbose.stderr.contains("DEBUG"), "{}", verbose.stderr);
    let logged = run_with(
        &["--base-url", &base_url, "--token", TOKEN, "list"],
        &[("RUST_LOG", "intune_graph=debug")],
        None,
    )
    .await;
    logged.assert_code(0).assert_stderr(Has("graph.attempt"));
    for out in [&verbose, &logged] {
        assert!(!out.stderr.contains(TOKEN), "{}", out.stderr);
    }
}
