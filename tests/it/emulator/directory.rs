//! Emulator: the directory (groups, assignment filters, scope tags), seeded or empty.

use super::harness::{DC, Harness, assert_error};
use intune_graph::emulator::{DirectoryEntry, Emulator, FaultKind};
use reqwest::Method;
use serde_json::json;

const SALES: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
const OBRIEN: &str = "6b0c2f1d-2e3f-4a4b-8c9d-8e7f6a5b4c3d";
const THIRD: &str = "7c1d3a2e-3f4a-4b5c-9daf-9f8a7b6c5d4e";

async fn seeded() -> Harness {
    let emulator = Emulator::new()
        .page_size(2)
        .groups([
            DirectoryEntry::new(SALES, "Sales"),
            DirectoryEntry::new(OBRIEN, "O'Brien team").with_property("securityEnabled", json!(true)),
            DirectoryEntry::new(THIRD, "Third"),
        ])
        .assignment_filters([
            DirectoryEntry::new("f1f1f1f1-0000-4000-8000-000000000001", "Corporate iPhones")
                .with_property("platform", json!("iOS"))
                .with_property("rule", json!("(device.deviceOwnership -eq \"Corporate\")")),
            DirectoryEntry::new("f2f2f2f2-0000-4000-8000-000000000002", "Bare"),
        ])
        .scope_tags([DirectoryEntry::new("7", "Paris")]);
    Harness::with(emulator).await
}

#[tokio::test]
async fn groups_by_id_with_select_and_by_name() {
    let h = seeded().await;
    let r = h.get(&format!("/groups/{SALES}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["@odata.context"].as_str().is_some_and(|c| c.ends_with("/beta/$metadata#groups/$entity")));
    assert_eq!((&r.body["id"], &r.body["displayName"]), (&json!(SALES), &json!("Sales")));
    let r = h.get(&format!("/groups/{}?$select=displayName", SALES.to_uppercase())).await;
    assert_eq!(
        r.text,
        format!(
            "{{\"@odata.context\":\"{}beta/$metadata#groups(displayName)/$entity\",\"displayName\":\"Sales\"}}",
            h.emu.origin()
        )
    );

    // OData quoting ('' is a quote) and a case-insensitive match, as Graph.
    let r = h.get("/groups?$filter=displayName%20eq%20'o''brien%20TEAM'").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["value"],
        json!([{"id": OBRIEN, "displayName": "O'Brien team", "securityEnabled": true}])
    );
    assert_eq!(h.get("/groups?$filter=displayName%20eq%20'Nobody'").await.body["value"], json!([]));

    // Paged like the lists.
    let first = h.get("/groups?$count=true").await;
    assert_eq!(first.body["@odata.count"], 3);
    assert_eq!(first.body["value"].as_array().map(Vec::len), Some(2));
    let next = first.body["@odata.nextLink"].as_str().expect("next link");
    let rest = h.http.get(next).bearer_auth(h.emu.token()).send().await.unwrap().bytes().await.unwrap();
    let rest: serde_json::Value = serde_json::from_slice(&rest).unwrap();
    assert_eq!(rest["value"], json!([{"id": THIRD, "displayName": "Third"}]));
    assert!(rest.get("@odata.nextLink").is_none());

    let missing = h.get("/groups/00000000-0000-4000-8000-000000000000").await;
    assert_error(&missing, 404, "Request_ResourceNotFound");
    assert_error(&h.get("/groups/not-a-guid").await, 400, "Request_BadRequest");
    assert_error(&h.call(Method::POST, "/groups", Some(json!({}))).await, 400, "Request_BadRequest");
    assert_error(&h.get("/groups?$expand=members").await, 400, "BadRequest");
}

#[tokio::test]
async fn assignment_filters_and_scope_tags() {
    let h = seeded().await;
    let r =
        h.get("/deviceManagement/assignmentFilters?$filter=displayName%20eq%20'corporate%20iphones'").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["value"],
        json!([{"id": "f1f1f1f1-0000-4000-8000-000000000001", "displayName": "Corporate iPhones",
                "platform": "iOS", "rule": "(device.deviceOwnership -eq \"Corporate\")"}])
    );
    let bare = h.get("/deviceManagement/assignmentFilters/F2F2F2F2-0000-4000-8000-000000000002").await;
    assert_eq!(
        (&bare.body["displayName"], &bare.body["platform"], &bare.body["rule"]),
        (&json!("Bare"), &json!("unknown"), &json!(""))
    );
    assert_error(&h.get("/deviceManagement/assignmentFilters/nope").await, 404, "ResourceNotFound");

    let tags = h.get("/deviceManagement/roleScopeTags").await;
    assert_eq!(
        tags.body["value"],
        json!([
            {"id": "0", "displayName": "Default", "description": null, "isBuiltIn": true},
            {"id": "7", "displayName": "Paris", "description": null, "isBuiltIn": false},
        ])
    );
    let r = h.get("/deviceManagement/roleScopeTags?$filter=displayName%20eq%20'default'").await;
    assert_eq!(r.body["value"][0]["id"], "0");
    assert_eq!(h.get("/deviceManagement/roleScopeTags/7").await.body["displayName"], "Paris");
    assert_error(
        &h.call(Method::DELETE, "/deviceManagement/roleScopeTags/7", None).await,
        400,
        "No method match route template",
    );
}

#[tokio::test]
async fn unseeded_the_directory_is_empty_but_for_the_default_tag() {
    let h = Harness::start().await;
    assert_eq!(h.get("/groups").await.body["value"], json!([]));
    assert_error(&h.get(&format!("/groups/{SALES}")).await, 404, "Request_ResourceNotFound");
    assert_eq!(h.get("/deviceManagement/assignmentFilters").await.body["value"], json!([]));
    assert_eq!(
        h.get("/deviceManagement/roleScopeTags").await.body["value"].as_array().map(Vec::len),
        Some(1)
    );
    // Assignments may name any well-formed group id: the service does not look it up.
    let id =
        h.create(json!({"@odata.type": "#microsoft.graph.iosCustomConfiguration", "displayName": "c"})).await;
    let assign = json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": SALES}}]});
    assert_eq!(h.call(Method::POST, &format!("{DC}/{id}/assign"), Some(assign)).await.status, 200);
}

#[tokio::test]
async fn directory_reads_meet_faults_like_every_request() {
    let h = seeded().await;
    h.emu.state().inject_fault(FaultKind::TooManyRequestsSeconds);
    let r = h.get(&format!("/groups/{SALES}")).await;
    assert_error(&r, 429, "TooManyRequests");
    assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    assert_eq!(h.get(&format!("/groups/{SALES}")).await.status, 200);
}
