//! `$batch` as Graph writes it: an answer naming a step twice, chains longer than an
//! envelope (cut into whole segments, 424 after a failed predecessor), a 401 on one step
//! (one forced refresh, that step sent again), headers in any case, `/assign` steps as
//! repeatable as the single call, reference reads as typed steps, and errors of a failed
//! envelope answering from inside. Waits are recorded, never slept.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::support::{batch::*, resilience::*};
use intune_graph::{
    Error, GraphClient, StatusCode,
    auth::{AccessToken, AuthError, BoxFuture, TokenCredential, TokenRequest},
    batch::{BatchError, StepValue},
    models::{AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment},
};
use serde_json::{Value, json};
use wiremock::{MockServer, ResponseTemplate, matchers::header};

const MAC_SCEP: &str = "#microsoft.graph.macOSScepCertificateProfile";

#[tokio::test]
async fn an_answer_naming_a_step_twice_is_refused_for_that_step() {
    let (_server, client, _sleep) = serve(
        answer(json!([
            {"id": "a", "status": 200, "body": scep("p1")},
            {"id": "b", "status": 200, "body": scep("p2")},
            {"id": "A", "status": 200, "body": scep("p3")}
        ])),
        1,
    )
    .await;
    let mut batch = client.batch();
    batch.get("a", "p1").get("b", "p2");
    let mut results = batch.send().await.unwrap();
    let Error::Batch(error) = results.take("a").unwrap().unwrap_err() else { panic!() };
    assert!(matches!(&*error, BatchError::DuplicateResponse { key, count: 2 } if key == "a"), "{error:?}");
    assert_eq!(error.to_string(), "the $batch response answers step \"a\" 2 times");
    let b = results.take("b").unwrap().unwrap().into_configuration().unwrap();
    assert_eq!(b.id(), Some("p2"));
}

#[tokio::test]
async fn a_chain_longer_than_an_envelope_goes_in_whole_segments() {
    let server = MockServer::start().await;
    // Every step of every envelope succeeds, except "s23", which fails: the steps after it
    // in its envelope get Graph's 424, the segment after it is never sent and gets 424 too.
    when("POST", BATCH)
        .respond_with(|request: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            let mut failed = false;
            let answers: Vec<Value> = body["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|step| {
                    let id = step["id"].as_str().unwrap();
                    if failed {
                        return json!({"id": id, "status": 424, "body": {"error": {"code": "FailedDependency", "message": "m"}}});
                    }
                    if id == "s23" {
                        failed = true;
                        return json!({"id": id, "status": 400, "body": {"error": {"code": "BadRequest", "message": "no"}}});
                    }
                    json!({"id": id, "status": 204})
                })
                .collect();
            answer(Value::Array(answers))
        })
        .expect(2)
        .mount(&server)
        .await;
    let (client, _) = recording_client(&server);
    let mut batch = client.batch();
    for i in 0..45 {
        batch.delete(format!("s{i}"), &format!("p{i}"));
        if i > 0 {
            batch.depends_on(&format!("s{i}"), format!("s{}", i - 1));
        }
    }
    let mut results = batch.send().await.unwrap();
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2, "the third segment follows a failed step: not sent");
    assert_eq!(step_ids(&sent[0]), (0..20).map(|i| format!("s{i}")).collect::<Vec<_>>());
    assert_eq!(step_ids(&sent[1]), (20..40).map(|i| format!("s{i}")).collect::<Vec<_>>());
    // The first step of the second segment depends on an answered step: no dependsOn.
    assert!(sent[1]["requests"][0].get("dependsOn").is_none(), "{}", sent[1]["requests"][0]);
    assert_eq!(sent[1]["requests"][1]["dependsOn"], json!(["s20"]));
    assert_eq!(sent[0]["requests"][19]["dependsOn"], json!(["s18"]));
    for i in 0..23 {
        assert!(matches!(results.take(&format!("s{i}")).unwrap(), Ok(StepValue::Deleted)), "s{i}");
    }
    assert_eq!(results.take("s23").unwrap().unwrap_err().status(), Some(StatusCode::BAD_REQUEST));
    for i in 24..45 {
        let error = results.take(&format!("s{i}")).unwrap().unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::FAILED_DEPENDENCY), "s{i}: {error:?}");
        assert_eq!(error.graph_error().unwrap().code.as_deref(), Some("FailedDependency"), "s{i}");
    }
}

/// Hands out `t1`, then `t2` once a refresh is forced; records every request.
#[derive(Debug, Default)]
struct Rotating {
    requests: Mutex<Vec<(bool, Option<String>)>>,
}

impl Rotating {
    /// A client for `server` whose tokens come from a new `Rotating`, and its sleeper.
    fn client(server: &MockServer) -> (GraphClient, Arc<Rotating>, Arc<RecordingSleep>) {
        let credential = Arc::new(Rotating::default());
        let sleep = RecordingSleep::new();
        let client = builder(&server.uri(), &sleep).credential(credential.clone()).build().unwrap();
        (client, credential, sleep)
    }
}

impl TokenCredential for Rotating {
    fn get_token<'a>(&'a self, request: &'a TokenRequest) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        let mut requests = self.requests.lock().unwrap();
        requests.push((request.force_refresh, request.claims.clone()));
        let token = if requests.iter().any(|(forced, _)| *forced) { "t2" } else { "t1" };
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        Box::pin(async move { Ok(AccessToken::new(token, expires)) })
    }
}

#[tokio::test]
async fn a_401_on_one_step_refreshes_the_token_once_and_resends_that_step() {
    let server = MockServer::start().await;
    when("POST", BATCH)
        .and(header("authorization", "Bearer t1"))
        .respond_with(answer(json!([
            {"id": "a", "status": 401, "headers": {"WWW-Authenticate": "Bearer error=\"invalid_token\""},
             "body": {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}},
            {"id": "b", "status": 200, "body": scep("p2")}
        ])))
        .mount_once(&server)
        .await;
    when("POST", BATCH)
        .and(header("authorization", "Bearer t2"))
        .respond_with(answer(json!([{"id": "a", "status": 200, "body": scep("p1")}])))
        .mount_once(&server)
        .await;
    let (client, credential, sleep) = Rotating::client(&server);
    let mut batch = client.batch();
    batch.get("a", "p1").get("b", "p2");
    let results: Vec<DeviceConfiguration> = batch
        .send()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, r)| r.unwrap().into_configuration().unwrap())
        .collect();
    assert_eq!(results.iter().map(|c| c.id().unwrap()).collect::<Vec<_>>(), ["p1", "p2"]);
    let sent = bodies(&server).await;
    assert_eq!(sent.iter().map(step_ids).collect::<Vec<_>>(), [vec!["a", "b"], vec!["a"]]);
    assert_eq!(*credential.requests.lock().unwrap(), [(false, None), (true, None)]);
    assert!(sleep.waits().is_empty(), "a refresh is not a backoff: {:?}", sleep.waits());
}

#[tokio::test]
async fn a_second_401_on_the_same_step_is_its_answer() {
    let server = MockServer::start().await;
    when("POST", BATCH)
        .respond_with(answer(
            json!([{"id": "a", "status": 401, "body": {"error": {"code": "Unauthorized", "message": "no"}}}]),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let (client, credential, _) = Rotating::client(&server);
    let mut batch = client.batch();
    batch.get("a", "p1");
    let error = batch.send().await.unwrap().take("a").unwrap().unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(error.graph_error().unwrap().attempts, 2);
    assert_eq!(credential.requests.lock().unwrap().len(), 2, "one forced refresh, no more");
}

#[tokio::test]
async fn step_headers_are_read_in_any_case() {
    let first = answer(json!([
        {"id": "raw", "status": 200, "headers": {"Content-Type": "application/json", "Request-Id": "r-9"}, "body": {"value": 1}},
        {"id": "slow", "status": 429, "headers": {"Retry-After": "7"}, "body": {"error": {"code": "TooManyRequests", "message": "m"}}}
    ]));
    let (_server, client, sleep) =
        serve(in_turn([first, answer(json!([{"id": "slow", "status": 200, "body": scep("p1")}]))]), 2).await;
    let mut batch = client.batch();
    batch.raw("raw", intune_graph::Method::GET, "deviceManagement/x", None::<&()>).get("slow", "p1");
    let mut results = batch.send().await.unwrap();
    let raw = results.take("raw").unwrap().unwrap().into_raw().unwrap();
    assert_eq!(raw.headers()["content-type"], "application/json");
    assert_eq!(raw.headers()["request-id"], "r-9");
    assert_eq!(raw.json::<Value>().unwrap(), json!({"value": 1}));
    assert!(results.take("slow").unwrap().is_ok());
    // The step's own Retry-After (what is left of it when the envelope goes); the
    // recording sleeper does not pass time, so the client-wide pause is waited again.
    let first = sleep.waits()[0];
    assert!(first > Duration::from_millis(6900) && first <= Duration::from_secs(7), "{:?}", sleep.waits());
}

#[tokio::test]
async fn an_assign_step_answered_504_is_sent_again_like_the_single_call() {
    let timeout = json!([{"id": "assign", "status": 504, "body": {"error": {"code": "GatewayTimeout", "message": "m"}}}]);
    let assigned = json!([{"id": "assign", "status": 200, "body": {"value": []}}]);
    let (server, client, _) = serve(in_turn([answer(timeout), answer(assigned)]), 2).await;
    let assignment = DeviceConfigurationAssignment::new(AssignmentTarget::group("g1"));
    // `assign` declares itself repeatable where it is built: a 504 is not an unknown outcome.
    let mut batch = client.batch();
    batch.assign("assign", "p1", &[assignment]);
    let result = batch.send().await.unwrap().take("assign").unwrap();
    assert!(matches!(result, Ok(StepValue::Assignments(ref a)) if a.is_empty()), "{result:?}");
    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["requests"][0]["url"], "/deviceManagement/deviceConfigurations/p1/assign");
    assert_eq!(sent[1]["requests"][0]["method"], "POST");
    assert_eq!(
        sent[1]["requests"][0]["body"],
        json!({"assignments": [{"@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g1"}}]})
    );
}

#[tokio::test]
async fn reference_reads_are_typed_steps_for_any_type() {
    let (server, client, _sleep) = serve(answer(json!([
            // The declared type: minimal metadata leaves `@odata.type` out.
            {"id": "mac", "status": 200, "body": {"id": "r1", "displayName": "Root", "trustedRootCertificate": "MIIB"}},
            {"id": "none", "status": 404, "body": {"error": {"code": "ResourceNotFound", "message": "m"}}},
            {"id": "wifi", "status": 200, "body": {"value": [
                {"@odata.type": "#microsoft.graph.androidDeviceOwnerTrustedRootCertificate", "id": "r2"}
            ]}}
        ])), 1).await;
    let wifi = "#microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration";
    let mut batch = client.batch();
    batch
        .reference("mac", "m1", MAC_SCEP, "rootCertificate")
        .reference("none", "m2", MAC_SCEP, "rootCertificate")
        .reference("wifi", "w1", wifi, "rootCertificatesForServerValidation");
    let mut results = batch.send().await.unwrap();
    let sent = bodies(&server).await;
    assert_eq!(
        sent[0]["requests"],
        json!([
            {"id": "mac", "method": "GET", "url": "/deviceManagement/deviceConfigurations/m1/microsoft.graph.macOSScepCertificateProfile/rootCertificate"},
            {"id": "none", "method": "GET", "url": "/deviceManagement/deviceConfigurations/m2/microsoft.graph.macOSScepCertificateProfile/rootCertificate"},
            {"id": "wifi", "method": "GET", "url": "/deviceManagement/deviceConfigurations/w1/microsoft.graph.androidDeviceOwnerEnterpriseWiFiConfiguration/rootCertificatesForServerValidation"}
        ])
    );
    let mac = results.take("mac").unwrap().unwrap().into_reference().unwrap().unwrap();
    let DeviceConfiguration::MacOsTrustedRootCertificate(root) = mac else { panic!("{mac:?}") };
    assert_eq!(root.trusted_root_certificate.as_deref(), Some("MIIB"));
    assert!(results.take("none").unwrap().unwrap().into_reference().unwrap().is_none());
    let members = results.take("wifi").unwrap().unwrap().into_reference_members().unwrap();
    assert_eq!(members.iter().map(|m| m.id().unwrap()).collect::<Vec<_>>(), ["r2"]);
    let mut batch = client.batch();
    batch.reference("bad", "m1", MAC_SCEP, "rootCertificates");
    assert!(matches!(batch.send().await, Err(Error::InvalidArgument { what: "reference", .. })));
}

#[tokio::test]
async fn a_step_of_a_failed_envelope_answers_status_and_ids_from_inside() {
    // A read-only envelope is repeatable: a gateway page is retried like a GET's (6 attempts).
    let (server, client, _sleep) =
        serve(ResponseTemplate::new(200).set_body_string("<html>gateway</html>"), 6).await;
    let mut batch = client.batch();
    batch.get("read", "p1");
    let error = batch.send().await.unwrap().take("read").unwrap().unwrap_err();
    let Error::Batch(inner) = &error else { panic!("{error:?}") };
    assert!(matches!(&**inner, BatchError::Envelope { key, .. } if key == "read"));
    // The envelope's answer, seen through the step's error.
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert!(!error.is_not_found());
    let sent = server.received_requests().await.unwrap();
    let sent_id = sent[0].headers.get("client-request-id").unwrap().to_str().unwrap();
    assert_eq!(error.client_request_id(), Some(sent_id));
    assert_eq!(sent[5].headers.get("retry-attempt").unwrap(), "5");
}
