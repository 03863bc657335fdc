//! `$batch` against the emulator: the helpers read many objects in envelopes of 20, step
//! faults and quota inside a 200 envelope are retried per step, chains go again whole,
//! 424 for dependents, unknown outcomes of processed creates, shuffled answers, and the
//! emulator's 400s for broken envelopes.

use std::time::Duration;

use intune_graph::{
    Error, GraphClient, Method, RetryPolicy, StatusCode,
    emulator::{Emulator, QuotaConfig, RunningEmulator, StepFault},
    models::{AssignmentTarget, DeviceConfigurationAssignment},
};
use serde_json::{Value, json};

use crate::support::emulator::send_json;

fn client(emu: &RunningEmulator) -> GraphClient {
    GraphClient::builder()
        .base_url(emu.base_url().as_str())
        .bearer_token(emu.token())
        .retry_policy(RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5)))
        .build()
        .unwrap()
}

fn scep(name: &str) -> Value {
    json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": name})
}

fn seed(emu: &RunningEmulator, n: usize) -> Vec<String> {
    (0..n).map(|i| emu.state().insert_raw(scep(&format!("p{i}")))).collect()
}

fn throttled(retry_after: Option<&str>) -> StepFault {
    StepFault::TooManyRequests { retry_after: retry_after.map(str::to_owned) }
}

#[tokio::test]
async fn the_helpers_read_many_objects_in_envelopes_of_twenty() {
    let emu = Emulator::new().start().await.unwrap();
    let mut ids = seed(&emu, 44);
    let client = client(&emu);
    let dc = client.device_configurations();
    let group = "33333333-0000-4000-8000-000000000003";
    dc.assign(&ids[3], &[DeviceConfigurationAssignment::new(AssignmentTarget::group(group))]).await.unwrap();
    let root = emu.state().insert_raw(
        json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": "root"}),
    );
    dc.link_root_certificate(&ids[5], &root).await.unwrap();
    ids.push("does-not-exist".into());

    let before = emu.state().requests();
    let configs = dc.get_many(&ids).await.unwrap();
    assert_eq!(emu.state().requests() - before, 3, "45 reads in ceil(45/20) envelopes");
    for (i, result) in configs.iter().take(44).enumerate() {
        assert_eq!(result.as_ref().unwrap().display_name(), Some(format!("p{i}").as_str()));
    }
    assert_eq!(configs[44].as_ref().unwrap_err().status(), Some(StatusCode::NOT_FOUND));

    let before = emu.state().requests();
    let assignments = dc.assignments_many(&ids[..44]).await.unwrap();
    assert_eq!(emu.state().requests() - before, 3);
    let groups: Vec<usize> = assignments.iter().map(|a| a.as_ref().unwrap().len()).collect();
    assert_eq!(groups.iter().sum::<usize>(), 1);
    assert_eq!(groups[3], 1);
    let target = assignments[3].as_ref().unwrap()[0].target.as_ref();
    assert!(
        matches!(target, Some(AssignmentTarget::Group(g)) if g.group_id.as_deref() == Some(group)),
        "{target:?}"
    );

    let roots = dc.root_certificates_many(&ids[..10]).await.unwrap();
    for (i, result) in roots.iter().enumerate() {
        let linked = result.as_ref().unwrap();
        assert_eq!(
            linked.as_ref().and_then(|r| r.base.id.as_deref()),
            (i == 5).then_some(root.as_str()),
            "{i}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn throttled_steps_inside_a_200_envelope_go_again_after_their_own_hint() {
    let emu = Emulator::new().start().await.unwrap();
    let ids = seed(&emu, 3);
    emu.state().inject_step_fault("1", throttled(None));
    emu.state().inject_step_fault("2", throttled(Some("0.05")));
    let client = client(&emu);
    let before = emu.state().requests();
    let configs = client.device_configurations().get_many(&ids).await.unwrap();
    assert!(configs.iter().all(Result::is_ok), "{configs:?}");
    // The two throttled steps are all that is left: they wait for the longer of their
    // waits (the 50 ms hint; the other's backoff is a few ms) and go together.
    assert_eq!(emu.state().requests() - before, 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_chain_throttled_at_its_start_goes_again_whole() {
    let emu = Emulator::new().start().await.unwrap();
    let ids = seed(&emu, 1);
    emu.state().inject_step_fault("create", throttled(Some("0.05")));
    let client = client(&emu);
    let mut batch = client.batch();
    batch.raw("create", Method::POST, "deviceManagement/deviceConfigurations", Some(&scep("chained")));
    batch.get("read", &ids[0]).depends_on("read", "create");
    let mut results = batch.send().await.unwrap();
    let created: Value = results.take("create").unwrap().unwrap().into_raw().unwrap().json().unwrap();
    assert_eq!(created["displayName"], "chained");
    assert_eq!(
        results.take("read").unwrap().unwrap().into_configuration().unwrap().id(),
        Some(ids[0].as_str())
    );
    assert_eq!(emu.state().len(), 2, "created once");
    emu.shutdown().await;
}

#[tokio::test]
async fn dependents_of_a_failed_step_get_424() {
    let emu = Emulator::new().start().await.unwrap();
    let ids = seed(&emu, 1);
    let client = client(&emu);
    let mut batch = client.batch();
    // No displayName: the emulator refuses the create.
    let bad = json!({"@odata.type": "#microsoft.graph.iosScepCertificateProfile"});
    batch.raw("create", Method::POST, "deviceManagement/deviceConfigurations", Some(&bad));
    batch.get("read", &ids[0]).depends_on("read", "create");
    batch.delete("delete", &ids[0]).depends_on("delete", "read");
    let mut results = batch.send().await.unwrap();
    assert_eq!(results.take("create").unwrap().unwrap_err().status(), Some(StatusCode::BAD_REQUEST));
    for key in ["read", "delete"] {
        let error = results.take(key).unwrap().unwrap_err();
        assert_eq!(error.status(), Some(StatusCode::FAILED_DEPENDENCY), "{key}");
        assert!(error.request_id().is_some());
    }
    assert_eq!(emu.state().len(), 1, "nothing deleted");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_create_step_answered_504_is_unknown_but_was_stored() {
    let emu = Emulator::new().start().await.unwrap();
    emu.state().inject_step_fault("c", StepFault::GatewayTimeout);
    let client = client(&emu);
    let mut batch = client.batch();
    batch.raw("c", Method::POST, "deviceManagement/deviceConfigurations", Some(&scep("maybe")));
    let mut results = batch.send().await.unwrap();
    let error = results.take("c").unwrap().unwrap_err();
    let Error::OutcomeUnknown(unknown) = &error else { panic!("{error:?}") };
    assert_eq!(serde_json::from_slice::<Value>(&unknown.body).unwrap(), scep("maybe"));
    assert_eq!(emu.state().len(), 1, "processed once, never re-sent");
    assert_eq!(emu.state().requests(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn every_step_counts_against_the_quota_and_throttled_ones_are_retried() {
    let quota = QuotaConfig { time_scale: 0.005, app_requests: 8, ..QuotaConfig::default() };
    let emu = Emulator::new().quota(quota).start().await.unwrap();
    let ids = seed(&emu, 20);
    let client = client(&emu);
    let configs = client.device_configurations().get_many(&ids).await.unwrap();
    assert!(configs.iter().all(Result::is_ok), "{configs:?}");
    assert!(emu.state().throttled() >= 12, "steps past the 8 per window: {}", emu.state().throttled());
    assert!(emu.state().requests() >= 3);
    emu.shutdown().await;
}

fn get(id: &str, url: &str) -> Value {
    json!({"id": id, "method": "GET", "url": url})
}

#[tokio::test]
async fn the_emulator_refuses_broken_envelopes_and_shuffles_answers() {
    let emu = Emulator::new().start().await.unwrap();
    let ids = seed(&emu, 20);
    let dc = "/deviceManagement/deviceConfigurations";
    let steps: Vec<Value> =
        ids.iter().enumerate().map(|(i, id)| get(&i.to_string(), &format!("{dc}/{id}"))).collect();

    let mut too_many = steps.clone();
    too_many.push(get("20", dc));
    let mut chain_and_parallel = vec![get("a", dc), get("b", dc), get("c", dc)];
    chain_and_parallel[1]["dependsOn"] = json!(["a"]);
    let no_content_type = json!({"id": "1", "method": "POST", "url": dc, "body": scep("x")});
    for (name, body) in [
        ("more than 20", json!({"requests": too_many})),
        ("duplicate ids", json!({"requests": [get("x", dc), get("X", dc)]})),
        ("absolute url", json!({"requests": [get("1", &format!("{}{dc}", emu.base_url()))]})),
        ("mixed shape", json!({"requests": chain_and_parallel})),
        ("body without content type", json!({"requests": [no_content_type]})),
    ] {
        let (status, answer) = send_json(&emu, Method::POST, "/$batch", body.to_string().as_bytes()).await;
        assert_eq!(status, 400, "{name}");
        assert_eq!(answer["error"]["code"], "BadRequest", "{name}");
    }

    // 20! orders: three envelopes all answered in the order asked would mean no shuffle.
    let mut orders = Vec::new();
    for _ in 0..3 {
        let (status, answer) =
            send_json(&emu, Method::POST, "/$batch", json!({"requests": steps}).to_string().as_bytes()).await;
        assert_eq!(status, 200);
        let responses = answer["responses"].as_array().unwrap();
        assert!(responses.iter().all(|r| r["status"] == 200 && r["body"]["id"].is_string()));
        orders.push(responses.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>());
    }
    let asked: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    assert!(orders.iter().any(|o| *o != asked), "answers never shuffled");
    emu.shutdown().await;
}
