//! Emulator: assign / assignments, the SCEP root certificate link ($ref and
//! @odata.bind), type casts and managedDeviceCertificateStates.

use super::harness::{DC, Harness, assert_error, minimal, with};
use reqwest::Method;
use serde_json::{Value, json};

const CAST: &str = "microsoft.graph.iosScepCertificateProfile";

trait Objects {
    async fn scep(&self, extra: Value) -> String;
    async fn root(&self) -> String;
}

impl Objects for Harness {
    async fn scep(&self, extra: Value) -> String {
        let base = with(
            minimal("iosScepCertificateProfile", "scep"),
            json!({"keySize": "size2048", "keyUsage": "digitalSignature"}),
        );
        self.create(with(base, extra)).await
    }

    async fn root(&self) -> String {
        self.create(minimal("iosTrustedRootCertificate", "root")).await
    }
}

/// An assign to an unknown profile is a 404, each malformed body a 400; the profile's
/// (empty) assignment set stays as it was.
async fn assign_errors_store_nothing(h: &Harness, id: &str, group: &str) {
    let missing = h.call(Method::POST, &format!("{DC}/nope/assign"), Some(json!({}))).await;
    assert_error(&missing, 404, "ResourceNotFound");
    for body in [
        json!({"assignments": [{"target": {}}]}),
        json!({"assignments": [{}]}),
        json!({"assignments": "x"}),
        json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget"}}]}),
        json!({"bogus": []}),
        json!({"assignments": [
            {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
            {"target": {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}},
        ]}),
        json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": null}}]}),
        json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "sales"}}]}),
        json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}}],
               "deviceConfigurationGroupAssignments": [{"targetGroupId": group, "excludeGroup": true}]}),
    ] {
        let r = h.call(Method::POST, &format!("{DC}/{id}/assign"), Some(body.clone())).await;
        assert_error(&r, 400, "BadRequest");
    }
    assert_eq!(h.emu.state().assignments(id), Some(vec![]), "nothing stored");
}

#[tokio::test]
async fn assign_replaces_the_assignment_set() {
    let h = Harness::start().await;
    let id = h.scep(json!({})).await;
    let group = "11111111-2222-3333-4444-555555555555";
    let excluded = "99999999-2222-3333-4444-555555555555";
    let r = h
        .call(
            Method::POST,
            &format!("{DC}/{id}/assign"),
            Some(json!({
                "assignments": [
                    {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group}},
                    {"id": "ignored", "source": "policySets", "target": {"@odata.type": "microsoft.graph.allDevicesAssignmentTarget"}},
                ],
                "deviceConfigurationGroupAssignments": [
                    {"targetGroupId": excluded, "excludeGroup": true},
                ],
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.body["@odata.context"].as_str().is_some_and(
            |c| c.ends_with("$metadata#Collection(microsoft.graph.deviceConfigurationAssignment)")
        )
    );
    let value = r.body["value"].as_array().expect("value");
    assert_eq!(value.len(), 3);
    for a in value {
        assert_eq!(a["@odata.type"], "#microsoft.graph.deviceConfigurationAssignment");
        assert_eq!(a["source"], "direct");
        assert!(a["id"].as_str().is_some_and(|i| i.starts_with(&format!("{id}_"))));
    }
    assert_eq!(value[0]["id"], format!("{id}_{group}"));
    assert_eq!(value[0]["intent"], "apply");
    assert_eq!(value[0]["target"]["groupId"], group);
    assert_eq!(value[1]["target"]["@odata.type"], "#microsoft.graph.allDevicesAssignmentTarget");
    assert_eq!(value[2]["target"]["@odata.type"], "#microsoft.graph.exclusionGroupAssignmentTarget");
    assert_eq!(value[2]["target"]["groupId"], excluded);
    assert!(r.text.contains("{\"@odata.type\":\"#microsoft.graph.deviceConfigurationAssignment\",\"id\":"));

    let listed = h.call(Method::GET, &format!("{DC}/{id}/assignments"), None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["value"], r.body["value"]);
    assert_eq!(h.emu.state().assignments(&id).map(|a| a.len()), Some(3));

    let one = h.call(Method::GET, &format!("{DC}/{id}/assignments/{id}_{group}"), None).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["target"]["groupId"], group);
    let del = h.call(Method::DELETE, &format!("{DC}/{id}/assignments/{id}_{group}"), None).await;
    assert_eq!(del.status, 204);
    assert_eq!(h.emu.state().assignments(&id).map(|a| a.len()), Some(2));

    // Replacing with nothing clears the set.
    let r = h.call(Method::POST, &format!("{DC}/{id}/assign"), Some(json!({"assignments": []}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["value"], json!([]));
    assert_eq!(h.emu.state().assignments(&id), Some(vec![]));

    assign_errors_store_nothing(&h, &id, group).await;
}

#[tokio::test]
async fn root_certificate_via_ref() {
    let h = Harness::start().await;
    let root = h.root().await;
    let scep = h.scep(json!({})).await;
    let root_path = format!("{DC}/{scep}/{CAST}/rootCertificate");

    let r = h.call(Method::GET, &root_path, None).await;
    assert_error(&r, 404, "ResourceNotFound");

    let r = h
        .call(
            Method::PUT,
            &format!("{root_path}/$ref"),
            Some(json!({"@odata.id": format!(
                "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{root}')"
            )})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root.clone()));

    let r = h.call(Method::GET, &root_path, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], root);
    assert_eq!(r.body["@odata.type"], "#microsoft.graph.iosTrustedRootCertificate");
    assert_eq!(r.body["certFileName"], "root.cer");
    assert!(
        r.text.contains("$entity\",\"@odata.type\":\"#microsoft.graph.iosTrustedRootCertificate\""),
        "{}",
        r.text
    );

    let r = h.call(Method::GET, &format!("{root_path}/$ref"), None).await;
    assert_eq!(r.status, 200);
    assert!(
        r.body["@odata.id"].as_str().is_some_and(|u| u.ends_with(&format!("deviceConfigurations('{root}')")))
    );

    // Slash form, and %24ref.
    let r = h
        .call(
            Method::PUT,
            &format!("{root_path}/%24ref"),
            Some(json!({"@odata.id": format!("{}{DC}/{root}", h.emu.base_url())})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);

    // Targets must exist and be trusted roots; the body needs @odata.id.
    let other_scep = h.scep(json!({})).await;
    for body in [
        json!({"@odata.id": format!("{DC}/{other_scep}")}),
        json!({"@odata.id": format!("{DC}/00000000-0000-0000-0000-000000000000")}),
        json!({"@odata.id": "https://example.com/nothing"}),
        json!({"url": "x"}),
    ] {
        let r = h.call(Method::PUT, &format!("{root_path}/$ref"), Some(body)).await;
        assert_error(&r, 400, "BadRequest");
    }
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root.clone()));

    // The cast must be the object's type (or a base of it); a trusted root has no root.
    let r = h.call(Method::GET, &format!("{DC}/{root}/{CAST}/rootCertificate"), None).await;
    assert_error(&r, 400, "BadRequest");
    let r = h
        .call(
            Method::GET,
            &format!("{DC}/{scep}/microsoft.graph.iosPkcsCertificateProfile/rootCertificate"),
            None,
        )
        .await;
    assert_error(&r, 400, "No method match route template");

    let r = h.call(Method::DELETE, &format!("{root_path}/$ref"), None).await;
    assert_eq!(r.status, 204);
    assert_error(&h.call(Method::GET, &root_path, None).await, 404, "ResourceNotFound");
}

#[tokio::test]
async fn root_certificate_via_odata_bind() {
    let h = Harness::start().await;
    let root = h.root().await;
    let scep = h
        .scep(json!({
            "rootCertificate@odata.bind": format!(
                "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('{root}')"
            ),
        }))
        .await;
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root.clone()));
    let stored = h.emu.state().get(&scep).expect("stored");
    assert!(
        stored.as_object().expect("obj").keys().all(|k| !k.contains("rootCertificate")),
        "the annotation is not stored: {stored}"
    );
    let r = h.call(Method::GET, &format!("{DC}/{scep}/{CAST}/rootCertificate"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], root);

    // PATCH re-links (slash form).
    let root2 = h.root().await;
    let r = h
        .call(
            Method::PATCH,
            &format!("{DC}/{scep}"),
            Some(json!({"rootCertificate@odata.bind": format!("deviceManagement/deviceConfigurations/{root2}")})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(h.emu.state().root_certificate(&scep), Some(root2));

    // Bad binds.
    for body in [
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x",
               "rootCertificate@odata.bind": format!("{DC}('{scep}')")}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x",
               "rootCertificate@odata.bind": format!("{DC}('missing')")}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x",
               "rootCertificate@odata.bind": "not a url"}),
        json!({"@odata.type": "#microsoft.graph.iosPkcsCertificateProfile", "displayName": "x",
               "rootCertificate@odata.bind": format!("{DC}('{root}')")}),
        json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": "x",
               "assignments@odata.bind": [format!("{DC}('{root}')")]}),
    ] {
        let r = h.call(Method::POST, DC, Some(body)).await;
        assert_error(&r, 400, "BadRequest");
    }
    assert_eq!(h.emu.state().len(), 3);
}

#[tokio::test]
async fn casts_and_certificate_states() {
    let h = Harness::start().await;
    let scep = h.scep(json!({})).await;
    let root = h.root().await;

    let r = h.call(Method::GET, &format!("{DC}/{scep}/{CAST}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], scep);
    let r =
        h.call(Method::GET, &format!("{DC}/{scep}/microsoft.graph.iosCertificateProfileBase"), None).await;
    assert_eq!(r.status, 200, "derived types match a base cast");
    let r = h.call(Method::GET, &format!("{DC}/{root}/{CAST}"), None).await;
    assert_error(&r, 404, "ResourceNotFound");

    let states = format!("{DC}/{scep}/{CAST}/managedDeviceCertificateStates");
    let r = h.call(Method::GET, &states, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["value"], json!([]));

    assert!(h.emu.state().set_certificate_states(
        &scep,
        vec![json!({
            "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
            "id": "state-1",
            "certificateKeyUsage": "keyEncipherment,digitalSignature",
        })],
    ));
    assert!(!h.emu.state().set_certificate_states("missing", vec![]));
    let r = h.call(Method::GET, &states, None).await;
    assert_eq!(r.body["value"][0]["id"], "state-1");

    let r = h.call(Method::GET, &format!("{DC}/{root}/{CAST}/managedDeviceCertificateStates"), None).await;
    assert_error(&r, 404, "ResourceNotFound");
}
