//! Model encode/decode benchmarks, each next to `serde_json` on the same bytes.
//!
//! ```sh
//! cargo bench --bench models            # all groups
//! python3 benches/ratios.py             # the ratios from criterion's estimates
//! ```
//!
//! Groups (every row of a group works on the same bytes, so their throughputs compare):
//! - `encode_create`: the create body of a valid SCEP profile of the seed example's size
//!   (929 bytes): the typed write encoding, `serde_json::to_vec` of the same body as a
//!   `Value`, and an `IgnoredAny` scan of the bytes (the floor of touching them at all).
//!   `validate` is the check `create` runs before encoding.
//! - `decode_201`: the seed `201 Created` body (`shared/bench/stub/response-201.json`) as
//!   `IosScepCertificateProfile`, as the polymorphic `DeviceConfiguration`, as `Value`, and
//!   scanned with `IgnoredAny`.
//! - `decode_page_100`: a 100-item `deviceConfigurations` page as Graph writes it
//!   (`@odata.type` first in every object, explicit nulls, `@odata.nextLink`), mixing SCEP,
//!   trusted root and PKCS profiles with unmodelled Windows types, as
//!   `Page<DeviceConfiguration>`, as `Value`, and scanned with `IgnoredAny`;
//!   `owned_strings_floor` copies each string value into its own `String` and skips the
//!   rest, the least work of any decode into owned values.
//! - `decode_100_{scep,trusted_root,pkcs,unmodelled}`: the scan, the owned floor and the
//!   typed page on a page of 100 items of one type each, to see which type costs what.
//!
//! Typed rows decode the way the client does (`client_decode`: one UTF-8 check of the whole
//! body, then `from_str`); `*_from_slice` rows decode with `serde_json::from_slice` instead.
//! `value` is `from_slice` (what a `Value` user writes); `value_from_str` gives `Value` the
//! client's UTF-8 shortcut too.
//!
//! The figures that matter are ratios within a group; see BENCHMARKS.md.

#[path = "load_profile.rs"]
mod load_profile;

use std::{fmt::Write as _, hint::black_box, time::Duration};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use intune_graph::{
    Page,
    models::{DeviceConfiguration, GraphEntity, IosScepCertificateProfile},
};
use serde::de::IgnoredAny;
use serde_json::Value;

/// The seed `201 Created` body, byte for byte as the loopback stub sends it.
const RESPONSE_201: &[u8] = include_bytes!("fixtures/response-201.json");

/// Deterministic base64 of `len` pseudo-random bytes (a DER certificate's stand-in).
fn base64_blob(len: usize, seed: u64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(len);
    for _ in 0..len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push((state >> 24) as u8);
    }
    let mut out = String::with_capacity(len.div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The properties every device configuration carries in a list response, `@odata.type` first.
fn common(out: &mut String, odata_type: &str, i: usize, name: &str, description: Option<&str>) {
    let description = description.map_or_else(|| "null".to_owned(), |d| format!("{d:?}"));
    write!(
        out,
        r##"{{"@odata.type":"#microsoft.graph.{odata_type}","id":"{:08x}-5c6d-4e7f-8091-{:012x}","lastModifiedDateTime":"2026-03-14T09:26:{:02}.5897932Z","roleScopeTagIds":["0"],"supportsScopeTags":true,"deviceManagementApplicabilityRuleOsEdition":null,"deviceManagementApplicabilityRuleOsVersion":null,"deviceManagementApplicabilityRuleDeviceMode":null,"createdDateTime":"2025-11-02T17:04:{:02}.2046718Z","description":{description},"displayName":"{name} {i}","version":{}"##,
        0xb3e1_f0a2_u32.wrapping_add(i as u32),
        i,
        i % 60,
        (i * 7) % 60,
        1 + i % 5,
    )
    .unwrap();
}

fn scep(out: &mut String, i: usize) {
    common(
        out,
        "iosScepCertificateProfile",
        i,
        "iOS SCEP - Corporate Wi-Fi",
        Some("User certificate for 802.1X EAP-TLS on corporate iPhones and iPads"),
    );
    let (format, format_string) = if i % 3 == 0 {
        ("custom", r#""CN={{UserPrincipalName}},OU=Mobile Devices,O=Contoso""#)
    } else {
        ("commonNameAsEmail", "null")
    };
    write!(
        out,
        r#","renewalThresholdPercentage":20,"subjectNameFormat":"{format}","subjectAlternativeNameType":"userPrincipalName","certificateValidityPeriodValue":1,"certificateValidityPeriodScale":"years","scepServerUrls":["https://ndes.contoso.com/certsrv/mscep/mscep.dll","https://ndes-backup.contoso.com/certsrv/mscep/mscep.dll"],"subjectNameFormatString":{format_string},"keyUsage":"keyEncipherment,digitalSignature","keySize":"size2048","extendedKeyUsages":[{{"@odata.type":"microsoft.graph.extendedKeyUsage","name":"Client Authentication","objectIdentifier":"1.3.6.1.5.5.7.3.2"}}],"subjectAlternativeNameFormatString":null,"certificateStore":"user","customSubjectAlternativeNames":[]}}"#
    )
    .unwrap();
}

fn trusted_root(out: &mut String, i: usize, certificate: &str) {
    common(out, "iosTrustedRootCertificate", i, "Contoso Root CA", None);
    write!(out, r#","trustedRootCertificate":"{certificate}","certFileName":"contoso-root-ca-{i}.cer"}}"#)
        .unwrap();
}

fn pkcs(out: &mut String, i: usize) {
    common(
        out,
        "iosPkcsCertificateProfile",
        i,
        "iOS PKCS - VPN",
        Some("Device certificate for the always-on VPN"),
    );
    out.push_str(
        r#","renewalThresholdPercentage":20,"subjectNameFormat":"commonNameAsEmail","subjectAlternativeNameType":"userPrincipalName","certificateValidityPeriodValue":2,"certificateValidityPeriodScale":"years","certificationAuthority":"ca01.contoso.com","certificationAuthorityName":"Contoso Issuing CA 01","certificateTemplateName":"IntuneUserPkcs","subjectNameFormatString":null,"subjectAlternativeNameFormatString":null,"certificateStore":"user","customSubjectAlternativeNames":[{"@odata.type":"microsoft.graph.customSubjectAlternativeName","sanType":"userPrincipalName","name":"{{UserPrincipalName}}"}]}"#,
    );
}

fn windows(out: &mut String, i: usize, certificate: &str) {
    match i % 3 {
        0 => {
            common(out, "windows81TrustedRootCertificate", i, "Windows Root CA", None);
            write!(
                out,
                r#","trustedRootCertificate":"{certificate}","certFileName":"contoso-root-ca.cer","destinationStore":"computerCertStoreRoot"}}"#
            )
            .unwrap();
        }
        1 => {
            common(out, "windowsWifiConfiguration", i, "Windows Wi-Fi - Guest", Some("Guest network"));
            out.push_str(
                r#","wifiSecurityType":"wpa2Personal","ssid":"Contoso-Guest","networkName":"Contoso Guest","connectAutomatically":true,"connectToPreferredNetwork":true,"connectWhenNetworkNameIsHidden":false,"proxySetting":"none","proxyManualAddress":null,"proxyManualPort":null,"proxyAutomaticConfigurationUrl":null,"proxyAutomaticConfigurationScript":null,"forceFIPSCompliance":false,"meteredConnectionLimit":"unrestricted","preSharedKey":null}"#,
            );
        }
        _ => {
            common(
                out,
                "windows10GeneralConfiguration",
                i,
                "Windows 10 - Baseline",
                Some("Device restrictions"),
            );
            out.push_str(
                r#","taskManagerBlockEndTask":false,"energySaverOnBatteryThresholdPercentage":20,"energySaverPluggedInThresholdPercentage":null,"powerLidCloseActionOnBattery":"notConfigured","powerLidCloseActionPluggedIn":"notConfigured","windows10AppsForceUpdateSchedule":null,"enableAutomaticRedeployment":false,"microsoftAccountSignInAssistantSettings":"notConfigured","authenticationAllowSecondaryDevice":false,"authenticationWebSignIn":"notConfigured","authenticationPreferredAzureADTenantDomainName":null,"cryptographyAllowFipsAlgorithmPolicy":false,"displayAppListWithGdiDPIScalingTurnedOn":[],"displayAppListWithGdiDPIScalingTurnedOff":[],"enterpriseCloudPrintDiscoveryEndPoint":null,"enterpriseCloudPrintOAuthAuthority":null,"messagingBlockSync":false,"messagingBlockMMS":false,"searchBlockDiacritics":false,"searchDisableAutoLanguageDetection":false,"searchDisableIndexingEncryptedItems":true,"searchEnableRemoteQueries":false,"defenderBlockEndUserAccess":false,"defenderDaysBeforeDeletingQuarantinedMalware":30,"defenderDetectedMalwareActions":{"lowSeverity":"clean","moderateSeverity":"quarantine","highSeverity":"remove","severeSeverity":"block"},"defenderSystemScanSchedule":"userDefined","defenderFilesAndFoldersToExclude":[],"defenderFileExtensionsToExclude":[".log",".tmp"],"defenderScanMaxCpu":50,"defenderMonitorFileActivity":"monitorAllFiles","passwordRequired":true,"passwordMinimumLength":12,"passwordRequiredType":"alphanumeric","passwordExpirationDays":null,"privacyAdvertisingId":"blocked","startMenuLayoutXml":null,"edgeHomepageUrls":["https://intranet.contoso.com/"],"settingsBlockSettingsApp":false}"#,
            );
        }
    }
}

/// A 100-item page in creation order: per 10 items, 5 SCEP, 2 trusted root, 2 PKCS and
/// 1 unmodelled Windows type (three kinds in turn).
fn page_100() -> Vec<u8> {
    let certificate = base64_blob(1000, 7);
    let mut out = String::with_capacity(256 * 1024);
    out.push_str(r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations","@odata.nextLink":"https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$skiptoken=LastItemId%3d6f2b1c9e-3a47-4d2e-9b1f-8c5d7e0a4b13","value":["#);
    for i in 0..100 {
        if i > 0 {
            out.push(',');
        }
        match i % 10 {
            0 | 1 | 4 | 5 | 8 => scep(&mut out, i),
            2 | 6 => trusted_root(&mut out, i, &certificate),
            3 | 7 => pkcs(&mut out, i),
            _ => windows(&mut out, i / 10, &certificate),
        }
    }
    out.push_str("]}");
    out.into_bytes()
}

fn encode_create(c: &mut Criterion) {
    let profile = load_profile::profile();
    let body = profile.to_write_json().expect("encode");
    let value: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(serde_json::to_vec(&value).unwrap().len(), body.len());
    let mut group = c.benchmark_group("encode_create");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("typed_write_json", |b| b.iter(|| black_box(&profile).to_write_json().unwrap()));
    group.bench_function("value_to_vec", |b| b.iter(|| serde_json::to_vec(black_box(&value)).unwrap()));
    group.bench_function("ignored_any_scan", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(&body)).unwrap())
    });
    group.bench_function("validate", |b| b.iter(|| black_box(&profile).validate().unwrap()));
    group.finish();
}

/// Decodes `bytes` the way the client decodes a response (`RawResponse::decode`): one
/// UTF-8 check of the whole body, then `serde_json::from_str`.
fn client_decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> T {
    serde_json::from_str(std::str::from_utf8(bytes).expect("utf-8")).expect("decode")
}

fn decode_201(c: &mut Criterion) {
    let typed: IosScepCertificateProfile = client_decode(RESPONSE_201);
    assert_eq!(typed.base.id.as_deref(), Some("0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d"));
    let mut group = c.benchmark_group("decode_201");
    group.throughput(Throughput::Bytes(RESPONSE_201.len() as u64));
    group.bench_function("ignored_any_scan", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(RESPONSE_201)).unwrap())
    });
    group.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(RESPONSE_201)).unwrap())
    });
    group.bench_function("value_from_str", |b| b.iter(|| client_decode::<Value>(black_box(RESPONSE_201))));
    group.bench_function("typed_scep_profile", |b| {
        b.iter(|| client_decode::<IosScepCertificateProfile>(black_box(RESPONSE_201)))
    });
    group.bench_function("typed_device_configuration", |b| {
        b.iter(|| client_decode::<DeviceConfiguration>(black_box(RESPONSE_201)))
    });
    group.bench_function("typed_scep_profile_from_slice", |b| {
        b.iter(|| serde_json::from_slice::<IosScepCertificateProfile>(black_box(RESPONSE_201)).unwrap())
    });
    group.finish();
}

/// Copies every string value of a JSON document into its own `String` and skips the rest:
/// the least an owned model of the same document does (each text it keeps is an allocation
/// and a copy), with no field matching, no enums, no maps. The bound for any typed decode
/// into owned values, next to the `IgnoredAny` scan.
struct OwnedStrings<'a>(&'a mut Vec<String>);

impl<'de> serde::de::DeserializeSeed<'de> for OwnedStrings<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for OwnedStrings<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        self.0.push(value.to_owned());
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(OwnedStrings(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(OwnedStrings(self.0))?;
        }
        Ok(())
    }
}

/// The strings of `bytes`, each copied into its own allocation (see [`OwnedStrings`]).
fn owned_strings(bytes: &[u8]) -> Vec<String> {
    use serde::de::DeserializeSeed;
    let mut strings = Vec::with_capacity(2048);
    let mut deserializer = serde_json::Deserializer::from_str(std::str::from_utf8(bytes).expect("utf-8"));
    OwnedStrings(&mut strings).deserialize(&mut deserializer).expect("json");
    strings
}

fn decode_page_100(c: &mut Criterion) {
    let page = page_100();
    let typed: Page<DeviceConfiguration> = client_decode(&page);
    assert_eq!(typed.items.len(), 100);
    let others = typed.items.iter().filter(|c| matches!(c, DeviceConfiguration::Other(_))).count();
    assert_eq!(others, 10, "10 unmodelled Windows items");
    assert_eq!(owned_strings(&page).len(), 1556, "string values of the page");
    let mut group = c.benchmark_group("decode_page_100");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("ignored_any_scan", |b| {
        b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(&page)).unwrap())
    });
    group.bench_function("value", |b| b.iter(|| serde_json::from_slice::<Value>(black_box(&page)).unwrap()));
    group.bench_function("value_from_str", |b| b.iter(|| client_decode::<Value>(black_box(&page))));
    group.bench_function("typed_page", |b| {
        b.iter(|| client_decode::<Page<DeviceConfiguration>>(black_box(&page)))
    });
    group.bench_function("owned_strings_floor", |b| b.iter(|| owned_strings(black_box(&page))));
    group.bench_function("typed_page_from_slice", |b| {
        b.iter(|| serde_json::from_slice::<Page<DeviceConfiguration>>(black_box(&page)).unwrap())
    });
    group.finish();
}

/// Writes item `i` of a page (the certificate is for the types that carry one).
type WriteItem = fn(&mut String, usize, &str);

/// A page of 100 items of one kind, as `page_100` writes them.
fn page_of(kind: WriteItem) -> Vec<u8> {
    let certificate = base64_blob(1000, 7);
    let mut out = String::from(r#"{"value":["#);
    for i in 0..100 {
        if i > 0 {
            out.push(',');
        }
        kind(&mut out, i, &certificate);
    }
    out.push_str("]}");
    out.into_bytes()
}

/// Where the typed page's time goes beyond the owned floor, one item type at a time.
fn decode_by_type(c: &mut Criterion) {
    let kinds: [(&str, WriteItem); 4] = [
        ("decode_100_scep", |out, i, _| scep(out, i)),
        ("decode_100_trusted_root", trusted_root),
        ("decode_100_pkcs", |out, i, _| pkcs(out, i)),
        ("decode_100_unmodelled", windows),
    ];
    for (name, kind) in kinds {
        let page = page_of(kind);
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(page.len() as u64));
        group.measurement_time(Duration::from_secs(2));
        group.bench_function("ignored_any_scan", |b| {
            b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(&page)).unwrap())
        });
        group.bench_function("owned_strings_floor", |b| b.iter(|| owned_strings(black_box(&page))));
        group.bench_function("typed_page", |b| {
            b.iter(|| client_decode::<Page<DeviceConfiguration>>(black_box(&page)))
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(60)
}

criterion_group! {
    name = benches;
    config = config();
    targets = encode_create, decode_201, decode_page_100, decode_by_type
}
criterion_main!(benches);
