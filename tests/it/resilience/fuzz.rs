//! Bad input never panics: bounded randomized tests (a fixed number of cases, so CI time
//! stays bounded) over every public decode path, mutations of a valid `201` body, and the
//! whole client against a local server answering arbitrary statuses, headers and bodies.
//!
//! Volume per run: 2,000 cases for each pure target, every truncation of the valid bodies,
//! and 300 full client round trips.

use std::sync::{Arc, Mutex};

use intune_graph::{
    Error, GraphClient, RetryPolicy, StatusCode,
    models::{
        DeviceConfiguration, GraphEntity, IosScepCertificateProfile, KeyUsages, SubjectAlternativeNameType,
        Timestamp,
    },
};
use proptest::{prelude::*, test_runner::Config, test_runner::TestRunner};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

const CASES: u32 = 2_000;
const CLIENT_CASES: u32 = 300;

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// A `201` body using every kind of field the SCEP profile has, plus an unknown property
/// and explicit nulls.
fn valid_201() -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity",
        "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
        "id": "5f8c7c4e-1d1c-4a5e-9d3c-0b1a2c3d4e5f",
        "lastModifiedDateTime": "2026-11-26T13:00:00.1234567Z",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": {"osVersionMinimum": "16.0", "osVersionMaximum": null, "name": "min", "ruleType": "include"},
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "createdDateTime": "2026-11-26T13:00:00.1234567Z",
        "description": "User certificate for 802.1X",
        "displayName": "iOS SCEP - Corporate Wi-Fi",
        "version": 1,
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "renewalThresholdPercentage": 20,
        "subjectNameFormat": "commonNameAsEmail",
        "subjectAlternativeNameType": "emailAddress,userPrincipalName",
        "subjectNameFormatString": null,
        "subjectAlternativeNameFormatString": null,
        "certificateStore": "user",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "keyEncipherment,digitalSignature",
        "keySize": "size2048",
        "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
        "customSubjectAlternativeNames": [{"sanType": "userPrincipalName", "name": "{{UserPrincipalName}}"}],
        "futureProperty": {"nested": [1, 2.5, "x", null]}
    })
}

fn valid_bytes() -> Vec<u8> {
    serde_json::to_vec(&valid_201()).unwrap()
}

/// Decoding must not panic; what decodes must encode again (fully and as a write body)
/// and decode to the same value.
fn check_decode(bytes: &[u8]) {
    if let Ok(config) = serde_json::from_slice::<DeviceConfiguration>(bytes) {
        let again = serde_json::to_vec(&config).expect("a decoded object encodes");
        let back: DeviceConfiguration = serde_json::from_slice(&again).expect("an encoded object decodes");
        assert_eq!(back, config, "lossless round trip of {}", String::from_utf8_lossy(bytes));
        let _ = config.to_write_json();
        let _ = config.validate();
    }
    if let Ok(profile) = serde_json::from_slice::<IosScepCertificateProfile>(bytes) {
        let again = serde_json::to_vec(&profile).expect("a decoded profile encodes");
        let back: IosScepCertificateProfile =
            serde_json::from_slice(&again).expect("an encoded profile decodes");
        assert_eq!(back, profile);
        let _ = profile.to_write_json();
        let _ = profile.validate();
    }
}

/// Byte-level mutations of the valid body.
fn mutated_bytes() -> impl Strategy<Value = Vec<u8>> {
    (0usize..5, any::<prop::sample::Index>(), any::<u8>(), prop::collection::vec(any::<u8>(), 0..8)).prop_map(
        |(op, at, byte, insert)| {
            let mut body = valid_bytes();
            let i = at.index(body.len());
            match op {
                0 => body.truncate(i),
                1 => body[i] ^= byte.max(1),
                2 => {
                    body.insert(i, 0);
                }
                3 => {
                    body.splice(i..i, insert);
                }
                _ => {
                    let j = (i + usize::from(byte)).min(body.len());
                    body.drain(i..j);
                }
            }
            body
        },
    )
}

/// Arbitrary JSON values.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        // Dyadic fractions only: serde_json without `float_roundtrip` may move an arbitrary
        // float by one ulp on parsing, which is serde_json's, not the models', doing.
        (any::<i32>(), 0u32..6).prop_map(|(m, e)| json!(f64::from(m) / f64::from(1u32 << e))),
        "[ -~\\PC]{0,24}".prop_map(Value::String),
        prop::sample::select(vec![
            "keyEncipherment,digitalSignature",
            " keyEncipherment , ",
            "",
            ",,,",
            "unknownFutureUsage,keyEncipherment",
            "2026-11-26T13:00:00Z",
            "2026-11-26T13:00:00.123456789+05:30",
            "2026-11-26T13:00:00",
            "2026-13-45T99:99:99Z",
            "size4096",
            "size1024",
            "years",
            "#microsoft.graph.iosScepCertificateProfile",
            "microsoft.graph.somethingNew",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z@.#]{0,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Structure-aware mutations: a property gets another value, is removed, or is added.
fn mutated_json() -> impl Strategy<Value = Vec<u8>> {
    (any::<prop::sample::Index>(), json_value(), 0usize..3, "[a-zA-Z@.]{1,12}").prop_map(
        |(at, value, op, key)| {
            let Value::Object(mut map) = valid_201() else { unreachable!() };
            let keys: Vec<String> = map.keys().cloned().collect();
            let chosen = keys[at.index(keys.len())].clone();
            match op {
                0 => {
                    map.insert(chosen, value);
                }
                1 => {
                    map.remove(&chosen);
                }
                _ => {
                    map.insert(key, value);
                }
            }
            serde_json::to_vec(&Value::Object(map)).unwrap()
        },
    )
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_decode(&bytes);
    }

    #[test]
    fn byte_mutations_of_a_201_never_panic(bytes in mutated_bytes()) {
        check_decode(&bytes);
    }

    #[test]
    fn value_mutations_of_a_201_never_panic_and_round_trip(bytes in mutated_json()) {
        check_decode(&bytes);
    }

    #[test]
    fn timestamps_never_panic(text in prop_oneof![
        "\\PC{0,40}",
        "[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}T[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\\.[0-9]{0,12})?(Z|[+-][0-9]{1,2}:[0-9]{1,2})?",
    ]) {
        if let Ok(t) = Timestamp::parse(&text) {
            let written = t.to_string();
            prop_assert_eq!(Timestamp::parse(&written).map(|b| b.to_utc()), Ok(t.to_utc()));
        }
    }

    #[test]
    fn flags_never_panic_and_keep_unknown_members(text in "[ -~\\PC]{0,60}") {
        let usages = KeyUsages::parse(&text);
        let again = KeyUsages::parse(&usages.to_string());
        prop_assert_eq!(again, usages);
        let sans = SubjectAlternativeNameType::parse(&text);
        prop_assert_eq!(SubjectAlternativeNameType::parse(&sans.to_string()), sans);
    }
}

#[test]
fn every_truncation_of_a_201_body_is_an_error_not_a_panic() {
    let body = valid_bytes();
    for cut in 0..body.len() {
        assert!(serde_json::from_slice::<DeviceConfiguration>(&body[..cut]).is_err(), "cut at {cut}");
        assert!(serde_json::from_slice::<IosScepCertificateProfile>(&body[..cut]).is_err(), "cut at {cut}");
    }
    let whole: IosScepCertificateProfile = serde_json::from_slice(&body).unwrap();
    assert_eq!(whole.base.display_name.as_deref(), Some("iOS SCEP - Corporate Wi-Fi"));
}

// ----- the whole client against arbitrary responses --------------------------------------

#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Announce more bytes than are sent, then close (a body cut short).
    cut: bool,
}

impl Reply {
    fn bytes(&self) -> Vec<u8> {
        let length = self.body.len() + if self.cut { 100 } else { 0 };
        let mut head =
            format!("HTTP/1.1 {} X\r\ncontent-length: {length}\r\nconnection: close\r\n", self.status);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

fn reply() -> impl Strategy<Value = Reply> {
    let status = prop_oneof![
        prop::sample::select(vec![200u16, 201, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
        200u16..600,
    ]
    .prop_filter("no bodiless statuses", |s| ![204, 205, 304].contains(s));
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        mutated_bytes(),
        mutated_json(),
        Just(br#"{"error":{"code":"TooManyRequests","message":"later"}}"#.to_vec()),
    ];
    let header = (
        prop::sample::select(vec!["retry-after", "retry-after-ms", "request-id", "content-type"]),
        "[ -~]{0,30}".prop_map(|s| s.trim().to_owned()),
    );
    (status, prop::collection::vec(header, 0..4), body, prop::bool::weighted(0.15))
        .prop_map(|(status, headers, body, cut)| Reply { status, headers, body, cut })
}

#[test]
fn the_client_turns_any_response_into_a_typed_result_that_keeps_the_status() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = current.clone();
    runtime.spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let response = serving.lock().unwrap().clone();
            tokio::spawn(async move {
                let _ = crate::support::resilience::read_request(&mut stream).await;
                let _ = stream.write_all(&response).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    let client = runtime.block_on(async {
        GraphClient::builder()
            .base_url(format!("http://{addr}/beta"))
            .bearer_token("t")
            .retry_policy(RetryPolicy::none())
            .write_rate_limit(None)
            .skip_validation()
            .build()
            .unwrap()
    });
    let profile = crate::support::fixtures::scep_profile("fuzz");
    let mut runner = TestRunner::new(config(CLIENT_CASES));
    runner
        .run(&reply(), |reply| {
            *current.lock().unwrap() = reply.bytes();
            let result = runtime.block_on(client.device_configurations().create(&profile));
            let status = StatusCode::from_u16(reply.status).unwrap();
            match result {
                Ok(_) => prop_assert!(status.is_success() && !reply.cut, "{reply:?}"),
                Err(error) => {
                    prop_assert_eq!(error.status(), Some(status), "{:?} for {:?}", error, reply);
                    if status.is_success() {
                        prop_assert!(
                            matches!(
                                error,
                                Error::Decode(_) | Error::OutcomeUnknown(_) | Error::CreatedUnreadable(_)
                            ),
                            "{error:?}"
                        );
                    }
                    let _ = error.to_string();
                }
            }
            Ok(())
        })
        .unwrap();
}
