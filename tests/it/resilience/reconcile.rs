//! Opt-in reconcile of creates whose outcome is unknown: against the emulator with one
//! injected fault at a time, and against wiremock for the exact lookup requests.

use std::time::Duration;

use crate::support::resilience::*;
use intune_graph::{
    Error, StatusCode,
    api::CreateOptions,
    emulator::{Emulator, FaultKind},
    models::IosScepCertificateProfile,
};
use serde_json::json;
use wiremock::{MockServer, ResponseTemplate, matchers::query_param};

fn reconcile() -> CreateOptions {
    CreateOptions::reconcile_by_display_name().settle_delay(Duration::ZERO)
}

/// Creates `scep_profile(name)` with the next `/beta` request(s) failing as `faults` say.
async fn create_through(
    faults: &[FaultKind],
    options: CreateOptions,
    name: &str,
) -> (intune_graph::Result<intune_graph::api::Created<IosScepCertificateProfile>>, Vec<String>) {
    let emulator = Emulator::new().start().await.unwrap();
    let sleep = RecordingSleep::new();
    let client = emulator_builder(&emulator, &sleep).build().unwrap();
    for fault in faults {
        emulator.state().inject_fault(*fault);
    }
    let result = client.device_configurations().create_with(&scep_profile(name), options).await;
    (result, stored_names(&emulator))
}

#[tokio::test]
async fn without_reconcile_an_unknown_outcome_is_reported_and_not_resent() {
    let (result, stored) = create_through(&[FaultKind::GatewayTimeout], CreateOptions::new(), "p").await;
    let error = result.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    assert_eq!(stored, ["p"], "the create had happened: re-sending would have duplicated it");
}

#[tokio::test]
async fn creates_that_happened_are_found_not_resent() {
    for fault in [
        FaultKind::GatewayTimeout,
        FaultKind::ResetAfterProcessing,
        FaultKind::TruncatedBody,
        FaultKind::TruncatedJson,
    ] {
        let (result, stored) = create_through(&[fault], reconcile(), "SCEP - Wi-Fi").await;
        let created = result.unwrap_or_else(|e| panic!("{fault:?}: {e:?}"));
        assert!(created.reconciled, "{fault:?}");
        assert_eq!(created.reposts, 0, "{fault:?}");
        assert_eq!(created.object.base.display_name.as_deref(), Some("SCEP - Wi-Fi"));
        assert!(created.object.base.id.is_some());
        assert_eq!(stored, ["SCEP - Wi-Fi"], "{fault:?}: exactly one object");
    }
}

#[tokio::test]
async fn creates_that_did_not_happen_are_sent_again() {
    for fault in [FaultKind::ResetBeforeProcessing, FaultKind::ServiceUnavailable] {
        let (result, stored) = create_through(&[fault], reconcile(), "p").await;
        let created = result.unwrap_or_else(|e| panic!("{fault:?}: {e:?}"));
        assert!(!created.reconciled, "{fault:?}");
        assert_eq!(created.reposts, 1, "{fault:?}");
        assert_eq!(stored, ["p"], "{fault:?}");
    }
}

#[tokio::test]
async fn a_lookup_that_arrives_broken_is_made_again() {
    let (result, stored) =
        create_through(&[FaultKind::GatewayTimeout, FaultKind::TruncatedJson], reconcile(), "p").await;
    assert!(result.unwrap().reconciled);
    assert_eq!(stored, ["p"]);
}

#[tokio::test]
async fn quotes_are_escaped_and_case_differences_are_not_mistaken_for_the_object() {
    let emulator = Emulator::new().start().await.unwrap();
    let sleep = RecordingSleep::new();
    let client = emulator_builder(&emulator, &sleep).build().unwrap();
    // Graph's `eq` ignores case: this one comes back from the lookup, but is not ours.
    emulator.state().insert_raw(json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "displayName": "o'brien's PROFILE",
    }));
    // Same name, another type: not ours either.
    emulator.state().insert_raw(json!({
        "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
        "displayName": "O'Brien's profile",
    }));
    emulator.state().inject_fault(FaultKind::ResetBeforeProcessing);
    let created = client
        .device_configurations()
        .create_with(&scep_profile("O'Brien's profile"), reconcile())
        .await
        .unwrap();
    assert_eq!(created.reposts, 1, "the look-alikes were not taken for the new object");
    assert_eq!(stored_names(&emulator), ["o'brien's PROFILE", "O'Brien's profile", "O'Brien's profile"]);
}

#[tokio::test]
async fn a_marker_tells_the_new_object_from_an_older_one_with_the_same_name() {
    let emulator = Emulator::new().start().await.unwrap();
    let sleep = RecordingSleep::new();
    let client = emulator_builder(&emulator, &sleep).build().unwrap();
    let old = emulator.state().insert_raw(json!({
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "displayName": "p",
        "description": "made by hand",
        "createdDateTime": "2099-01-01T00:00:00Z",
    }));
    let mut new = scep_profile("p");
    new.base.description = Some("provisioned by run 7f3c".into());
    emulator.state().inject_fault(FaultKind::GatewayTimeout);
    let created = client
        .device_configurations()
        .create_with(&new, CreateOptions::reconcile_by_marker("run 7f3c").settle_delay(Duration::ZERO))
        .await
        .unwrap();
    assert!(created.reconciled);
    assert_ne!(created.object.base.id.as_deref(), Some(old.as_str()));
    assert_eq!(created.object.base.description.as_deref(), Some("provisioned by run 7f3c"));
    assert_eq!(emulator.state().len(), 2);

    // A marker missing from the description is refused before anything is sent.
    let error = client
        .device_configurations()
        .create_with(&scep_profile("q"), CreateOptions::reconcile_by_marker("run 7f3c"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { what: "object", .. }), "{error:?}");
    assert_eq!(emulator.state().len(), 2);
}

#[tokio::test]
async fn the_lookup_filters_by_escaped_name_and_type_and_falls_back_when_refused() {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(ResponseTemplate::new(504)).mount(&server).await;
    let combined = "displayName eq 'It''s' and isof('microsoft.graph.iosScepCertificateProfile')";
    when("GET", COLLECTION)
        .and(query_param("$filter", combined))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                json!({"error": {"code": "BadRequest", "message": "isof not supported here"}}),
            ),
        )
        .mount(&server)
        .await;
    when("GET", COLLECTION)
        .and(query_param("$filter", "displayName eq 'It''s'"))
        .respond_with(ok_json(json!({"value": [
            {"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": "root", "displayName": "It's"},
            {"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "older", "displayName": "It's",
             "createdDateTime": "2026-11-26T12:00:00Z"},
            {"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "newer", "displayName": "It's",
             "createdDateTime": "2026-11-26T12:30:00Z"},
        ]})))
        .mount(&server)
        .await;
    object_read("newer", "It's").mount(&server).await;
    let (client, _) = recording_client(&server);
    let created = client
        .device_configurations()
        .create_with(
            &scep_profile("It's"),
            CreateOptions::reconcile_by_display_name().settle_delay(Duration::ZERO),
        )
        .await
        .unwrap();
    assert!(created.reconciled);
    assert_eq!(created.object.base.id.as_deref(), Some("newer"), "the newest match wins");
    let requests = server.received_requests().await.unwrap();
    let summary: Vec<String> = requests.iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
    assert_eq!(
        summary,
        [
            format!("POST {COLLECTION}"),
            format!("GET {COLLECTION}"),
            format!("GET {COLLECTION}"),
            format!("GET {COLLECTION}/newer"),
        ]
    );
    // The filter went out percent-encoded, with `'` doubled inside the literal.
    assert!(requests[1].url.query().unwrap().contains("It%27%27s"), "{}", requests[1].url);
}

#[tokio::test]
async fn a_failed_lookup_returns_the_original_unknown_outcome() {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(ResponseTemplate::new(504)).mount(&server).await;
    when("GET", COLLECTION).respond_with(ResponseTemplate::new(403)).mount(&server).await;
    let (client, _) = recording_client(&server);
    let error =
        client.device_configurations().create_with(&scep_profile("p"), reconcile()).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::GATEWAY_TIMEOUT));
    let posts =
        server.received_requests().await.unwrap().iter().filter(|r| r.method.as_str() == "POST").count();
    assert_eq!(posts, 1, "never re-sent without a lookup saying it is absent");
}
