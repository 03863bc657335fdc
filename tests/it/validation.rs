//! Validation before sending: each rule names exactly the field it concerns, every problem
//! is reported at once, and an invalid object never reaches the server unless asked.

use crate::support::fixtures;

use intune_graph::{
    Error, GraphClient,
    models::{
        AppleSubjectNameFormat, CustomSubjectAlternativeName, ExtendedKeyUsage, GraphEntity,
        IosScepCertificateProfile, KeySize, KeyUsages, KnownEku, MAX_PROFILE_COLLECTION_LEN,
        SubjectAlternativeNameType, ValidationError,
    },
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

const SEED_REQUEST: &str = include_str!("../fixtures/seed-request.json");
const TOKEN: &str = "tok-validation-1";

/// A profile that passes every rule; each test breaks one thing.
fn valid() -> IosScepCertificateProfile {
    fixtures::scep_builder("iOS SCEP - Corporate Wi-Fi")
        .extended_key_usage(KnownEku::CLIENT_AUTHENTICATION)
        .build()
        .expect("the baseline profile is valid")
}

/// The field paths of the problems, in the order they are reported.
fn fields(result: Result<(), ValidationError>) -> Vec<String> {
    match result {
        Ok(()) => Vec::new(),
        Err(e) => {
            assert!(!e.problems.is_empty(), "an error always has a problem");
            e.problems.into_iter().map(|p| p.field).collect()
        }
    }
}

fn problems_of(edit: impl FnOnce(&mut IosScepCertificateProfile)) -> Vec<String> {
    let mut profile = valid();
    edit(&mut profile);
    fields(profile.validate())
}

#[test]
fn baseline_is_valid() {
    assert_eq!(valid().validate(), Ok(()));
}

#[test]
fn display_name_is_required_and_not_blank() {
    assert_eq!(problems_of(|p| p.base.display_name = None), ["displayName"]);
    assert_eq!(problems_of(|p| p.base.display_name = Some(String::new())), ["displayName"]);
    assert_eq!(problems_of(|p| p.base.display_name = Some(" \t ".into())), ["displayName"]);
    assert_eq!(problems_of(|p| p.base.display_name = Some("x".into())), Vec::<String>::new());
}

#[test]
fn renewal_threshold_is_one_to_ninety_nine() {
    let refused: &[&str] = &["renewalThresholdPercentage"];
    for (percent, expected) in [(0, refused), (1, &[]), (99, &[]), (100, refused)] {
        assert_eq!(
            problems_of(|p| p.certificate.renewal_threshold_percentage = Some(percent)),
            expected,
            "{percent}"
        );
    }
    assert_eq!(
        problems_of(|p| p.certificate.renewal_threshold_percentage = Some(-5)),
        ["renewalThresholdPercentage"]
    );
    assert_eq!(
        problems_of(|p| p.certificate.renewal_threshold_percentage = None),
        ["renewalThresholdPercentage"]
    );
}

#[test]
fn validity_period_value_is_positive() {
    for value in [0, -1, i32::MIN] {
        assert_eq!(
            problems_of(|p| p.certificate.certificate_validity_period_value = Some(value)),
            ["certificateValidityPeriodValue"],
            "{value}"
        );
    }
    assert!(problems_of(|p| p.certificate.certificate_validity_period_value = Some(1)).is_empty());
}

#[test]
fn scep_server_urls_are_absolute_https_and_at_least_one() {
    assert_eq!(problems_of(|p| p.scep_server_urls = None), ["scepServerUrls"]);
    assert_eq!(problems_of(|p| p.scep_server_urls = Some(vec![])), ["scepServerUrls"]);
    assert_eq!(
        problems_of(|p| p.scep_server_urls = Some(vec!["/certsrv/mscep/mscep.dll".into()])),
        ["scepServerUrls[0]"]
    );
    assert_eq!(
        problems_of(|p| p.scep_server_urls = Some(vec![
            "https://ndes.contoso.com/certsrv/mscep/mscep.dll".into(),
            "http://ndes.contoso.com/certsrv/mscep/mscep.dll".into(),
        ])),
        ["scepServerUrls[1]"]
    );
    // The seed page's placeholder is not a URL at all.
    assert_eq!(
        problems_of(|p| p.scep_server_urls = Some(vec!["Scep Server Urls value".into()])),
        ["scepServerUrls[0]"]
    );
}

#[test]
fn extended_key_usages_are_at_most_500_with_dotted_oids() {
    let ekus = |n: usize| -> Vec<ExtendedKeyUsage> {
        (0..n).map(|i| ExtendedKeyUsage::new(format!("EKU {i}"), format!("1.3.6.1.4.1.311.{i}"))).collect()
    };
    assert!(problems_of(|p| p.extended_key_usages = Some(ekus(MAX_PROFILE_COLLECTION_LEN))).is_empty());
    assert_eq!(problems_of(|p| p.extended_key_usages = Some(ekus(501))), ["extendedKeyUsages"]);

    assert_eq!(
        problems_of(|p| p.extended_key_usages =
            Some(vec![ExtendedKeyUsage::new("Name value", "Object Identifier value")])),
        ["extendedKeyUsages[0].objectIdentifier"]
    );
    assert_eq!(
        problems_of(|p| p.extended_key_usages = Some(vec![
            KnownEku::CLIENT_AUTHENTICATION.into(),
            ExtendedKeyUsage { name: Some("no OID".into()), ..Default::default() },
            ExtendedKeyUsage::new("Leading zero", "1.3.06.1"),
        ])),
        ["extendedKeyUsages[1].objectIdentifier", "extendedKeyUsages[2].objectIdentifier"]
    );
}

#[test]
fn custom_subject_alternative_names_are_at_most_500() {
    let sans = |n: usize| -> Vec<CustomSubjectAlternativeName> {
        (0..n)
            .map(|i| {
                CustomSubjectAlternativeName::new(
                    SubjectAlternativeNameType::DOMAIN_NAME_SERVICE,
                    format!("host{i}.contoso.com"),
                )
            })
            .collect()
    };
    assert!(
        problems_of(|p| p.custom_subject_alternative_names = Some(sans(MAX_PROFILE_COLLECTION_LEN)))
            .is_empty()
    );
    assert_eq!(
        problems_of(|p| p.custom_subject_alternative_names = Some(sans(501))),
        ["customSubjectAlternativeNames"]
    );
}

#[test]
fn custom_subject_name_needs_its_format_string() {
    let custom = |p: &mut IosScepCertificateProfile| {
        p.certificate.subject_name_format = Some(AppleSubjectNameFormat::Custom)
    };
    assert_eq!(problems_of(custom), ["subjectNameFormatString"]);
    assert_eq!(
        problems_of(|p| {
            custom(p);
            p.subject_name_format_string = Some("  ".into());
        }),
        ["subjectNameFormatString"]
    );
    assert!(
        problems_of(|p| {
            custom(p);
            p.subject_name_format_string = Some("CN={{EmailAddress}},O=Contoso".into());
        })
        .is_empty()
    );
}

#[test]
fn custom_azure_ad_attribute_san_needs_its_format_string() {
    let attribute = SubjectAlternativeNameType::USER_PRINCIPAL_NAME
        | SubjectAlternativeNameType::CUSTOM_AZURE_AD_ATTRIBUTE;
    assert_eq!(
        problems_of(|p| p.certificate.subject_alternative_name_type = Some(attribute.clone())),
        ["subjectAlternativeNameFormatString"]
    );
    assert!(
        problems_of(|p| {
            p.certificate.subject_alternative_name_type = Some(attribute.clone());
            p.subject_alternative_name_format_string = Some("{{OnPremisesSamAccountName}}".into());
        })
        .is_empty()
    );
    // Without customAzureADAttribute no format string is needed.
    assert!(
        problems_of(
            |p| p.certificate.subject_alternative_name_type = Some(SubjectAlternativeNameType::EMAIL_ADDRESS)
        )
        .is_empty()
    );
}

#[test]
fn key_usage_and_key_size_are_required() {
    assert_eq!(problems_of(|p| p.key_usage = None), ["keyUsage"]);
    assert_eq!(problems_of(|p| p.key_usage = Some(KeyUsages::empty())), ["keyUsage"]);
    assert_eq!(problems_of(|p| p.key_size = None), ["keySize"]);
    // An unknown future key size is not refused: the service is the judge.
    assert!(problems_of(|p| p.key_size = Some(KeySize::Other("size8192".into()))).is_empty());
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut profile = valid();
    profile.base.display_name = Some(String::new());
    profile.certificate.renewal_threshold_percentage = Some(100);
    profile.certificate.certificate_validity_period_value = Some(0);
    profile.certificate.subject_name_format = Some(AppleSubjectNameFormat::Custom);
    profile.certificate.subject_alternative_name_type =
        Some(SubjectAlternativeNameType::CUSTOM_AZURE_AD_ATTRIBUTE);
    profile.scep_server_urls = Some(vec!["http://ndes.contoso.com/".into(), "relative/path".into()]);
    profile.key_size = None;
    profile.extended_key_usages = Some(vec![ExtendedKeyUsage::new("Name value", "Object Identifier value")]);
    let err = profile.validate().unwrap_err();
    let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "displayName",
            "renewalThresholdPercentage",
            "certificateValidityPeriodValue",
            "subjectNameFormatString",
            "subjectAlternativeNameFormatString",
            "scepServerUrls[0]",
            "scepServerUrls[1]",
            "keySize",
            "extendedKeyUsages[0].objectIdentifier",
        ]
    );
    let text = err.to_string();
    assert!(text.starts_with("invalid object (9 problems): displayName: "), "{text}");
    for field in fields {
        assert!(text.contains(&format!("{field}: ")), "{field} in {text}");
        assert!(err.has_problem_with(field));
    }

    // The seed page's own request is refused for its two placeholders, nothing else.
    let seed: IosScepCertificateProfile = serde_json::from_str(SEED_REQUEST).unwrap();
    assert_eq!(fields_of(&seed), ["scepServerUrls[0]", "extendedKeyUsages[0].objectIdentifier"]);
}

fn fields_of(profile: &IosScepCertificateProfile) -> Vec<String> {
    fields(profile.validate())
}

#[test]
fn builder_refuses_an_empty_profile_and_lists_every_required_field() {
    let err = IosScepCertificateProfile::builder().build().unwrap_err();
    let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "displayName",
            "renewalThresholdPercentage",
            "subjectNameFormat",
            "certificateValidityPeriodValue",
            "certificateValidityPeriodScale",
            "scepServerUrls",
            "keyUsage",
            "keySize",
        ]
    );
    assert!(err.problems.iter().all(|p| !p.message.is_empty()));
}

/// The seed request: invalid (placeholder URL and OID), but the user may insist.
fn invalid_profile() -> IosScepCertificateProfile {
    let profile: IosScepCertificateProfile = serde_json::from_str(SEED_REQUEST).unwrap();
    assert!(profile.validate().is_err());
    profile
}

#[tokio::test]
async fn default_client_refuses_an_invalid_profile_without_sending_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_raw(fixtures::SEED_RESPONSE, "application/json"))
        .expect(0)
        .mount(&server)
        .await;
    let client = GraphClient::builder()
        .base_url(format!("{}/beta", server.uri()))
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    let err = client.device_configurations().create(&invalid_profile()).await.unwrap_err();
    let Error::Validation(invalid) = &err else { panic!("expected a validation error, got {err:?}") };
    let fields: Vec<&str> = invalid.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["scepServerUrls[0]", "extendedKeyUsages[0].objectIdentifier"]);
    assert_eq!(err.status(), None);
    assert!(server.received_requests().await.unwrap().is_empty());
    server.verify().await;
}

#[tokio::test]
async fn skip_validation_sends_an_invalid_profile() {
    let server = fixtures::answering_create(
        ResponseTemplate::new(201).set_body_raw(fixtures::SEED_RESPONSE, "application/json"),
    )
    .await;
    let client = GraphClient::builder()
        .base_url(format!("{}/beta", server.uri()))
        .bearer_token(TOKEN)
        .skip_validation()
        .build()
        .unwrap();
    let created = client.device_configurations().create(&invalid_profile()).await.unwrap();
    assert_eq!(created.base.id.as_deref(), Some("0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let mut expected: Value = serde_json::from_str(SEED_REQUEST).unwrap();
    expected.as_object_mut().unwrap().remove("lastModifiedDateTime");
    assert_eq!(body, expected);
    assert_eq!(body["scepServerUrls"], json!(["Scep Server Urls value"]));
    server.verify().await;
}

#[test]
fn builder_keeps_the_custom_attribute_san_whatever_the_call_order() {
    let build = |attribute_first: bool| {
        let builder = fixtures::scep_builder("SAN order");
        let builder = if attribute_first {
            builder
                .subject_alternative_name_attribute("{{OnPremisesSamAccountName}}")
                .subject_alternative_name_type(SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
        } else {
            builder
                .subject_alternative_name_type(SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
                .subject_alternative_name_attribute("{{OnPremisesSamAccountName}}")
        };
        builder.display_name("SAN order").build().unwrap()
    };
    for profile in [build(true), build(false)] {
        assert_eq!(
            profile.certificate.subject_alternative_name_type.as_ref().map(ToString::to_string).as_deref(),
            Some("userPrincipalName,customAzureADAttribute")
        );
        assert_eq!(
            profile.subject_alternative_name_format_string.as_deref(),
            Some("{{OnPremisesSamAccountName}}")
        );
    }
}
