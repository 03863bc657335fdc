//! `intune emulator` (a foreground Graph for other processes) and the embedded emulator
//! used when nothing is configured.

use std::{collections::HashMap, process::Stdio, time::Duration};

use crate::support::*;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

/// A running `intune emulator` process and the `key=value` lines it printed.
struct EmulatorProcess {
    child: tokio::process::Child,
    first_line: String,
    values: HashMap<String, String>,
    stderr: Option<tokio::process::ChildStderr>,
}

impl EmulatorProcess {
    async fn spawn(args: &[&str]) -> Self {
        let mut child = command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("intune emulator starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut first_line = String::new();
        let mut values = HashMap::new();
        let read = async {
            while values.len() < 6 {
                let line = lines.next_line().await.expect("read stdout").expect("six key=value lines");
                if first_line.is_empty() {
                    first_line = line.clone();
                }
                let (key, value) = line.split_once('=').expect("key=value");
                values.insert(key.to_owned(), value.to_owned());
            }
        };
        tokio::time::timeout(Duration::from_secs(60), read).await.expect("the emulator prints its lines");
        let stderr = child.stderr.take();
        EmulatorProcess { child, first_line, values, stderr }
    }

    fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or_else(|| panic!("no {key}= line"))
    }

    async fn stderr_so_far(&mut self) -> String {
        let mut out = String::new();
        if let Some(stderr) = self.stderr.take() {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Ok(Some(line))) =
                tokio::time::timeout(Duration::from_millis(500), lines.next_line()).await
            {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }

    async fn kill(mut self) {
        self.child.start_kill().expect("kill the emulator");
        let _ = self.child.wait().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_prints_its_base_url_first_and_serves_other_processes() {
    let emu = EmulatorProcess::spawn(&["emulator", "--addr", "127.0.0.1:0", "--page-size", "2"]).await;
    let base_url = emu.get("base_url").to_owned();
    assert!(emu.first_line.starts_with("base_url=http://127.0.0.1:"), "{}", emu.first_line);
    assert!(base_url.ends_with("/beta"), "{base_url}");
    let port: u16 =
        base_url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/beta").parse().unwrap();
    assert_ne!(port, 0);
    for key in ["token", "tenant_id", "client_id", "client_secret", "authority_host"] {
        assert!(!emu.get(key).is_empty(), "{key}");
    }

    // A static token.
    let token = emu.get("token").to_owned();
    for name in ["One", "Two", "Three"] {
        let run = run_with(
            &["--base-url", &base_url, "--token", &token, "--output", "json", "create", "-"],
            &[],
            Some(&bytes(&scep_profile(name))),
        )
        .await;
        run.assert_code(0);
    }
    let run = run_with(
        &["--output", "json", "list", "--all"],
        &[("GRAPH_BASE_URL", &base_url), ("GRAPH_TOKEN", &token)],
        None,
    )
    .await;
    run.assert_code(0);
    let listed = run.json();
    let names: Vec<&str> =
        listed.as_array().unwrap().iter().map(|i| i["displayName"].as_str().unwrap()).collect();
    assert_eq!(names, ["One", "Two", "Three"], "over two pages of two");

    // The client-credentials pair, through the Azure variables.
    let env = [
        ("AZURE_TENANT_ID", emu.get("tenant_id")),
        ("AZURE_CLIENT_ID", emu.get("client_id")),
        ("AZURE_CLIENT_SECRET", emu.get("client_secret")),
        ("AZURE_AUTHORITY_HOST", emu.get("authority_host")),
    ];
    let run = run_with(&["--base-url", &base_url, "--output", "table", "list", "--all"], &env, None).await;
    run.assert_code(0);
    assert_eq!(run.lines().len(), 4, "header and three rows:\n{}", run.stdout);

    let wrong_secret = "wrong-secret-8e2d0c";
    let mut bad = env;
    bad[2].1 = wrong_secret;
    let run = run_with(&["--base-url", &base_url, "list"], &bad, None).await;
    run.assert_code(1);
    assert!(!run.stderr.contains(wrong_secret), "{}", run.stderr);

    emu.kill().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_stops_cleanly_on_ctrl_c() {
    let mut emu = EmulatorProcess::spawn(&["emulator"]).await;
    let pid = emu.child.id().expect("running").to_string();
    let status = std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill -INT");
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(30), emu.child.wait()).await.expect("stops").unwrap();
    assert_eq!(exit.code(), Some(0));
    let stderr = emu.stderr_so_far().await;
    assert!(stderr.contains("stopped:"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_with_faults_and_quota() {
    let mut emu = EmulatorProcess::spawn(&[
        "emulator",
        "--fault-rate",
        "1",
        "--seed",
        "7",
        "--fault-writes-only",
        "--quota",
        "--time-scale",
        "0.05",
    ])
    .await;
    let base_url = emu.get("base_url").to_owned();
    let token = emu.get("token").to_owned();
    // Only writes get faults: a read goes through.
    let run = run_with(&["--base-url", &base_url, "--token", &token, "list"], &[], None).await;
    run.assert_code(0);
    assert_eq!(run.json(), json!([]));
    emu.child.start_kill().unwrap();
    let stderr = emu.stderr_so_far().await;
    assert!(stderr.contains("faults at rate 1 (seed 7)"), "{stderr}");
    assert!(stderr.contains("Intune quota, 1s windows"), "{stderr}");
    let _ = emu.child.wait().await;

    // Options that need another one, or bad values.
    for args in [
        &["emulator", "--seed", "1"][..],
        &["emulator", "--time-scale", "0.5"],
        &["emulator", "--quota", "--time-scale", "0"],
        &["emulator", "--addr", "not-an-address"],
    ] {
        run_with(args, &[], None).await.assert_code(2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_configuration_commands_use_an_embedded_emulator() {
    let out = crate::support::run(&["list"]).await;
    out.assert_code(0);
    assert_eq!(out.json(), json!([]), "JSON when stdout is not a terminal");
    out.assert_stderr(Has("embedded emulator"));

    let out = crate::support::run(&["--output", "table", "list", "--all"]).await;
    out.assert_code(0);
    assert_eq!(out.lines(), ["TYPE  ID  NAME  MODIFIED"]);

    let out = run_with(&["create", "-"], &[], Some(&bytes(&scep_profile("Embedded")))).await;
    out.assert_code(0);
    assert_eq!(out.json()["displayName"], "Embedded");
    out.assert_stderr(Has("embedded emulator"));

    let out = crate::support::run(&["get", "anything"]).await;
    out.assert_code(1);
    assert!(out.stderr.contains("embedded emulator") && out.stderr.contains("HTTP 404"), "{}", out.stderr);
}

/// A file under the test target's scratch directory holding `value`.
fn scratch_file(name: &str, value: &serde_json::Value) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, bytes(value)).unwrap();
    path.to_str().unwrap().to_owned()
}

/// `GET {base_url}{path}` with the emulator's token, as JSON.
async fn get_json(emu: &EmulatorProcess, path: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", emu.get("base_url")))
        .bearer_auth(emu.get("token"))
        .send()
        .await
        .unwrap();
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_serves_the_directory_files_it_is_given() {
    let group = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
    let groups = scratch_file("cli-emulator-groups.json", &json!([{"id": group, "displayName": "Sales"}]));
    let filters = scratch_file(
        "cli-emulator-filters.json",
        &json!([{"id": "f1f1f1f1-0000-4000-8000-000000000001", "displayName": "iPhones", "platform": "iOS"}]),
    );
    let tags = scratch_file("cli-emulator-tags.json", &json!([{"id": "7", "displayName": "Paris"}]));
    let mut emu = EmulatorProcess::spawn(&[
        "emulator",
        "--groups",
        &groups,
        "--assignment-filters",
        &filters,
        "--scope-tags",
        &tags,
    ])
    .await;
    assert_eq!(get_json(&emu, &format!("/groups/{group}")).await["displayName"], "Sales");
    let found = get_json(&emu, "/groups?$filter=displayName%20eq%20'sales'").await;
    assert_eq!(found["value"], json!([{"id": group, "displayName": "Sales"}]));
    let filters = get_json(&emu, "/deviceManagement/assignmentFilters").await;
    assert_eq!(filters["value"][0]["platform"], "iOS");
    let tags = get_json(&emu, "/deviceManagement/roleScopeTags").await;
    let names: Vec<&str> =
        tags["value"].as_array().unwrap().iter().map(|t| t["displayName"].as_str().unwrap()).collect();
    assert_eq!(names, ["Default", "Paris"]);
    emu.child.start_kill().unwrap();
    let stderr = emu.stderr_so_far().await;
    assert!(stderr.contains("with 1 group(s), 1 assignment filter(s), 1 scope tag(s)"), "{stderr}");
    let _ = emu.child.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_directory_file_is_a_usage_error_naming_it() {
    let not_a_list = scratch_file("cli-emulator-bad-groups.json", &json!({"id": "x", "displayName": "y"}));
    let blank_id = scratch_file("cli-emulator-blank-id.json", &json!([{"id": "", "displayName": "y"}]));
    let missing = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-emulator-missing.json");
    let missing = missing.to_str().unwrap();
    for (option, file) in [
        ("--groups", not_a_list.as_str()),
        ("--scope-tags", blank_id.as_str()),
        ("--assignment-filters", missing),
    ] {
        let run = run_with(&["emulator", option, file], &[], None).await;
        run.assert_code(2);
        assert!(run.stderr.contains(file) && run.stderr.contains(option), "{}", run.stderr);
    }
}
