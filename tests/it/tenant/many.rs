//! One snapshot, many tenants, each on its own.

use intune_graph::tenant::{self, PlanOptions, TenantSummary, TenantTarget};

use super::*;

#[tokio::test]
async fn eight_tenants_are_brought_to_one_snapshot_and_a_ninth_with_a_wrong_token_fails_alone() {
    let a = super::roundtrip::seeded().await;
    let (dir, snapshot) = export_to(&a, "many").await;
    let mut emulators = Vec::new();
    for n in 0..9u8 {
        let group = format!("{n:08x}-1111-4111-8111-111111111111");
        let sales = format!("{n:08x}-2222-4222-8222-222222222222");
        emulators.push(tenant_with(&group, &sales).start().await.unwrap());
    }
    let mut tenants: Vec<TenantTarget> = emulators[..8]
        .iter()
        .enumerate()
        .map(|(n, emu)| TenantTarget::new(format!("tenant-{n}"), client(emu), PlanOptions::new()))
        .collect();
    let wrong = GraphClient::builder()
        .base_url(emulators[8].base_url().as_str())
        .bearer_token("not-the-emulators-token")
        .build()
        .unwrap();
    tenants.push(TenantTarget::new("wrong-token", wrong, PlanOptions::new()));

    let runs = tenant::apply_many(&snapshot, &tenants, 4, &no_settle(), |_, _| {}).await;
    let summaries: Vec<TenantSummary> = runs.iter().map(TenantSummary::of_apply).collect();
    let names: Vec<&str> = summaries.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[..3], ["tenant-0", "tenant-1", "tenant-2"], "in the order given");
    for summary in &summaries[..8] {
        assert!(summary.ok && summary.all_verified, "{summary:?}");
        assert_eq!((summary.created, summary.verified, summary.failed), (3, 3, 0), "{summary:?}");
    }
    let ninth = &summaries[8];
    assert!(!ninth.ok && ninth.error.as_deref().is_some_and(|e| e.contains("401")), "{ninth:?}");
    assert!(
        !ninth.error.as_deref().unwrap_or_default().contains("not-the-emulators-token"),
        "no token in reports"
    );
    for (n, emu) in emulators[..8].iter().enumerate() {
        assert_eq!(emu.state().len(), 3, "tenant {n}: one object per file");
        let group = format!("{n:08x}-1111-4111-8111-111111111111");
        assert_eq!(
            emu.state().assignments(&id_of(emu, "Contoso Root CA")).unwrap()[0]["target"]["groupId"],
            group
        );
    }
    assert!(emulators[8].state().is_empty());

    let plans = tenant::plan_many(&snapshot, &tenants[..8], 8).await;
    for run in &plans {
        let plan = run.result.as_ref().unwrap();
        assert!(!plan.has_changes(), "{}: {plan}", run.name);
    }
    let summary = TenantSummary::of_plan(&plans[0]);
    assert_eq!((summary.unchanged, summary.changes, summary.ok), (3, false, true));
    std::fs::remove_dir_all(dir).unwrap();
}
