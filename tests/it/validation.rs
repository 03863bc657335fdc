//! Validation before sending: each rule names exactly the field it concerns, every problem
//! is reported at once, and an invalid object never reaches the server unless asked.

use crate::support::{
    fixtures,
    problems::{problem_fields, problem_texts},
};

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
    let fields = problem_fields(&err);
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
    let fields = problem_fields(&err);
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
    let fields = problem_fields(invalid);
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

/// The rules of the profiles that use a certificate, each from the schema's description
/// of the property it names: every problem reported, with its message.
mod certificate_users {
    use intune_graph::models::{
        AppleVpnConnectionType, ConfigurationObject, DeviceConfigurationPatch, EapType,
        EasAuthenticationMethod, EmailCertificateType, GraphEntity, IosEasEmailProfileConfiguration,
        IosEnterpriseWiFiConfiguration, IosPkcsCertificateProfile, IosVpnConfiguration, KeyValue,
        VpnAuthenticationMethod, VpnServer, WiFiAuthenticationMethod, WiFiProxySetting,
    };
    use serde_json::json;

    use super::{problem_fields, problem_texts};

    fn messages(object: &impl GraphEntity) -> Vec<String> {
        object.validate().err().map(|e| problem_texts(&e)).unwrap_or_default()
    }

    fn pkcs(id: &str) -> IosPkcsCertificateProfile {
        let mut pkcs = IosPkcsCertificateProfile::default();
        pkcs.base_mut().id = Some(id.into());
        pkcs
    }

    #[test]
    fn wifi_needs_an_ssid_an_eap_type_and_the_certificate_its_eap_type_uses() {
        assert_eq!(
            messages(&IosEnterpriseWiFiConfiguration::default()),
            ["displayName: is required", "ssid: is required", "eapType: is required"]
        );
        let mut wifi = IosEnterpriseWiFiConfiguration::builder()
            .display_name("Wi-Fi")
            .ssid(" ")
            .network_name("")
            .eap_type(EapType::Peap)
            .authentication_method(WiFiAuthenticationMethod::Certificate)
            .build()
            .unwrap_err();
        assert_eq!(
            problem_texts(&wifi),
            [
                "ssid: must not be empty",
                "networkName: must not be empty",
                "identityCertificateForClientAuthentication: is required when eapType is peap with authenticationMethod certificate",
            ]
        );
        // PEAP with a username and password needs no certificate; EAP-TTLS with one does.
        let peap = IosEnterpriseWiFiConfiguration::builder()
            .display_name("Wi-Fi")
            .ssid("corp")
            .eap_type(EapType::Peap)
            .authentication_method(WiFiAuthenticationMethod::UsernameAndPassword);
        peap.clone().build().unwrap();
        wifi = peap
            .eap_type(EapType::EapTtls)
            .authentication_method(WiFiAuthenticationMethod::Certificate)
            .build()
            .unwrap_err();
        assert!(wifi.has_problem_with("identityCertificateForClientAuthentication"), "{wifi}");
        // A PKCS profile is an iosCertificateProfileBase too.
        IosEnterpriseWiFiConfiguration::builder()
            .display_name("Wi-Fi")
            .ssid("corp")
            .eap_type(EapType::EapTls)
            .identity_certificate(&pkcs("p1"))
            .build()
            .unwrap();
    }

    #[test]
    fn wifi_proxy_needs_what_its_setting_uses_and_at_most_500_server_roots() {
        let base = || {
            IosEnterpriseWiFiConfiguration::builder().display_name("W").ssid("corp").eap_type(EapType::Leap)
        };
        let mut manual = base().build().unwrap();
        manual.wifi.proxy_settings = Some(WiFiProxySetting::Manual);
        assert_eq!(messages(&manual), ["proxyManualAddress: is required"]);
        let mut automatic = base().build().unwrap();
        automatic.wifi.proxy_settings = Some(WiFiProxySetting::Automatic);
        assert_eq!(messages(&automatic), ["proxyAutomaticConfigurationUrl: is required"]);
        base().manual_proxy("proxy.contoso.com", 8080).automatic_proxy("https://proxy/pac").build().unwrap();

        let mut roots = base().build().unwrap();
        let binds: Vec<String> =
            (0..501).map(|i| format!("deviceManagement/deviceConfigurations('r{i}')")).collect();
        roots
            .additional_data
            .insert("rootCertificatesForServerValidation@odata.bind".into(), json!(binds).into());
        assert_eq!(
            messages(&roots),
            ["rootCertificatesForServerValidation: has 501 entries, at most 500 are allowed"]
        );
    }

    #[test]
    fn vpn_needs_a_connection_a_server_and_its_certificate() {
        assert_eq!(
            messages(&IosVpnConfiguration::default()),
            [
                "displayName: is required",
                "connectionName: is required",
                "connectionType: is required",
                "server.address: is required",
            ]
        );
        let vpn = IosVpnConfiguration::builder()
            .display_name("VPN")
            .connection_name("Contoso")
            .connection_type(AppleVpnConnectionType::CustomVpn)
            .server(VpnServer::new(""))
            .authentication_method(VpnAuthenticationMethod::Certificate);
        let mut invalid = vpn.clone().build().unwrap_err().problems.into_iter().map(|p| p.to_string());
        assert_eq!(invalid.next().as_deref(), Some("server.address: must not be empty"));
        assert_eq!(invalid.next().as_deref(), Some("identifier: is required"));
        assert_eq!(
            invalid.next().as_deref(),
            Some("identityCertificate: is required when authenticationMethod is certificate")
        );
        assert_eq!(invalid.next(), None);

        let mut limits = vpn
            .server(VpnServer::new("vpn.contoso.com"))
            .identifier("com.contoso.vpn")
            .identity_certificate(&pkcs("p1"))
            .build()
            .unwrap();
        limits.vpn.custom_data = Some(vec![KeyValue::default(); 26]);
        limits.vpn.disconnect_on_idle_timer_in_seconds = Some(65536);
        limits.vpn.proxy_server = Some(Box::new(serde_json::from_value(json!({"port": -1})).unwrap()));
        assert_eq!(
            messages(&limits),
            [
                "customData: has 26 entries, at most 25 are allowed",
                "disconnectOnIdleTimerInSeconds: must be 0 to 65535, is 65536",
                "proxyServer.port: must be 0 to 65535, is -1",
            ]
        );
    }

    #[test]
    fn email_needs_a_host_and_the_certificates_its_settings_use() {
        assert_eq!(
            messages(&IosEasEmailProfileConfiguration::default()),
            ["displayName: is required", "hostName: is required"]
        );
        let err = IosEasEmailProfileConfiguration::builder()
            .display_name("Mail")
            .host_name("outlook.office365.com")
            .authentication_method(EasAuthenticationMethod::Certificate)
            .signing_certificate_type(EmailCertificateType::Certificate)
            .encryption_certificate_type(EmailCertificateType::Certificate)
            .build()
            .unwrap_err();
        assert_eq!(
            problem_texts(&err),
            [
                "identityCertificate: is required when authenticationMethod is certificate",
                "smimeSigningCertificate: is required when signingCertificateType is certificate",
                "smimeEncryptionCertificate: is required when encryptionCertificateType is certificate",
            ]
        );
        // A derived credential or no S/MIME certificate needs no reference.
        IosEasEmailProfileConfiguration::builder()
            .display_name("Mail")
            .host_name("outlook.office365.com")
            .authentication_method(EasAuthenticationMethod::DerivedCredential)
            .signing_certificate_type(EmailCertificateType::DerivedCredential)
            .build()
            .unwrap();
    }

    /// An update is held to the rules of what it sets, and never sends a reference itself
    /// (of a typed type or not): only its bind.
    #[test]
    fn updates_follow_the_rules_and_refuse_references() {
        let wifi = "#microsoft.graph.iosEnterpriseWiFiConfiguration";
        let err = DeviceConfigurationPatch::new(wifi)
            .set("ssid", "")
            .set("identityCertificateForClientAuthentication", json!({"id": "s1"}))
            .validate()
            .unwrap_err();
        assert_eq!(problem_fields(&err), ["identityCertificateForClientAuthentication", "ssid"]);
        DeviceConfigurationPatch::new(wifi)
            .set(
                "identityCertificateForClientAuthentication@odata.bind",
                "https://graph.microsoft.com/beta/x",
            )
            .validate()
            .unwrap();
        // An unmodelled type's references come from the schema's table.
        let windows = "#microsoft.graph.windowsWifiEnterpriseEAPConfiguration";
        let err = DeviceConfigurationPatch::new(windows)
            .set("rootCertificateForClientValidation", json!({}))
            .validate();
        assert!(err.unwrap_err().has_problem_with("rootCertificateForClientValidation"));
        DeviceConfigurationPatch::new("#microsoft.graph.windows10GeneralConfiguration")
            .set("rootCertificateForClientValidation", "not a reference there")
            .validate()
            .unwrap();
    }
}
