//! The soak in CI: 60 concurrent creates (8 at a time) through the standard retry policy
//! with reconcile on, against the emulator injecting faults into 20 % of requests (429s,
//! 503s, 504s, resets before and after storing, truncated bodies, slow responses). Every
//! profile must exist exactly once. Waits are scaled down 100× through the injected
//! sleeper, so the emulator's whole-second hints cost 10 ms.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use futures_util::StreamExt;
use intune_graph::{
    AsyncSleep, GraphClient,
    api::CreateOptions,
    auth::BoxFuture,
    emulator::{Emulator, FaultConfig},
    models::IosScepCertificateProfile,
};

const N: usize = 60;
const CONCURRENCY: usize = 8;
const SEED: u64 = 20_261_126;

/// Waits a hundredth of the time asked.
#[derive(Debug)]
struct Scaled;

impl AsyncSleep for Scaled {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration / 100))
    }
}

fn profile(i: usize) -> IosScepCertificateProfile {
    crate::support::fixtures::scep_profile(&format!("soak-{i:05}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_under_faults_leave_each_profile_exactly_once() {
    let faults = FaultConfig {
        retry_after: Duration::from_millis(100),
        delay: Duration::from_millis(20),
        ..FaultConfig::new(0.2, SEED)
    };
    let emulator = Emulator::new().faults(faults).start().await.unwrap();
    let client = GraphClient::builder()
        .base_url(emulator.base_url().as_str())
        .bearer_token(emulator.token())
        .sleep_impl(Arc::new(Scaled))
        .build()
        .unwrap();
    let options = CreateOptions::reconcile_by_display_name().settle_delay(Duration::from_millis(10));
    let configurations = client.device_configurations();

    let outcomes: Vec<(usize, intune_graph::Result<bool>)> = futures_util::stream::iter(1..=N)
        .map(|i| {
            let configurations = configurations.clone();
            let options = options.clone();
            async move {
                let outcome = configurations.create_with(&profile(i), options).await;
                (i, outcome.map(|created| created.reconciled))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;

    let failures: Vec<String> =
        outcomes.iter().filter_map(|(i, o)| o.as_ref().err().map(|e| format!("soak-{i:05}: {e}"))).collect();
    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for object in emulator.state().objects() {
        let name = object["displayName"].as_str().unwrap_or_default().to_owned();
        *stored.entry(name).or_default() += 1;
    }
    let duplicates: Vec<(&String, &usize)> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicated profiles: {duplicates:?}");
    assert!(failures.is_empty(), "failed creates: {failures:#?}");
    assert_eq!(stored.len(), N, "exactly N profiles");
    for i in 1..=N {
        assert_eq!(stored.get(&format!("soak-{i:05}")), Some(&1), "soak-{i:05}");
    }
    assert!(emulator.state().faults_injected() > 0, "the faults were really injected");
    let reconciled = outcomes.iter().filter(|(_, o)| matches!(o, Ok(true))).count();
    eprintln!(
        "soak: n={N} reconciled={reconciled} requests={} faults={}",
        emulator.state().requests(),
        emulator.state().faults_injected()
    );
}
