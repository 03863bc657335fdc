//! Enums and flag sets on the wire: member names, unknown values kept verbatim, flag sets in
//! schema order without spaces, read leniently.

use intune_graph::models::{
    AppleSubjectNameFormat, ApplicabilityRuleType, CertificateStore, CertificateValidityPeriodScale,
    IntendedPurpose, KeySize, KeyUsages, SubjectAlternativeNameType, Windows10DeviceModeType,
    Windows10EditionType,
};
use proptest::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::json;

/// Encodes `value` as a JSON string and returns the string's content.
fn wire<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::String(s) => s,
        other => panic!("not written as a JSON string: {other}"),
    }
}

fn read<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(json!(name)).unwrap()
}

/// For an enum: the members in schema order with their wire names; each is `KNOWN`, reads
/// and writes by name; anything else is `Other` and written back exactly.
macro_rules! enum_tests {
    ($module:ident, $ty:ident, [$($variant:ident => $wire:literal),+ $(,)?]) => {
        mod $module {
            use super::*;

            const MEMBERS: &[($ty, &str)] = &[$(($ty::$variant, $wire)),+];

            #[test]
            fn known_members_round_trip_by_name_in_schema_order() {
                let known: Vec<$ty> = MEMBERS.iter().map(|(member, _)| member.clone()).collect();
                assert_eq!($ty::KNOWN, known.as_slice(), "KNOWN lists every member in schema order");
                for (member, name) in MEMBERS {
                    assert_eq!(member.as_str(), *name);
                    assert_eq!(member.to_string(), *name);
                    assert!(member.is_known(), "{name}");
                    assert_eq!(wire(member), *name);
                    assert_eq!(read::<$ty>(name), *member, "{name}");
                    assert_eq!(name.parse::<$ty>().unwrap(), *member);
                    assert_eq!($ty::from_wire(name), *member);
                }
                // Member names are case-sensitive: another casing is an unknown value, kept.
                let upper = MEMBERS[0].1.to_uppercase();
                assert_eq!(read::<$ty>(&upper), $ty::Other(upper.clone()));
                // Numbers are never accepted: the wire format is the name.
                assert!(serde_json::from_value::<$ty>(json!(0)).is_err());
            }

            proptest! {
                #[test]
                fn any_string_is_written_back_verbatim(s in any::<String>()) {
                    let value: $ty = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
                    prop_assert_eq!(wire(&value), s.clone());
                    match MEMBERS.iter().find(|(_, name)| *name == s) {
                        Some((member, _)) => prop_assert_eq!(&value, member),
                        None => {
                            prop_assert_eq!(&value, &$ty::Other(s.clone()));
                            prop_assert!(!value.is_known());
                        }
                    }
                }
            }
        }
    };
}

enum_tests!(key_size, KeySize, [Size1024 => "size1024", Size2048 => "size2048", Size4096 => "size4096"]);

enum_tests!(apple_subject_name_format, AppleSubjectNameFormat, [
    CommonName => "commonName",
    CommonNameAsEmail => "commonNameAsEmail",
    Custom => "custom",
    CommonNameIncludingEmail => "commonNameIncludingEmail",
    CommonNameAsImei => "commonNameAsIMEI",
    CommonNameAsSerialNumber => "commonNameAsSerialNumber",
]);

enum_tests!(certificate_validity_period_scale, CertificateValidityPeriodScale, [
    Days => "days",
    Months => "months",
    Years => "years",
]);

enum_tests!(certificate_store, CertificateStore, [User => "user", Machine => "machine"]);

enum_tests!(applicability_rule_type, ApplicabilityRuleType, [Include => "include", Exclude => "exclude"]);

enum_tests!(windows10_device_mode_type, Windows10DeviceModeType, [
    StandardConfiguration => "standardConfiguration",
    SModeConfiguration => "sModeConfiguration",
]);

enum_tests!(windows10_edition_type, Windows10EditionType, [
    Windows10Enterprise => "windows10Enterprise",
    Windows10EnterpriseN => "windows10EnterpriseN",
    Windows10Education => "windows10Education",
    Windows10EducationN => "windows10EducationN",
    Windows10MobileEnterprise => "windows10MobileEnterprise",
    Windows10HolographicEnterprise => "windows10HolographicEnterprise",
    Windows10Professional => "windows10Professional",
    Windows10ProfessionalN => "windows10ProfessionalN",
    Windows10ProfessionalEducation => "windows10ProfessionalEducation",
    Windows10ProfessionalEducationN => "windows10ProfessionalEducationN",
    Windows10ProfessionalWorkstation => "windows10ProfessionalWorkstation",
    Windows10ProfessionalWorkstationN => "windows10ProfessionalWorkstationN",
    NotConfigured => "notConfigured",
    Windows10Home => "windows10Home",
    Windows10HomeChina => "windows10HomeChina",
    Windows10HomeN => "windows10HomeN",
    Windows10HomeSingleLanguage => "windows10HomeSingleLanguage",
    Windows10Mobile => "windows10Mobile",
    Windows10IoTCore => "windows10IoTCore",
    Windows10IoTCoreCommercial => "windows10IoTCoreCommercial",
]);

enum_tests!(intended_purpose, IntendedPurpose, [
    Unassigned => "unassigned",
    SmimeEncryption => "smimeEncryption",
    SmimeSigning => "smimeSigning",
    Vpn => "vpn",
    Wifi => "wifi",
]);

/// For a flag set: its members in schema order, the name of the empty set, and properties
/// of writing, reading and lenient reading.
macro_rules! flags_tests {
    ($module:ident, $ty:ident, none = $none:expr, [$($member:ident => $wire:literal),+ $(,)?]) => {
        mod $module {
            use super::*;

            fn members() -> Vec<($ty, &'static str)> {
                vec![$(($ty::$member, $wire)),+]
            }

            const NONE: Option<&str> = $none;

            /// Unknown member names: never a known name, never `none`, no comma or space.
            fn unknown_name() -> impl Strategy<Value = String> {
                "[a-zA-Z][a-zA-Z0-9_.]{0,12}"
                    .prop_filter("not a known member or none", |s| s != "none" && ![$($wire),+].contains(&s.as_str()))
            }

            /// A subset of the known members and a list of distinct unknown names.
            fn subset() -> impl Strategy<Value = (Vec<bool>, Vec<String>)> {
                let count = members().len();
                (
                    proptest::collection::vec(any::<bool>(), count),
                    proptest::collection::vec(unknown_name(), 0..4).prop_map(|mut names| {
                        let mut seen = Vec::new();
                        names.retain(|n| if seen.contains(n) { false } else { seen.push(n.clone()); true });
                        names
                    }),
                )
            }

            /// The canonical text: known members in schema order, then the unknown ones as
            /// given, joined by `,`; the empty set is `none` (or nothing).
            fn canonical(selected: &[bool], unknown: &[String]) -> String {
                let mut names: Vec<String> = members()
                    .into_iter()
                    .zip(selected)
                    .filter(|(_, on)| **on)
                    .map(|((_, name), _)| name.to_owned())
                    .collect();
                names.extend(unknown.iter().cloned());
                if names.is_empty() { NONE.unwrap_or("").to_owned() } else { names.join(",") }
            }

            #[test]
            fn empty_set_and_none() {
                assert_eq!($ty::NONE_NAME, NONE);
                assert_eq!($ty::empty().to_string(), NONE.unwrap_or(""));
                assert_eq!(wire(&$ty::empty()), NONE.unwrap_or(""));
                assert!(read::<$ty>("").is_empty());
                match NONE {
                    Some(none) => {
                        // `none` is the empty set, and adds nothing next to other members.
                        assert_eq!(read::<$ty>(none), $ty::empty());
                        let (first, name) = members().remove(0);
                        assert_eq!(read::<$ty>(&format!("{none},{name}")), first);
                        assert_eq!(read::<$ty>(&format!("{name}, {none}")), first);
                        assert_eq!(wire(&read::<$ty>(&format!("{none},{name}"))), name);
                    }
                    None => {
                        // Without a `none` member, "none" is an unknown member, kept as read.
                        let set = read::<$ty>("none");
                        assert_eq!(set.unknown_members(), ["none".to_string()]);
                        assert_eq!(wire(&set), "none");
                    }
                }
            }

            #[test]
            fn every_member_alone_and_all_together() {
                let mut all = $ty::empty();
                for (member, name) in members() {
                    assert_eq!(wire(&member), name);
                    assert_eq!(read::<$ty>(name), member);
                    assert!(member.unknown_members().is_empty());
                    all.insert(member);
                }
                let joined = [$($wire),+].join(",");
                assert_eq!(wire(&all), joined);
                assert_eq!(read::<$ty>(&joined), all);
                for (member, _) in members() {
                    assert!(all.contains(&member));
                }
                // A JSON array of names is read too, and written as the canonical string.
                let array: $ty = serde_json::from_value(json!([$($wire),+])).unwrap();
                assert_eq!(array, all);
                // Numbers are not a wire form of a flag set.
                assert!(serde_json::from_value::<$ty>(json!(3)).is_err());
            }

            proptest! {
                /// Any subset, built in any order, is written canonically and read back equal.
                #[test]
                fn any_subset_written_and_read_back_is_equal((selected, unknown) in subset(), reverse in any::<bool>()) {
                    let mut set = $ty::empty();
                    let mut chosen: Vec<$ty> = members()
                        .into_iter()
                        .zip(&selected)
                        .filter(|(_, on)| **on)
                        .map(|((member, _), _)| member)
                        .collect();
                    if reverse {
                        chosen.reverse();
                    }
                    for member in chosen {
                        set |= member;
                    }
                    for name in &unknown {
                        set.insert($ty::parse(name));
                    }
                    let text = wire(&set);
                    prop_assert_eq!(&text, &canonical(&selected, &unknown));
                    prop_assert!(!text.contains(' '));
                    prop_assert_eq!(set.unknown_members(), unknown.as_slice());
                    let back: $ty = read(&text);
                    prop_assert_eq!(&back, &set);
                    prop_assert_eq!(set.is_empty(), selected.iter().all(|on| !on) && unknown.is_empty());
                }

                /// Spaces, tabs, empty pieces, duplicates and any order of known members are
                /// read leniently; unknown members keep their first-seen order.
                #[test]
                fn spaced_duplicated_reordered_input_is_read_leniently(
                    (selected, unknown) in subset(),
                    seed in any::<u64>(),
                    pads in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("  "), Just("\t"), Just(" \t ")], 24),
                ) {
                    // Every selected known member twice, shuffled among the unknown ones (which
                    // stay in their relative order), plus an empty piece.
                    let known: Vec<&str> = members()
                        .into_iter()
                        .zip(&selected)
                        .filter(|(_, on)| **on)
                        .map(|((_, name), _)| name)
                        .collect();
                    let mut pieces: Vec<String> = unknown.clone();
                    let mut rng = seed;
                    for name in known.iter().chain(known.iter()).rev() {
                        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        let at = (rng >> 33) as usize % (pieces.len() + 1);
                        pieces.insert(at, (*name).to_owned());
                    }
                    pieces.insert((seed as usize) % (pieces.len() + 1), String::new());
                    let input: String = pieces
                        .iter()
                        .enumerate()
                        .map(|(i, piece)| format!("{}{piece}{}", pads[(2 * i) % pads.len()], pads[(2 * i + 1) % pads.len()]))
                        .collect::<Vec<_>>()
                        .join(",");
                    let set: $ty = read(&input);
                    prop_assert_eq!(wire(&set), canonical(&selected, &unknown), "input {:?}", input);
                    prop_assert_eq!(set.unknown_members(), unknown.as_slice());
                    for (member, _) in members().into_iter().zip(&selected).filter(|(_, on)| **on).map(|(m, _)| m) {
                        prop_assert!(set.contains(&member));
                    }
                }
            }
        }
    };
}

flags_tests!(key_usages, KeyUsages, none = None, [
    KEY_ENCIPHERMENT => "keyEncipherment",
    DIGITAL_SIGNATURE => "digitalSignature",
]);

flags_tests!(subject_alternative_name_type, SubjectAlternativeNameType, none = Some("none"), [
    EMAIL_ADDRESS => "emailAddress",
    USER_PRINCIPAL_NAME => "userPrincipalName",
    CUSTOM_AZURE_AD_ATTRIBUTE => "customAzureADAttribute",
    DOMAIN_NAME_SERVICE => "domainNameService",
    UNIVERSAL_RESOURCE_IDENTIFIER => "universalResourceIdentifier",
]);

#[test]
fn key_usage_golden_strings() {
    let both = KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE;
    assert_eq!(wire(&both), "keyEncipherment,digitalSignature");
    assert_eq!(
        wire(&(KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT)),
        "keyEncipherment,digitalSignature"
    );
    for input in [
        "keyEncipherment,digitalSignature",
        "digitalSignature,keyEncipherment",
        "digitalSignature, keyEncipherment",
        " keyEncipherment , digitalSignature ",
        "keyEncipherment,,digitalSignature,keyEncipherment",
    ] {
        assert_eq!(read::<KeyUsages>(input), both, "{input:?}");
    }
    assert_eq!(wire(&KeyUsages::DIGITAL_SIGNATURE), "digitalSignature");
    assert_eq!(format!("{both:?}"), "KeyUsages(keyEncipherment,digitalSignature)");

    let unknown = read::<KeyUsages>("digitalSignature, futureUsage");
    assert_eq!(wire(&unknown), "digitalSignature,futureUsage");
    assert_eq!(wire(&read::<KeyUsages>("futureUsage,digitalSignature")), "digitalSignature,futureUsage");
}

#[test]
fn subject_alternative_name_type_golden_strings() {
    let upn_dns =
        SubjectAlternativeNameType::USER_PRINCIPAL_NAME | SubjectAlternativeNameType::DOMAIN_NAME_SERVICE;
    assert_eq!(wire(&upn_dns), "userPrincipalName,domainNameService");
    assert_eq!(read::<SubjectAlternativeNameType>("domainNameService,userPrincipalName"), upn_dns);
    assert_eq!(read::<SubjectAlternativeNameType>("none"), SubjectAlternativeNameType::empty());
    assert_eq!(wire(&SubjectAlternativeNameType::empty()), "none");
}
