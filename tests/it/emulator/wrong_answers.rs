//! Emulator: wrong answers on request, each checked against what was stored.

use super::harness::{DC, Harness, minimal, url, with};
use intune_graph::emulator::{Emulator, WrongAnswer};
use reqwest::Method;
use serde_json::json;

const GROUP: &str = "11111111-2222-3333-4444-555555555555";

#[tokio::test]
async fn a_create_answered_with_an_existing_object_stores_nothing_once() {
    let h = Harness::with(Emulator::new().wrong_answers([WrongAnswer::CreateAnswersExisting.once()])).await;
    let first = h.call(Method::POST, DC, Some(minimal("iosScepCertificateProfile", "first"))).await;
    assert_eq!(
        (first.status, &first.body["displayName"]),
        (201, &json!("first")),
        "nothing stored yet: the truth"
    );
    assert_eq!(h.emu.state().wrong_answers_given(WrongAnswer::CreateAnswersExisting), 0);
    let existing = first.body["id"].as_str().expect("id").to_owned();

    let lie = h.call(Method::POST, DC, Some(minimal("iosTrustedRootCertificate", "second"))).await;
    assert_eq!(lie.status, 201, "{}", lie.text);
    assert_eq!(lie.body["id"], existing.as_str());
    assert_eq!(lie.body["displayName"], "first");
    assert_eq!(lie.body["@odata.type"], "#microsoft.graph.iosScepCertificateProfile");
    assert_eq!(h.emu.state().len(), 1, "nothing new stored");
    assert_eq!(h.emu.state().wrong_answers_given(WrongAnswer::CreateAnswersExisting), 1);

    let truth = h.call(Method::POST, DC, Some(minimal("iosTrustedRootCertificate", "third"))).await;
    assert_eq!(truth.body["displayName"], "third", "once only");
    assert_eq!(h.emu.state().len(), 2);
}

#[tokio::test]
async fn a_create_stored_but_answered_with_another_name_or_type() {
    let rules = [WrongAnswer::CreateAnswersOtherName.once(), WrongAnswer::CreateAnswersOtherType.times(2)];
    let h = Harness::with(Emulator::new().wrong_answers(rules)).await;
    let r = h.call(Method::POST, DC, Some(minimal("iosScepCertificateProfile", "Corp"))).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["displayName"], "Corp (2)");
    assert_eq!(r.body["@odata.type"], "#microsoft.graph.iosCustomConfiguration");
    let stored = h.emu.state().get(r.body["id"].as_str().expect("id")).expect("stored under the id answered");
    assert_eq!(stored["displayName"], "Corp");
    assert_eq!(stored["@odata.type"], "#microsoft.graph.iosScepCertificateProfile");

    let r = h.call(Method::POST, DC, Some(minimal("iosCustomConfiguration", "custom"))).await;
    assert_eq!(
        (r.body["displayName"].as_str(), r.body["@odata.type"].as_str()),
        (Some("custom"), Some("#microsoft.graph.macOSCustomConfiguration"))
    );
    let r = h.call(Method::POST, DC, Some(minimal("iosCustomConfiguration", "truth"))).await;
    assert_eq!(r.body["@odata.type"], "#microsoft.graph.iosCustomConfiguration");
    assert_eq!(h.emu.state().len(), 3);
    assert_eq!(h.emu.state().wrong_answers_given(WrongAnswer::CreateAnswersOtherName), 1);
    assert_eq!(h.emu.state().wrong_answers_given(WrongAnswer::CreateAnswersOtherType), 2);
}

#[tokio::test]
async fn assign_patch_and_ref_answered_as_done_store_nothing() {
    let h = Harness::start().await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let scep = h.create(minimal("iosScepCertificateProfile", "scep")).await;
    let state = h.emu.state();
    for kind in
        [WrongAnswer::AssignStoresNothing, WrongAnswer::PatchStoresNothing, WrongAnswer::RefStoresNothing]
    {
        state.add_wrong_answer(kind.once());
    }

    // An invalid request is refused as usual and uses nothing up.
    let bad = h.call(Method::POST, &format!("{DC}/{scep}/assign"), Some(json!({"assignments": [{}]}))).await;
    assert_eq!(bad.status, 400);
    let assign = json!({"assignments": [{"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": GROUP}}]});
    let r = h.call(Method::POST, &format!("{DC}/{scep}/assign"), Some(assign.clone())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["value"][0]["target"]["groupId"], GROUP);
    assert_eq!(state.assignments(&scep), Some(vec![]), "stored nothing");

    let r = h.call(Method::PATCH, &format!("{DC}/{scep}"), Some(json!({"displayName": "renamed"}))).await;
    assert_eq!((r.status, r.text.as_str()), (204, ""));
    let stored = state.get(&scep).expect("stored");
    assert_eq!((stored["displayName"].as_str(), stored["version"].as_i64()), (Some("scep"), Some(1)));

    let path = format!("{DC}/{scep}/microsoft.graph.iosScepCertificateProfile/rootCertificate/$ref");
    let r = h.call(Method::PUT, &path, Some(json!({"@odata.id": url(&root)}))).await;
    assert_eq!(r.status, 204);
    assert_eq!(state.root_certificate(&scep), None, "stored nothing");

    for kind in
        [WrongAnswer::AssignStoresNothing, WrongAnswer::PatchStoresNothing, WrongAnswer::RefStoresNothing]
    {
        assert_eq!(state.wrong_answers_given(kind), 1, "{kind:?}");
    }
    // Used up: the same requests now take effect.
    assert_eq!(h.call(Method::POST, &format!("{DC}/{scep}/assign"), Some(assign)).await.status, 200);
    assert_eq!(state.assignments(&scep).map(|a| a.len()), Some(1));
    assert_eq!(
        h.call(Method::PATCH, &format!("{DC}/{scep}"), Some(json!({"displayName": "renamed"}))).await.status,
        204
    );
    assert_eq!(state.get(&scep).expect("stored")["displayName"], "renamed");
    assert_eq!(h.call(Method::PUT, &path, Some(json!({"@odata.id": url(&root)}))).await.status, 204);
    assert_eq!(state.root_certificate(&scep), Some(root));
}

#[tokio::test]
async fn a_collection_ref_post_and_a_patch_returning_the_entity_store_nothing() {
    let emulator = Emulator::new()
        .patch_returns_entity(true)
        .wrong_answers([WrongAnswer::RefStoresNothing, WrongAnswer::PatchStoresNothing]);
    let h = Harness::with(emulator).await;
    let root = h.create(minimal("iosTrustedRootCertificate", "root")).await;
    let wifi = h.create(with(minimal("iosEnterpriseWiFiConfiguration", "wifi"), json!({}))).await;
    let path = format!(
        "{DC}/{wifi}/microsoft.graph.iosEnterpriseWiFiConfiguration/rootCertificatesForServerValidation/$ref"
    );
    for _ in 0..2 {
        assert_eq!(
            h.call(Method::POST, &path, Some(json!({"@odata.id": url(&root)}))).await.status,
            204,
            "always"
        );
    }
    assert_eq!(h.emu.state().references(&wifi), Some(Default::default()));
    let r = h.call(Method::PATCH, &format!("{DC}/{wifi}"), Some(json!({"displayName": "new"}))).await;
    assert_eq!(
        (r.status, r.body["displayName"].as_str(), r.body["version"].as_i64()),
        (200, Some("new"), Some(2))
    );
    assert_eq!(h.emu.state().get(&wifi).expect("stored")["displayName"], "wifi");
    assert_eq!(h.emu.state().wrong_answers_given(WrongAnswer::RefStoresNothing), 2);
}
