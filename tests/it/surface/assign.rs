//! assign / assignments: the exact action body, the `value` response with every target
//! type (unknown ones kept), and the assignment listing across pages.

use crate::support::mock::*;
use intune_graph::models::{
    AssignmentFilterType, AssignmentSource, AssignmentTarget, DeviceConfigAssignmentIntent,
    DeviceConfigurationAssignment, DeviceConfigurationGroupAssignment,
};
use serde_json::{Value, json};
use wiremock::{
    MockServer, ResponseTemplate,
    matchers::{body_json, header},
};

fn assignment_json(id: &str, target: Value) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
        "id": id,
        "intent": "apply",
        "source": "direct",
        "sourceId": null,
        "target": target
    })
}

#[tokio::test]
async fn assign_sends_the_whole_set_and_decodes_every_target() {
    let server = MockServer::start().await;
    let targets = [
        json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": "f1", "deviceAndAppManagementAssignmentFilterType": "include", "groupId": "g1"}),
        json!({"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none", "groupId": "g2"}),
        json!({"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": "f2", "deviceAndAppManagementAssignmentFilterType": "exclude"}),
        json!({"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget", "deviceAndAppManagementAssignmentFilterId": null, "deviceAndAppManagementAssignmentFilterType": "none"}),
        json!({"@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget", "collectionId": "SMS00001"}),
        json!({"@odata.type": "#microsoft.graph.scopeTagGroupAssignmentTarget", "targetType": "group", "entraObjectId": "e1"}),
    ];
    let response_items: Vec<Value> =
        targets.iter().enumerate().map(|(i, t)| assignment_json(&format!("p1_{i}"), t.clone())).collect();
    when("POST", item("p1/assign"))
        .and(no_query())
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"assignments": [
            {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
             "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1",
                        "deviceAndAppManagementAssignmentFilterId": "f1", "deviceAndAppManagementAssignmentFilterType": "include"}},
            {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
             "target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g2"}},
            {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment", "intent": "apply",
             "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
            {"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
             "target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}
        ]})))
        .respond_with(ok_json(json!({
            "@odata.context": "https://graph.microsoft.com/beta/$metadata#Collection(microsoft.graph.deviceConfigurationAssignment)",
            "value": response_items
        })))
        .mount_once(&server)
        .await;
    let assignments = [
        DeviceConfigurationAssignment::new(
            AssignmentTarget::group("g1").with_filter("f1", AssignmentFilterType::Include),
        ),
        DeviceConfigurationAssignment::new(AssignmentTarget::exclude_group("g2")),
        DeviceConfigurationAssignment::new(AssignmentTarget::all_devices())
            .with_intent(DeviceConfigAssignmentIntent::Apply),
        AssignmentTarget::all_licensed_users().into(),
    ];
    let result = client(&server).device_configurations().assign("p1", &assignments).await.unwrap();
    assert_eq!(result.len(), 6);
    let kinds: Vec<&str> = result
        .iter()
        .map(|a| match a.target.as_ref().unwrap() {
            AssignmentTarget::Group(_) => "group",
            AssignmentTarget::ExclusionGroup(_) => "exclude",
            AssignmentTarget::AllDevices(_) => "devices",
            AssignmentTarget::AllLicensedUsers(_) => "users",
            AssignmentTarget::ConfigurationManagerCollection(_) => "collection",
            AssignmentTarget::Other(_) => "other",
            _ => "new",
        })
        .collect();
    assert_eq!(kinds, ["group", "exclude", "devices", "users", "collection", "other"]);
    let first = result[0].target.as_ref().unwrap();
    assert_eq!(first.group_id(), Some("g1"));
    assert_eq!(first.filter().filter_id.as_deref(), Some("f1"));
    assert_eq!(result[0].source, Some(AssignmentSource::Direct));
    assert_eq!(
        result[5].target.as_ref().unwrap().odata_type(),
        "#microsoft.graph.scopeTagGroupAssignmentTarget"
    );
    // Every assignment, unknown target included, writes back as read.
    for (assignment, original) in result.iter().zip(&response_items) {
        assert_eq!(&serde_json::to_value(assignment).unwrap(), original);
    }
}

#[tokio::test]
async fn assign_with_legacy_group_assignments_and_an_empty_answer() {
    let server = MockServer::start().await;
    when("POST", item("p1/assign"))
        .and(body_json(json!({
            "assignments": [],
            "deviceConfigurationGroupAssignments": [
                {"@odata.type": "#microsoft.graph.deviceConfigurationGroupAssignment", "targetGroupId": "g9", "excludeGroup": true}
            ]
        })))
        .respond_with(ResponseTemplate::new(204))
        .mount_once(&server)
        .await;
    let result = client(&server)
        .device_configurations()
        .assign_with_group_assignments("p1", &[], &[DeviceConfigurationGroupAssignment::new("g9", true)])
        .await
        .unwrap();
    assert!(result.is_empty());
}

#[tokio::test]
async fn assign_with_an_empty_set_removes_every_assignment() {
    let server = MockServer::start().await;
    when("POST", item("p1/assign"))
        .and(body_json(json!({"assignments": []})))
        .respond_with(ok_json(json!({"value": []})))
        .mount_once(&server)
        .await;
    assert!(client(&server).device_configurations().assign("p1", &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn assignments_are_read_across_pages() {
    let server = MockServer::start().await;
    let next = format!("{}{}?$skiptoken=2", server.uri(), item("p1/assignments"));
    when("GET", item("p1/assignments"))
        .and(no_query())
        .and(header("authorization", BEARER))
        .respond_with(ok_json(json!({
            "value": [assignment_json("a1", json!({"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}))],
            "@odata.nextLink": next
        })))
        .mount_once(&server)
        .await;
    when("GET", item("p1/assignments"))
        .and(query_is("$skiptoken=2"))
        .respond_with(ok_json(json!({
            "value": [{"id": "a2", "intent": "remove", "source": "policySets", "sourceId": "ps1",
                       "target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}}]
        })))
        .mount_once(&server)
        .await;
    let all = client(&server).device_configurations().assignments("p1").await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].intent, Some(DeviceConfigAssignmentIntent::Remove));
    assert_eq!(all[1].source, Some(AssignmentSource::PolicySets));
    assert_eq!(all[1].source_id.as_deref(), Some("ps1"));
}
