//! `intune get` and `intune list` against an emulator in the test process: exact JSON,
//! tables, paging, type filters and `$select`.

use crate::support::*;
use intune_graph::{
    emulator::{Emulator, RunningEmulator},
    odata::Query,
};
use serde_json::{Value, json};

/// Ten objects of several types (the first the full SCEP fixture), in creation order.
fn seed(emu: &intune_graph::emulator::RunningEmulator) -> Vec<String> {
    let mut ids = vec![emu.state().insert_raw(scep_fixture())];
    for i in 1..10 {
        let object = match i % 3 {
            0 => root_profile(&format!("Root {i}")),
            1 => scep_profile(&format!("SCEP {i}")),
            _ => json!({
                "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
                "displayName": format!("Windows {i}"),
                "passwordRequired": true,
                "futureProperty": {"nested": [1, null, "x"]},
                "description": null
            }),
        };
        ids.push(emu.state().insert_raw(object));
    }
    ids
}

fn ids_of(items: &Value) -> Vec<String> {
    items.as_array().expect("an array").iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_prints_exactly_what_the_service_sent() {
    let emu = emulator().await;
    let ids = seed(&emu);
    for id in [&ids[0], &ids[2], &ids[3]] {
        let run = run_at(&emu, "json", &["get", id], None).await;
        run.assert_code(0);
        let raw = raw_get(&emu, id).await;
        assert_eq!(run.json(), reencoded(&raw), "lossless re-encoding of {id}");
        // These objects hold nothing the crate normalizes: the output is the wire JSON.
        assert_eq!(run.json(), raw, "{id}");
    }
    // The fixture keeps its offsets and 7 fractional digits.
    let run = run_at(&emu, "json", &["get", &ids[0]], None).await;
    assert_eq!(run.json()["lastModifiedDateTime"], "2026-03-14T09:26:53.5897932+01:00");
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let table = run_at(&emu, "table", &["get", &ids[0]], None).await;
    table.assert_code(0);
    let lines = table.lines();
    assert_eq!(lines.len(), 2, "{}", table.stdout);
    for column in ["TYPE", "ID", "NAME", "MODIFIED"] {
        assert!(lines[0].contains(column), "{}", lines[0]);
    }
    assert!(lines[1].starts_with("iosScepCertificateProfile "), "{}", lines[1]);
    assert!(lines[1].contains(&ids[0]) && lines[1].contains("iOS SCEP - Corporate Wi-Fi"), "{}", lines[1]);
    assert!(lines[1].ends_with("2026-03-14 08:26:53Z"), "modified, in UTC: {}", lines[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_streams_every_page_as_one_json_array() {
    let emu = start(Emulator::new().page_size(3)).await;
    let ids = seed(&emu);
    let before = emu.state().requests();
    let run = run_at(&emu, "json", &["list", "--all"], None).await;
    run.assert_code(0);
    assert_eq!(emu.state().requests() - before, 4, "10 objects in pages of 3");
    let items = run.json();
    assert_eq!(ids_of(&items), ids);
    assert_eq!(items, reencoded_all(&raw_list(&emu, &Query::new()).await));
    // One item per line between the brackets.
    assert_eq!(run.lines().len(), 12, "{}", run.stdout);

    let table = run_at(&emu, "table", &["list", "--all"], None).await;
    table.assert_code(0);
    let lines = table.lines();
    assert_eq!(lines.len(), 11, "header and ten rows:\n{}", table.stdout);
    assert!(lines[0].starts_with("TYPE") && lines[0].contains("MODIFIED"), "{}", lines[0]);
    for (line, id) in lines[1..].iter().zip(&ids) {
        assert!(line.contains(id.as_str()), "{line}");
    }
    assert_eq!(lines.iter().filter(|l| l.starts_with("TYPE")).count(), 1, "one header across pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_without_all_prints_one_page() {
    let emu = start(Emulator::new().page_size(3)).await;
    let ids = seed(&emu);
    let run = run_at(&emu, "json", &["list"], None).await;
    run.assert_code(0);
    assert_eq!(ids_of(&run.json()), ids[..3]);
    assert!(run.stderr.contains("--all"), "says there is more: {}", run.stderr);

    let run = run_at(&emu, "json", &["list", "--top", "5"], None).await;
    run.assert_code(0);
    assert_eq!(ids_of(&run.json()), ids[..5]);

    let table = run_at(&emu, "table", &["list", "--top", "4"], None).await;
    table.assert_code(0);
    assert_eq!(table.lines().len(), 5, "{}", table.stdout);

    // An empty collection: an empty array, or a table with only its header.
    emu.state().clear();
    let run = run_at(&emu, "json", &["list", "--all"], None).await;
    run.assert_code(0);
    assert_eq!(run.json(), json!([]));
    let table = run_at(&emu, "table", &["list"], None).await;
    table.assert_code(0);
    assert_eq!(table.lines().len(), 1);
    assert!(table.stdout.starts_with("TYPE"));
}

/// `intune --output json list --all ARGS`: what it printed, once it succeeded.
async fn list_all(emu: &RunningEmulator, args: &[&str]) -> Value {
    let run = run_at(emu, "json", &[&["list", "--all"], args].concat(), None).await;
    run.assert_code(0);
    run.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn type_filter_and_select() {
    let emu = start(Emulator::new().page_size(2)).await;
    let ids = seed(&emu);
    let scep_ids: Vec<String> = [0, 1, 4, 7].iter().map(|&i| ids[i].clone()).collect();
    for spelling in ["iosScepCertificateProfile", "microsoft.graph.iosScepCertificateProfile", SCEP] {
        assert_eq!(ids_of(&list_all(&emu, &["--type", spelling]).await), scep_ids, "--type {spelling}");
    }
    let filtered =
        list_all(&emu, &["--type", "iosScepCertificateProfile", "--filter", "displayName eq 'SCEP 4'"]).await;
    assert_eq!(ids_of(&filtered), [ids[4].clone()]);
    let filtered = list_all(&emu, &["--filter", "startswith(displayName,'Windows')"]).await;
    assert_eq!(ids_of(&filtered), [ids[2].clone(), ids[5].clone(), ids[8].clone()]);

    let items = list_all(&emu, &["--type", "iosTrustedRootCertificate", "--select", "id,displayName"]).await;
    assert_eq!(ids_of(&items), [ids[3].clone(), ids[6].clone(), ids[9].clone()]);
    let query = Query::new().of_type(ROOT).select(["id", "displayName"]);
    assert_eq!(items, reencoded_all(&raw_list(&emu, &query).await));
    for item in items.as_array().unwrap() {
        let mut keys: Vec<&str> = item.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["@odata.type", "displayName", "id"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_still_works_offline() {
    let profile = scep_fixture();
    let run = run_with(&["check", "-"], &[], Some(&bytes(&profile))).await;
    run.assert_code(0);
    assert_eq!(run.json(), profile);
    let run = run_with(&["check", "--as", "create", "-"], &[], Some(&bytes(&profile))).await;
    run.assert_code(0);
    let body = run.json();
    assert!(body.get("id").is_none() && body.get("createdDateTime").is_none());
    assert_eq!(body["@odata.type"], SCEP);
}

/// `check --as create` and `create` refuse an invalid body with one and the same report:
/// the problem count, then every problem on its own line, as the library lists them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_create_report_an_invalid_body_alike() {
    let body = json!({"@odata.type": SCEP, "displayName": "Incomplete"});
    use intune_graph::models::{DeviceConfiguration, GraphEntity};
    let config: DeviceConfiguration = serde_json::from_value(body.clone()).unwrap();
    let invalid = config.validate().expect_err("the body lacks required fields");
    assert!(invalid.problems.len() > 1);
    let mut expected =
        format!("error: standard input is not a valid create body: {} problems:\n", invalid.problems.len());
    for problem in &invalid.problems {
        expected.push_str(&format!("  {}: {}\n", problem.field, problem.message));
    }

    let check = run_with(&["check", "--as", "create", "-"], &[], Some(&bytes(&body))).await;
    check.assert_code(1);
    assert_eq!(check.stderr, expected);
    assert_eq!(check.stdout, "");

    let emu = emulator().await;
    let create = run_at(&emu, "json", &["create", "-"], Some(&bytes(&body))).await;
    create.assert_code(1);
    assert_eq!(create.stderr, expected);
    assert_eq!(emu.state().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_that_fails_midway_exits_1_and_leaves_the_array_open() {
    // The second page's link points at another origin: the client refuses to follow it.
    let foreign = url::Url::parse("http://127.0.0.2:9/").unwrap();
    let emu = start(Emulator::new().page_size(3).link_origin(foreign)).await;
    let ids = seed(&emu);
    let run = run_at(&emu, "json", &["list", "--all"], None).await;
    run.assert_code(1);
    // The first page was printed as it arrived…
    for id in &ids[..3] {
        run.assert_stdout(Has(id.as_str()));
    }
    assert!(!run.stdout.contains(ids[3].as_str()));
    // …but the output does not parse as a complete listing.
    assert!(serde_json::from_str::<Value>(&run.stdout).is_err(), "{}", run.stdout);
    run.assert_stderr(Has("after 1 page(s)"));
    assert!(!run.stderr.contains(TOKEN));
}
