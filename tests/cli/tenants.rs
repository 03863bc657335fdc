//! `intune plan|apply DIR --tenants FILE`: one snapshot, many tenants, one report.

use std::path::PathBuf;

use crate::{
    iac::{samples, temp, tenant},
    support::*,
};
use intune_graph::emulator::RunningEmulator;
use serde_json::Value;

/// The variable the tenants file names for the good token, and the one for a wrong token.
const GOOD: &str = "TENANTS_TEST_TOKEN";
const BAD: &str = "TENANTS_TEST_WRONG";
const WRONG_TOKEN: &str = "wrong-token-0f9e8d7c6b";

fn group(n: usize) -> String {
    format!("{n:08x}-aaaa-4bbb-8ccc-dddddddddddd")
}

/// A tenants file naming `tenants` (name, emulator, variable holding its token).
fn tenants_file(name: &str, tenants: &[(String, &RunningEmulator, &str)]) -> PathBuf {
    let mut text = String::new();
    for (tenant, emu, variable) in tenants {
        text.push_str(&format!(
            "[[tenant]]\nname = \"{tenant}\"\nbase_url = \"{}\"\ntoken_env = \"{variable}\"\n\n",
            emu.base_url()
        ));
    }
    let path = temp(&format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

async fn run_tenants(args: &[&str]) -> Run {
    run_with(args, &[(GOOD, TOKEN), (BAD, WRONG_TOKEN)], None).await
}

fn summary(run: &Run) -> Vec<Value> {
    let last: Value = serde_json::from_str(run.lines().last().expect("a last line")).expect("JSON");
    last["tenants"].as_array().expect("{\"tenants\": [...]}").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tenants_and_a_ninth_with_a_wrong_token() {
    let mut emulators = Vec::new();
    for n in 0..9 {
        emulators.push(tenant(&group(n)).await);
    }
    let mut all: Vec<(String, &RunningEmulator, &str)> =
        emulators[..8].iter().enumerate().map(|(n, emu)| (format!("tenant-{n}"), emu, GOOD)).collect();
    let eight = tenants_file("eight", &all);
    all.push(("wrong-token".into(), &emulators[8], BAD));
    let nine = tenants_file("nine", &all);
    let samples = samples();

    let run =
        run_tenants(&["plan", &samples, "--tenants", eight.to_str().unwrap(), "--output", "json"]).await;
    run.assert_code(3);
    assert_eq!(run.lines().len(), 9, "a line per tenant and the summary");
    assert!(summary(&run).iter().all(|t| t["changes"] == true && t["created"] == 3));

    let run = run_tenants(&[
        "apply",
        &samples,
        "--tenants",
        nine.to_str().unwrap(),
        "--parallel",
        "4",
        "--yes",
        "--output",
        "json",
    ])
    .await;
    run.assert_code(1);
    let tenants = summary(&run);
    assert_eq!(tenants.len(), 9);
    for t in &tenants[..8] {
        assert_eq!(
            (t["ok"].clone(), t["created"].clone(), t["verified"].clone(), t["error"].clone()),
            (Value::Bool(true), 3.into(), 3.into(), Value::Null),
            "{t}"
        );
    }
    assert_eq!(tenants[8]["name"], "wrong-token");
    assert_eq!(tenants[8]["ok"], false);
    assert!(tenants[8]["error"].as_str().unwrap().contains("401"), "{}", tenants[8]);
    let events: Vec<Value> =
        run.lines()[..run.lines().len() - 1].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(events.iter().all(|e| e["tenant"].is_string()), "every event names its tenant");
    assert_eq!(events.iter().filter(|e| e["event"] == "verified").count(), 24);
    for (n, emu) in emulators[..8].iter().enumerate() {
        assert_eq!(emu.state().len(), 3, "tenant {n}: one object per file");
    }
    assert!(emulators[8].state().is_empty());
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    assert!(!run.stdout.contains(WRONG_TOKEN) && !run.stderr.contains(WRONG_TOKEN));

    let run =
        run_tenants(&["plan", &samples, "--tenants", eight.to_str().unwrap(), "--output", "table"]).await;
    run.assert_code(0);
    let rows: Vec<&str> = run.stdout.lines().skip_while(|l| !l.starts_with("TENANT")).collect();
    assert_eq!(rows.len(), 9, "{}", run.stdout);
    assert!(rows[1].starts_with("tenant-0") && rows[1].contains("in sync"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_tenants_file_is_refused_whole_and_nothing_is_sent() {
    let emu = tenant(&group(0)).await;
    let cases = [
        (
            "unknown-key",
            format!(
                "[[tenant]]\nname = \"a\"\nbase_url = \"{}\"\ntoken_env = \"{GOOD}\"\ncolour = 1\n",
                emu.base_url()
            ),
            "unknown field `colour`",
        ),
        (
            "unset",
            format!(
                "[[tenant]]\nname = \"a\"\nbase_url = \"{}\"\ntoken_env = \"NOT_SET_HERE\"\n",
                emu.base_url()
            ),
            "the variable NOT_SET_HERE is not set",
        ),
        (
            "twice",
            format!(
                "[[tenant]]\nname = \"a\"\nbase_url = \"{0}\"\ntoken_env = \"{GOOD}\"\n[[tenant]]\nname = \"a\"\nbase_url = \"{0}\"\ntoken_env = \"{GOOD}\"\n",
                emu.base_url()
            ),
            "the name is used twice",
        ),
        (
            "secret",
            format!(
                "[[tenant]]\nname = \"a\"\nbase_url = \"{}\"\ntoken = \"{WRONG_TOKEN}\ntoken_env = 1\n",
                emu.base_url()
            ),
            "line 4",
        ),
    ];
    for (name, text, message) in cases {
        let path = temp(&format!("bad-{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let run = run_tenants(&["apply", &samples(), "--tenants", path.to_str().unwrap(), "--yes"]).await;
        run.assert_code(2);
        assert!(run.stderr.contains(message), "{name}: {}", run.stderr);
        assert!(!run.stderr.contains(WRONG_TOKEN), "{name}: {}", run.stderr);
    }
    assert_eq!(emu.state().requests(), 0, "nothing sent");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_file_holding_a_token_that_others_may_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let emu = tenant(&group(0)).await;
    let path = temp("literal.toml");
    std::fs::write(
        &path,
        format!("[[tenant]]\nname = \"a\"\nbase_url = \"{}\"\ntoken = \"{TOKEN}\"\n", emu.base_url()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run =
        run_tenants(&["plan", &samples(), "--tenants", path.to_str().unwrap(), "--output", "table"]).await;
    run.assert_code(3).assert_stderr(Has("holds a token and other users may read it"));
    assert!(!run.stderr.contains(TOKEN) && !run.stdout.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_wait_shows_for_its_own_tenant() {
    let calm = tenant(&group(0)).await;
    let throttled = tenant(&group(1)).await;
    throttled.state().inject_fault(intune_graph::emulator::FaultKind::TooManyRequestsSeconds);
    let file = tenants_file("throttle", &[("calm".into(), &calm, GOOD), ("busy".into(), &throttled, GOOD)]);
    let run = run_tenants(&[
        "apply",
        &samples(),
        "--tenants",
        file.to_str().unwrap(),
        "--yes",
        "--output",
        "table",
    ])
    .await;
    run.assert_code(0);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("busy: throttled, waiting ")), "{}", run.stderr);
    assert!(!lines.iter().any(|l| l.starts_with("calm: throttled")), "{}", run.stderr);
    assert!(
        lines.iter().any(|l| l.starts_with("busy: GET ") && l.contains(": HTTP 429; retrying")),
        "{}",
        run.stderr
    );
    assert!(lines.iter().any(|l| l.starts_with("calm: ") && l.ends_with(": verified")), "{}", run.stderr);
}
