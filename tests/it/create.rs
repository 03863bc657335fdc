//! `device_configurations().create(..)` against a local mock Graph: the exact request on the
//! wire and the exact decoded response.

use crate::support::fixtures;

use chrono::{TimeZone, Utc};
use intune_graph::{
    GraphClient,
    models::{
        AppleSubjectNameFormat, CertificateStore, CertificateValidityPeriodScale,
        CustomSubjectAlternativeName, DeviceConfiguration, ExtendedKeyUsage, IosScepCertificateProfile,
        IosTrustedRootCertificate, KeySize, KeyUsages, KnownEku, SubjectAlternativeNameType, Timestamp,
    },
};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

use crate::support::fixtures::SEED_RESPONSE;
const TOKEN: &str = "tok-create-7f3a";
use crate::support::fixtures::COLLECTION;

async fn server_answering(status: u16, body: &str) -> MockServer {
    fixtures::answering_create(
        ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json"),
    )
    .await
}

fn client_for(server: &MockServer) -> GraphClient {
    GraphClient::builder()
        .base_url(server.uri() + "/beta")
        .bearer_token(TOKEN)
        .build()
        .expect("client builds")
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).map(|v| v.to_str().expect("header is text"))
}

/// The one request the server saw, checked for everything but the body, which is returned.
async fn the_only_request(server: &MockServer) -> Value {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), COLLECTION);
    assert_eq!(request.url.query(), None);
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_eq!(header(request, "user-agent"), Some(concat!("intune-graph/", env!("CARGO_PKG_VERSION"))));
    let crid = header(request, "client-request-id").expect("client-request-id is sent");
    let uuid = uuid::Uuid::parse_str(crid).expect("client-request-id is a UUID");
    assert_eq!(uuid.get_version_num(), 4, "{crid} is a v4 UUID");
    assert_eq!(uuid.hyphenated().to_string(), crid, "lower-case hyphenated form");
    assert_eq!(header(request, "retry-attempt"), None, "a first attempt carries no retry-attempt");

    let mut names: Vec<&str> = request.headers.keys().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names,
        [
            "accept",
            "authorization",
            "client-request-id",
            "content-length",
            "content-type",
            "host",
            "user-agent"
        ],
        "no other headers"
    );
    assert_eq!(header(request, "content-length"), Some(request.body.len().to_string().as_str()));
    serde_json::from_slice(&request.body).expect("the body is JSON")
}

fn corporate_wifi_profile() -> IosScepCertificateProfile {
    IosScepCertificateProfile::builder()
        .display_name("iOS SCEP - Corporate Wi-Fi")
        .description("User certificate for 802.1X EAP-TLS on corporate iPhones and iPads")
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .scep_server_url("https://ndes-backup.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT)
        .key_size(KeySize::Size4096)
        .subject_name_format(AppleSubjectNameFormat::CommonNameAsEmail)
        .subject_alternative_name_type(SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
        .subject_alternative_name_attribute("{{OnPremisesSamAccountName}}")
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20)
        .extended_key_usage(KnownEku::CLIENT_AUTHENTICATION)
        .extended_key_usage(ExtendedKeyUsage::new("Smart Card Logon", "1.3.6.1.4.1.311.20.2.2"))
        .certificate_store(CertificateStore::User)
        .custom_subject_alternative_name(CustomSubjectAlternativeName::new(
            SubjectAlternativeNameType::DOMAIN_NAME_SERVICE,
            "{{DeviceName}}.devices.contoso.com",
        ))
        .role_scope_tag_ids(["0", "3"])
        .build()
        .expect("valid profile")
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[tokio::test]
async fn create_scep_profile_sends_exactly_one_post_and_decodes_the_201() {
    let server = server_answering(201, SEED_RESPONSE).await;
    let client = client_for(&server);

    let created = client.device_configurations().create(&corporate_wifi_profile()).await.expect("created");

    let body = the_only_request(&server).await;
    assert_eq!(
        body,
        json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "roleScopeTagIds": ["0", "3"],
            "description": "User certificate for 802.1X EAP-TLS on corporate iPhones and iPads",
            "displayName": "iOS SCEP - Corporate Wi-Fi",
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonNameAsEmail",
            "subjectAlternativeNameType": "userPrincipalName,customAzureADAttribute",
            "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years",
            "scepServerUrls": [
                "https://ndes.contoso.com/certsrv/mscep/mscep.dll",
                "https://ndes-backup.contoso.com/certsrv/mscep/mscep.dll"
            ],
            "keyUsage": "keyEncipherment,digitalSignature",
            "keySize": "size4096",
            "extendedKeyUsages": [
                {"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"},
                {"name": "Smart Card Logon", "objectIdentifier": "1.3.6.1.4.1.311.20.2.2"}
            ],
            "subjectAlternativeNameFormatString": "{{OnPremisesSamAccountName}}",
            "certificateStore": "user",
            "customSubjectAlternativeNames": [
                {"name": "{{DeviceName}}.devices.contoso.com", "sanType": "domainNameService"}
            ]
        })
    );

    // The seed page's 201 response, every field.
    let expected = crate::support::decoded::seed_response_profile();
    assert_eq!(created, expected);
    assert_eq!(
        created.base.created_date_time.unwrap().to_utc(),
        Utc.with_ymd_and_hms(2017, 1, 1, 8, 2, 43).unwrap() + chrono::Duration::nanoseconds(577_596_500)
    );
    assert_eq!(
        serde_json::to_value(&created).unwrap(),
        serde_json::from_str::<Value>(SEED_RESPONSE).unwrap()
    );
    server.verify().await;
}

/// The polymorphic model sends the same body and reads the typed variant back.
#[tokio::test]
async fn create_through_the_polymorphic_model_sends_the_same_body() {
    let server = server_answering(201, SEED_RESPONSE).await;
    let client = client_for(&server);
    let profile = corporate_wifi_profile();
    let expected_body: Value =
        serde_json::from_slice(&intune_graph::models::GraphEntity::to_write_json(&profile).unwrap()).unwrap();

    let created =
        client.device_configurations().create(&DeviceConfiguration::from(profile)).await.expect("created");

    assert_eq!(the_only_request(&server).await, expected_body);
    assert!(matches!(created, DeviceConfiguration::IosScepCertificate(_)));
    assert_eq!(created.id(), Some("0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d"));
    server.verify().await;
}

#[tokio::test]
async fn create_trusted_root_certificate() {
    const CERT: &str = "MIIBszCCAVmgAwIBAgIUQ29udG9zbyBSb290IENBIDIwMjY=";
    let response = json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity",
        "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
        "id": "2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f",
        "lastModifiedDateTime": "2026-01-05T12:00:00.1234567Z",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "createdDateTime": "2026-01-05T12:00:00.1234567Z",
        "description": null,
        "displayName": "Contoso Root CA",
        "version": 1,
        "trustedRootCertificate": CERT,
        "certFileName": "contoso-root.cer"
    });
    let server = server_answering(201, &response.to_string()).await;
    let client = client_for(&server);

    let root = IosTrustedRootCertificate::new("Contoso Root CA", "contoso-root.cer", CERT);
    let created = client.device_configurations().create(&root).await.expect("created");

    assert_eq!(
        the_only_request(&server).await,
        json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "displayName": "Contoso Root CA",
            "certFileName": "contoso-root.cer",
            "trustedRootCertificate": CERT
        })
    );
    assert_eq!(created.base.id.as_deref(), Some("2c1d7e44-9a1b-4f0e-8d2c-3b4a5c6d7e8f"));
    assert_eq!(created.base.display_name.as_deref(), Some("Contoso Root CA"));
    assert_eq!(created.base.version, Some(1));
    assert_eq!(created.base.supports_scope_tags, Some(true));
    assert_eq!(created.base.role_scope_tag_ids, Some(vec!["0".to_string()]));
    assert_eq!(created.base.created_date_time, Some(ts("2026-01-05T12:00:00.1234567Z")));
    assert_eq!(created.base.description, None);
    assert_eq!(created.cert_file_name.as_deref(), Some("contoso-root.cer"));
    assert_eq!(created.trusted_root_certificate.as_deref(), Some(CERT));
    assert_eq!(serde_json::to_value(&created).unwrap(), response);
    server.verify().await;
}
