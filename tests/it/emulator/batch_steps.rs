//! Emulator: `$batch` steps carry Graph's header casing, and the reference and directory
//! routes work as steps.

use super::harness::{DC, Harness, minimal, url};
use intune_graph::emulator::{DirectoryEntry, Emulator, StepFault};
use reqwest::Method;
use serde_json::{Value, json};

const GROUP: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

/// The step answers of one envelope, by id.
async fn batch(h: &Harness, requests: Value) -> Vec<Value> {
    let r = h.call(Method::POST, "/$batch", Some(json!({ "requests": requests }))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut steps = r.body["responses"].as_array().expect("responses").clone();
    steps.sort_by_key(|s| s["id"].as_str().unwrap_or_default().to_owned());
    steps
}

#[tokio::test]
async fn steps_carry_graphs_header_casing() {
    let h = Harness::start().await;
    h.emu.state().inject_step_fault("2", StepFault::TooManyRequests { retry_after: Some("3".into()) });
    let steps = batch(
        &h,
        json!([
            {"id": "1", "method": "GET", "url": DC},
            {"id": "2", "method": "GET", "url": DC},
        ]),
    )
    .await;
    let headers = steps[0]["headers"].as_object().expect("headers");
    assert!(
        headers["Content-Type"].as_str().is_some_and(|t| t.starts_with("application/json")),
        "{headers:?}"
    );
    assert_eq!(headers.keys().collect::<Vec<_>>(), ["Content-Type"]);
    assert!(steps[0]["body"]["value"].is_array(), "the body is JSON: {}", steps[0]);
    assert_eq!((steps[1]["status"].as_u64(), &steps[1]["headers"]["Retry-After"]), (Some(429), &json!("3")));
}

#[tokio::test]
async fn reference_and_directory_routes_work_as_steps() {
    let h = Harness::with(Emulator::new().groups([DirectoryEntry::new(GROUP, "Sales")])).await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let scep = h.create(minimal("iosScepCertificateProfile", "scep")).await;
    let nav = format!("{DC}/{scep}/microsoft.graph.iosScepCertificateProfile/rootCertificate");
    let steps = batch(&h, json!([
        {"id": "1", "method": "PUT", "url": format!("{nav}/$ref"), "body": {"@odata.id": url(&root)},
         "headers": {"Content-Type": "application/json"}},
        {"id": "2", "method": "GET", "url": nav, "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": format!("/groups/{GROUP}?$select=displayName"), "dependsOn": ["2"]},
        {"id": "4", "method": "GET", "url": "/deviceManagement/roleScopeTags", "dependsOn": ["3"]},
        {"id": "5", "method": "GET", "url": "/groups?$filter=displayName eq 'sales'", "dependsOn": ["4"]},
    ]))
    .await;
    let statuses: Vec<u64> = steps.iter().filter_map(|s| s["status"].as_u64()).collect();
    assert_eq!(statuses, [204, 200, 200, 200, 200], "{steps:?}");
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root.clone()));
    assert_eq!(steps[1]["body"]["id"], root.as_str());
    assert_eq!(steps[2]["body"]["displayName"], "Sales");
    assert_eq!(steps[3]["body"]["value"][0]["id"], "0");
    assert_eq!(steps[4]["body"]["value"][0]["id"], GROUP);
}
