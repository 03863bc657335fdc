//! `intune check` and `intune create` read files as people have them: pages, byte order
//! marks, UTF-16, full-metadata exports.

use crate::support::*;
use serde_json::{Value, json};

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: [u8; 2] = if big_endian { [0xFE, 0xFF] } else { [0xFF, 0xFE] };
    let units = text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    bom.into_iter().chain(units).collect()
}

fn utf8_bom(text: &str) -> Vec<u8> {
    [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect()
}

/// A page as a list export writes it: context, items of several types, a next link.
fn page() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations",
        "@odata.nextLink": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$skiptoken=abc",
        "value": [
            scep_profile("Exported SCEP"),
            root_profile("Exported root"),
            {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "id": "w1", "displayName": "W",
             "createdDateTime@odata.type": "#DateTimeOffset", "createdDateTime": "2024-01-01T00:00:00Z",
             "serial": 123456789012345678901234567890u128.to_string()}
        ]
    })
}

/// [`page`] as bytes, its `serial` a number wider than `f64` (which `json!` cannot hold).
fn page_bytes(page: &Value) -> Vec<u8> {
    let text = serde_json::to_string(page).unwrap();
    text.replace(r#""serial":"123456789012345678901234567890""#, r#""serial":123456789012345678901234567890"#)
        .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_a_page_as_a_page_and_as_create_bodies() {
    let page = page();
    let exact_serial = r#""serial":123456789012345678901234567890}"#;
    let run = run_with(&["check", "-"], &[], Some(&page_bytes(&page))).await;
    run.assert_code(0).assert_stdout(Has(exact_serial));
    let mut expected = page["value"].clone();
    expected[0]["keyUsage"] = json!("keyEncipherment,digitalSignature");
    expected[2]["serial"] = json!(1.2345678901234568e29);
    assert_eq!(run.json(), json!({ "value": expected }));
    let run = run_with(&["check", "--as", "create", "-"], &[], Some(&page_bytes(&page))).await;
    run.assert_code(0).assert_stdout(Has(exact_serial));
    let mut scep = scep_profile("Exported SCEP");
    scep["keyUsage"] = json!("keyEncipherment,digitalSignature");
    assert_eq!(
        run.json(),
        json!([
            scep,
            root_profile("Exported root"),
            {"@odata.type": "#microsoft.graph.windows10GeneralConfiguration", "displayName": "W",
             "serial": 1.2345678901234568e29}
        ])
    );
    // One invalid item refuses the whole page, naming it.
    let mut bad = page.clone();
    bad["value"][1]["displayName"] = json!("  ");
    let run = run_with(&["check", "--as", "create", "-"], &[], Some(&bytes(&bad))).await;
    run.assert_code(1).assert_stderr(Has("value[1]: standard input is not a valid create body"));
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_utf8_with_a_bom_and_utf16_both_ways() {
    let profile = scep_fixture();
    let text = serde_json::to_string_pretty(&profile).unwrap();
    for (name, input) in [
        ("utf-8 bom", utf8_bom(&text)),
        ("utf-16 le", utf16(&text, false)),
        ("utf-16 be", utf16(&text, true)),
    ] {
        let run = run_with(&["check", "-"], &[], Some(&input)).await;
        run.assert_code(0);
        assert_eq!(run.json(), profile, "{name}");
    }
    // Broken UTF-16 is a clear error, exit 2.
    let run = run_with(&["check", "-"], &[], Some(b"\xFF\xFE{\x00\x00\xD8")).await;
    run.assert_code(2).assert_stderr(Has("not valid UTF-16 (unpaired surrogate at byte 4)"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_reads_a_utf16_full_metadata_export_and_refuses_a_page() {
    let emu = emulator().await;
    let export = include_str!("../fixtures/scep-full-metadata-export.json");
    let run = run_at(&emu, "json", &["create", "-"], Some(&utf16(export, false))).await;
    run.assert_code(0);
    let created = run.json();
    assert_eq!(created["displayName"], "iOS SCEP - Wi-Fi (backup 2026-02-03)");
    assert_eq!(created["certificateRenewalPolicy"]["renewBeforeDays"], 14);
    let run = run_at(&emu, "json", &["create", "-"], Some(&bytes(&page()))).await;
    run.assert_code(2).assert_stderr(Has("holds a page of 3 objects; create takes one object"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_refuses_out_of_range_values_and_refused_nulls_before_sending() {
    let emu = emulator().await;
    let id = emu.state().insert_raw(scep_profile("Stored"));
    let requests = emu.state().requests();
    for (body, field) in [
        (
            json!({"@odata.type": SCEP, "renewalThresholdPercentage": 150}),
            "renewalThresholdPercentage: must be 1 to 99, is 150",
        ),
        (json!({"@odata.type": SCEP, "keySize": null}), "keySize: cannot be null"),
    ] {
        let run = run_at(&emu, "json", &["update", &id, "-"], Some(&bytes(&body))).await;
        assert_ne!(run.code, 0, "{}", run.stdout);
        run.assert_stderr(Has(field));
    }
    assert_eq!(emu.state().requests(), requests, "nothing was sent");
}
