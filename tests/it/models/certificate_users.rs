//! The profiles that use a certificate profile's certificate: iOS enterprise Wi-Fi, VPN and
//! Exchange ActiveSync email. Service-shaped reads (every property, unset ones as `null`,
//! annotations, unknown properties) decode to exact values and write back without loss;
//! write bodies leave out what the server owns and every reference but its bind; builders
//! bind created profiles, and a create sends the bind as an absolute URL.

use intune_graph::models::{
    AppleSubjectNameFormat, AppleVpnConnectionType, CertificateValidityPeriodScale, ConfigurationObject,
    DeviceConfiguration, DomainNameSource, EapFastConfiguration, EapType, EasAuthenticationMethod,
    EasServices, EmailCertificateType, EmailSyncDuration, GraphEntity, IosEasEmailProfileConfiguration,
    IosEnterpriseWiFiConfiguration, IosEnterpriseWiFiConfigurationBuilder, IosScepCertificateProfile,
    IosTrustedRootCertificate, IosVpnConfiguration, KeySize, KeyUsages, MacOsScepCertificateProfile,
    MacOsTrustedRootCertificate, UserEmailSource, UsernameSource, VpnAuthenticationMethod,
    VpnOnDemandRuleConnectionAction, VpnOnDemandRuleInterfaceTypeMatch, VpnProviderType, VpnServer,
    WiFiAuthenticationMethod, WiFiProxySetting, WiFiSecurityType,
};
use serde_json::{Map, Value, json};
use wiremock::{
    MockServer, ResponseTemplate,
    matchers::{body_json, header},
};

use crate::support::{
    decoded::assert_explicit_nulls,
    fixtures::{COLLECTION, scep_builder},
    mock::{BEARER, client, when},
    problems::problem_texts,
};

const CONTEXT: &str =
    "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity";
const TIPS: &str = "Use $select to choose only the properties your app needs, as this can lead to performance improvements. For example: GET deviceManagement/deviceConfigurations('<guid>')?$select=createdDateTime,description";

/// The common properties of a GET answer, annotations first, then `@odata.type`.
fn common(odata_type: &str, id: &str, name: &str) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "@odata.context": CONTEXT,
        "@microsoft.graph.tips": TIPS,
        "@odata.type": odata_type,
        "id": id,
        "lastModifiedDateTime": "2026-02-03T10:11:12.1234567Z",
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "createdDateTime": "2026-02-01T08:00:00Z",
        "description": null,
        "displayName": name,
        "version": 1
    }) else {
        unreachable!("an object literal")
    };
    map
}

fn with(mut object: Map<String, Value>, rest: Value) -> Value {
    let Value::Object(rest) = rest else { panic!("not an object: {rest}") };
    object.extend(rest);
    Value::Object(object)
}

/// `object` without the keys a write body leaves out.
fn without(object: &Value, keys: &[&str]) -> Value {
    let mut object = object.clone();
    for key in keys {
        object.as_object_mut().unwrap().remove(*key);
    }
    object
}

/// What a write body of a read object never carries: annotations and server-set fields.
const SERVER_OWNED: &[&str] = &[
    "@odata.context",
    "@microsoft.graph.tips",
    "id",
    "lastModifiedDateTime",
    "supportsScopeTags",
    "createdDateTime",
];

fn write_body<T: GraphEntity>(object: &T) -> Value {
    serde_json::from_slice(&object.to_write_json().expect("encodes")).expect("JSON")
}

fn wifi_payload() -> Value {
    with(
        common(
            "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "0b7e3c1a-1111-4c2d-9e8f-00000000f001",
            "Corp Wi-Fi",
        ),
        json!({
            "networkName": "Contoso Corp",
            "ssid": "CONTOSO-CORP",
            "connectAutomatically": true,
            "connectWhenNetworkNameIsHidden": false,
            "wiFiSecurityType": "wpa2Enterprise",
            "proxySettings": "none",
            "proxyManualAddress": null,
            "proxyManualPort": null,
            "proxyAutomaticConfigurationUrl": null,
            "disableMacAddressRandomization": false,
            "preSharedKey": null,
            "eapType": "eapTls",
            "eapFastConfiguration": "noProtectedAccessCredential",
            "trustedServerCertificateNames": ["radius.contoso.com"],
            "authenticationMethod": "certificate",
            "innerAuthenticationProtocolForEapTtls": null,
            "outerIdentityPrivacyTemporaryValue": null,
            "usernameFormatString": null,
            "passwordFormatString": null,
            "wiFiFutureSetting": {"mode": "strict", "level": 3}
        }),
    )
}

#[test]
fn enterprise_wifi_reads_a_service_payload_and_writes_it_back() {
    let config: DeviceConfiguration = serde_json::from_value(wifi_payload()).unwrap();
    let DeviceConfiguration::IosEnterpriseWiFi(wifi) = &config else { panic!("{config:?}") };
    assert_eq!(wifi.display_name(), Some("Corp Wi-Fi"));
    assert_eq!(wifi.wifi.network_name.as_deref(), Some("Contoso Corp"));
    assert_eq!(wifi.wifi.ssid.as_deref(), Some("CONTOSO-CORP"));
    assert_eq!(wifi.wifi.connect_automatically, Some(true));
    assert_eq!(wifi.wifi.connect_when_network_name_is_hidden, Some(false));
    assert_eq!(wifi.wifi.wi_fi_security_type, Some(WiFiSecurityType::Wpa2Enterprise));
    assert_eq!(wifi.wifi.proxy_settings, Some(WiFiProxySetting::None));
    assert_eq!(wifi.wifi.disable_mac_address_randomization, Some(false));
    assert_eq!(wifi.eap_type, Some(EapType::EapTls));
    assert_eq!(wifi.eap_fast_configuration, Some(EapFastConfiguration::NoProtectedAccessCredential));
    assert_eq!(wifi.trusted_server_certificate_names, Some(vec!["radius.contoso.com".to_owned()]));
    assert_eq!(wifi.authentication_method, Some(WiFiAuthenticationMethod::Certificate));
    let nulls = [
        "proxyManualAddress",
        "proxyManualPort",
        "proxyAutomaticConfigurationUrl",
        "preSharedKey",
        "innerAuthenticationProtocolForEapTtls",
        "outerIdentityPrivacyTemporaryValue",
        "usernameFormatString",
        "passwordFormatString",
    ];
    let recorded = wifi.explicit_nulls.len() + wifi.wifi.explicit_nulls.len();
    assert_explicit_nulls(&nulls, |key| wifi.is_explicit_null(key), recorded);
    assert_eq!(
        wifi.additional_data.keys().collect::<Vec<_>>(),
        ["@microsoft.graph.tips", "@odata.context", "wiFiFutureSetting"],
        "unmodelled properties, in key order"
    );
    // Lossless, and a write body without what the server owns (the unknown setting stays).
    assert_eq!(serde_json::to_value(&config).unwrap(), wifi_payload());
    assert_eq!(write_body(&config), without(&wifi_payload(), SERVER_OWNED));
    // A plain GET never returns the references, so the EAP-TLS rule asks for the bind.
    assert_eq!(
        config.validate().unwrap_err().to_string(),
        "invalid object (1 problem): identityCertificateForClientAuthentication: is required when eapType is eapTls"
    );
}

/// `$expand` brings the references back as objects (with their annotations): they are
/// typed, and a write body leaves them out, whether the type is modelled or not.
#[test]
fn expanded_references_are_read_typed_and_never_written() {
    let scep = crate::support::mock::scep_json("s1");
    let root = json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": "r1", "displayName": "Root", "trustedRootCertificate": "AAAA", "certFileName": "root.cer"});
    let mut read = wifi_payload();
    let expanded = json!({
        "identityCertificateForClientAuthentication@odata.context": format!("{CONTEXT}/identityCertificateForClientAuthentication"),
        "identityCertificateForClientAuthentication": scep,
        "identityCertificateForClientAuthentication@odata.navigationLink": "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('0b7e3c1a-1111-4c2d-9e8f-00000000f001')/microsoft.graph.iosEnterpriseWiFiConfiguration/identityCertificateForClientAuthentication",
        "rootCertificatesForServerValidation@odata.context": format!("{CONTEXT}/rootCertificatesForServerValidation"),
        "rootCertificatesForServerValidation": [root],
        "derivedCredentialSettings": null
    });
    read.as_object_mut().unwrap().extend(expanded.as_object().unwrap().clone());
    let wifi: IosEnterpriseWiFiConfiguration = serde_json::from_value(read.clone()).unwrap();
    let Some(DeviceConfiguration::IosScepCertificate(identity)) =
        wifi.identity_certificate_for_client_authentication.as_deref()
    else {
        panic!("{wifi:?}")
    };
    assert_eq!(identity.id(), Some("s1"));
    let roots = wifi.root_certificates_for_server_validation.as_deref().unwrap();
    assert!(matches!(&roots[0], DeviceConfiguration::IosTrustedRootCertificate(r) if r.id() == Some("r1")));
    assert!(wifi.is_explicit_null("derivedCredentialSettings"));
    // With the references expanded the EAP-TLS rule is met.
    wifi.validate().unwrap();
    assert_eq!(serde_json::to_value(&wifi).unwrap(), read);
    assert_eq!(write_body(&wifi), without(&wifi_payload(), SERVER_OWNED));

    // An unmodelled type with references of its own (macOS enterprise Wi-Fi): the
    // navigations and their annotations go, a bind the caller added stays.
    let mut mac = read.clone();
    mac["@odata.type"] = json!("#microsoft.graph.macOSEnterpriseWiFiConfiguration");
    // (Its derived credential settings are a navigation outside the table of references
    // between configurations: not what this is about.)
    mac.as_object_mut().unwrap().remove("derivedCredentialSettings");
    mac.as_object_mut().unwrap().extend(
        json!({
            "rootCertificateForServerValidation": root,
            "rootCertificateForServerValidation@odata.navigationLink": "https://graph.microsoft.com/beta/x",
            "rootCertificateForServerValidation@odata.associationLink": "https://graph.microsoft.com/beta/x/$ref",
            "identityCertificateForClientAuthentication@odata.bind": "deviceManagement/deviceConfigurations('s2')"
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let config: DeviceConfiguration = serde_json::from_value(mac.clone()).unwrap();
    assert!(matches!(config, DeviceConfiguration::Other(_)));
    assert_eq!(serde_json::to_value(&config).unwrap(), mac, "a full encoding keeps everything");
    let mut expected = without(&wifi_payload(), SERVER_OWNED);
    expected["@odata.type"] = json!("#microsoft.graph.macOSEnterpriseWiFiConfiguration");
    expected["identityCertificateForClientAuthentication@odata.bind"] =
        json!("deviceManagement/deviceConfigurations('s2')");
    assert_eq!(write_body(&config), expected);
}

fn vpn_payload() -> Value {
    with(
        common("#microsoft.graph.iosVpnConfiguration", "0b7e3c1a-2222-4c2d-9e8f-00000000f002", "Corp VPN"),
        json!({
            "connectionName": "Contoso VPN",
            "connectionType": "ciscoAnyConnectV2",
            "loginGroupOrDomain": null,
            "role": null,
            "realm": null,
            "server": {"@odata.type": "microsoft.graph.vpnServer", "description": "Primary", "address": "vpn.contoso.com", "isDefaultServer": true},
            "identifier": null,
            "customData": [],
            "customKeyValueData": [{"@odata.type": "microsoft.graph.keyValuePair", "name": "vendorOption", "value": "1"}],
            "enableSplitTunneling": false,
            "authenticationMethod": "usernameAndPassword",
            "enablePerApp": false,
            "safariDomains": [],
            "onDemandRules": [{
                "@odata.type": "microsoft.graph.vpnOnDemandRule",
                "ssids": ["CONTOSO-GUEST"],
                "dnsSearchDomains": [],
                "probeUrl": null,
                "action": "connect",
                "domainAction": "connectIfNeeded",
                "domains": [],
                "probeRequiredUrl": null,
                "interfaceTypeMatch": "wiFi",
                "dnsServerAddressMatch": [],
                "ruleFutureField": true
            }],
            "providerType": "notConfigured",
            "associatedDomains": [],
            "excludedDomains": [],
            "disableOnDemandUserOverride": false,
            "disconnectOnIdle": false,
            "disconnectOnIdleTimerInSeconds": null,
            "proxyServer": {"@odata.type": "microsoft.graph.vpnProxyServer", "automaticConfigurationScriptUrl": null, "address": "proxy.contoso.com", "port": 8080},
            "optInToDeviceIdSharing": false,
            "includeAllNetworks": null,
            "excludeLocalNetworks": null,
            "userDomain": null,
            "strictEnforcement": false,
            "cloudName": null,
            "excludeList": [],
            "targetedMobileApps": [{"@odata.type": "microsoft.graph.appListItem", "name": "Outlook", "publisher": "Microsoft", "appStoreUrl": "https://apps.apple.com/app/id951937596", "appId": "com.microsoft.Office.Outlook"}],
            "microsoftTunnelSiteId": null
        }),
    )
}

#[test]
fn vpn_reads_a_service_payload_and_writes_it_back() {
    let config: DeviceConfiguration = serde_json::from_value(vpn_payload()).unwrap();
    let DeviceConfiguration::IosVpn(vpn) = &config else { panic!("{config:?}") };
    assert_eq!(vpn.vpn.connection_name.as_deref(), Some("Contoso VPN"));
    assert_eq!(vpn.vpn.connection_type, Some(AppleVpnConnectionType::CiscoAnyConnectV2));
    let server = vpn.vpn.server.as_deref().unwrap();
    assert_eq!(
        (
            server.odata_type.as_deref(),
            server.address.as_deref(),
            server.description.as_deref(),
            server.is_default_server
        ),
        (Some("microsoft.graph.vpnServer"), Some("vpn.contoso.com"), Some("Primary"), Some(true))
    );
    assert_eq!(vpn.vpn.custom_data, Some(vec![]));
    let pair = &vpn.vpn.custom_key_value_data.as_ref().unwrap()[0];
    assert_eq!((pair.name.as_deref(), pair.value.as_deref()), (Some("vendorOption"), Some("1")));
    assert_eq!(vpn.vpn.authentication_method, Some(VpnAuthenticationMethod::UsernameAndPassword));
    let rule = &vpn.vpn.on_demand_rules.as_ref().unwrap()[0];
    assert_eq!(rule.action, Some(VpnOnDemandRuleConnectionAction::Connect));
    assert_eq!(rule.interface_type_match, Some(VpnOnDemandRuleInterfaceTypeMatch::WiFi));
    assert_eq!(rule.ssids, Some(vec!["CONTOSO-GUEST".to_owned()]));
    assert!(rule.is_explicit_null("probeUrl"));
    assert_eq!(rule.additional_data.keys().collect::<Vec<_>>(), ["ruleFutureField"]);
    assert_eq!(vpn.vpn.provider_type, Some(VpnProviderType::NotConfigured));
    assert_eq!(vpn.vpn.proxy_server.as_ref().and_then(|p| p.port), Some(8080));
    let app = &vpn.targeted_mobile_apps.as_ref().unwrap()[0];
    assert_eq!(app.app_id.as_deref(), Some("com.microsoft.Office.Outlook"));
    assert_eq!(vpn.strict_enforcement, Some(false));
    for key in
        ["loginGroupOrDomain", "identifier", "includeAllNetworks", "userDomain", "microsoftTunnelSiteId"]
    {
        assert!(vpn.is_explicit_null(key), "{key}");
    }
    assert_eq!(vpn.additional_data.keys().collect::<Vec<_>>(), ["@microsoft.graph.tips", "@odata.context"]);
    config.validate().unwrap();
    assert_eq!(serde_json::to_value(&config).unwrap(), vpn_payload());
    assert_eq!(write_body(&config), without(&vpn_payload(), SERVER_OWNED));
}

fn email_payload() -> Value {
    with(
        common(
            "#microsoft.graph.iosEasEmailProfileConfiguration",
            "0b7e3c1a-3333-4c2d-9e8f-00000000f003",
            "Corp mail",
        ),
        json!({
            "usernameSource": "userPrincipalName",
            "usernameAADSource": "samAccountName",
            "userDomainNameSource": "netBiosDomainName",
            "customDomainName": null,
            "accountName": "Contoso Exchange",
            "authenticationMethod": "usernameAndPassword",
            "blockMovingMessagesToOtherEmailAccounts": true,
            "blockSendingEmailFromThirdPartyApps": false,
            "blockSyncingRecentlyUsedEmailAddresses": false,
            "durationOfEmailToSync": "oneMonth",
            "emailAddressSource": "primarySmtpAddress",
            "easServices": "calendars,contacts,email",
            "easServicesUserOverrideEnabled": false,
            "hostName": "outlook.office365.com",
            "requireSmime": false,
            "smimeEnablePerMessageSwitch": false,
            "smimeEncryptByDefaultEnabled": false,
            "smimeSigningEnabled": false,
            "smimeSigningUserOverrideEnabled": false,
            "smimeEncryptByDefaultUserOverrideEnabled": false,
            "smimeSigningCertificateUserOverrideEnabled": false,
            "smimeEncryptionCertificateUserOverrideEnabled": false,
            "requireSsl": true,
            "useOAuth": true,
            "signingCertificateType": "none",
            "encryptionCertificateType": "none",
            "perAppVPNProfileId": null
        }),
    )
}

#[test]
fn email_reads_a_service_payload_and_writes_it_back() {
    let config: DeviceConfiguration = serde_json::from_value(email_payload()).unwrap();
    let DeviceConfiguration::IosEasEmailProfile(email) = &config else { panic!("{config:?}") };
    assert_eq!(email.email.username_source, Some(UserEmailSource::UserPrincipalName));
    assert_eq!(email.email.username_aad_source, Some(UsernameSource::SamAccountName));
    assert_eq!(email.email.user_domain_name_source, Some(DomainNameSource::NetBiosDomainName));
    assert!(email.is_explicit_null("customDomainName") && email.is_explicit_null("perAppVPNProfileId"));
    assert_eq!(email.account_name.as_deref(), Some("Contoso Exchange"));
    assert_eq!(email.authentication_method, Some(EasAuthenticationMethod::UsernameAndPassword));
    assert_eq!(email.block_moving_messages_to_other_email_accounts, Some(true));
    assert_eq!(email.duration_of_email_to_sync, Some(EmailSyncDuration::OneMonth));
    assert_eq!(email.email_address_source, Some(UserEmailSource::PrimarySmtpAddress));
    assert_eq!(email.eas_services, Some(EasServices::CALENDARS | EasServices::CONTACTS | EasServices::EMAIL));
    assert_eq!(email.host_name.as_deref(), Some("outlook.office365.com"));
    assert_eq!((email.require_ssl, email.use_o_auth), (Some(true), Some(true)));
    assert_eq!(email.signing_certificate_type, Some(EmailCertificateType::None));
    config.validate().unwrap();
    assert_eq!(serde_json::to_value(&config).unwrap(), email_payload());
    assert_eq!(write_body(&config), without(&email_payload(), SERVER_OWNED));

    // The flag set is read in any order, with spaces, an unknown member kept; written in
    // schema order.
    let mut read = email_payload();
    read["easServices"] = json!("notes, email,futureData,calendars");
    let email: IosEasEmailProfileConfiguration = serde_json::from_value(read).unwrap();
    assert_eq!(write_body(&email)["easServices"], "calendars,email,notes,futureData");
}

/// A created object: what `create` returns, with its id.
fn created<T: ConfigurationObject>(mut object: T, id: &str) -> T {
    object.base_mut().id = Some(id.into());
    object
}

/// The Wi-Fi profile of the examples, its references not bound yet.
fn eap_tls_wifi() -> IosEnterpriseWiFiConfigurationBuilder {
    IosEnterpriseWiFiConfiguration::builder()
        .display_name("Corp Wi-Fi")
        .ssid("corp")
        .eap_type(EapType::EapTls)
}

#[test]
fn builders_bind_created_profiles_and_name_a_refused_reference() {
    let root = created(IosTrustedRootCertificate::new("Root", "root.cer", "AAAA"), "r1");
    let scep = created(scep_builder("SCEP").root_certificate(&root).build().unwrap(), "s1");
    assert_eq!(
        write_body(&scep)["rootCertificate@odata.bind"],
        "deviceManagement/deviceConfigurations('r1')"
    );
    wifi_binds_its_identity_certificate_and_server_roots(&root, &scep);
    refused_references_are_named_once(&scep);
    macos_scep_binds_a_macos_root_only(&root);
    vpn_and_email_bind_their_identity_certificate(&scep);
}

/// The Wi-Fi builder binds the created SCEP profile and both created roots.
fn wifi_binds_its_identity_certificate_and_server_roots(
    root: &IosTrustedRootCertificate,
    scep: &IosScepCertificateProfile,
) {
    let wifi = eap_tls_wifi()
        .identity_certificate(scep)
        .server_root(root)
        .server_root(&created(IosTrustedRootCertificate::new("Root 2", "r2.cer", "AAAA"), "r2"))
        .build()
        .unwrap();
    assert_eq!(
        write_body(&wifi),
        json!({
            "@odata.type": "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "displayName": "Corp Wi-Fi",
            "ssid": "corp",
            "eapType": "eapTls",
            "identityCertificateForClientAuthentication@odata.bind": "deviceManagement/deviceConfigurations('s1')",
            "rootCertificatesForServerValidation@odata.bind": [
                "deviceManagement/deviceConfigurations('r1')",
                "deviceManagement/deviceConfigurations('r2')"
            ]
        })
    );
}

/// A profile not created yet, and a target of the wrong type: refused by `build`, naming
/// the property, once.
fn refused_references_are_named_once(scep: &IosScepCertificateProfile) {
    let uncreated = scep_builder("SCEP").build().unwrap();
    let err = eap_tls_wifi().identity_certificate(&uncreated).server_root(scep).build().unwrap_err();
    assert_eq!(
        problem_texts(&err),
        [
            "identityCertificateForClientAuthentication: needs a created iosScepCertificateProfile (the object given has no id)",
            "rootCertificatesForServerValidation: must be a iosTrustedRootCertificate (or a type derived from it), not iosScepCertificateProfile",
        ]
    );
}

/// The macOS SCEP builder binds a macOS root, not an iOS one.
fn macos_scep_binds_a_macos_root_only(root: &IosTrustedRootCertificate) {
    let mac_root = created(MacOsTrustedRootCertificate::default(), "m1");
    let mac_scep = MacOsScepCertificateProfile::builder()
        .display_name("macOS SCEP")
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE)
        .key_size(KeySize::Size2048)
        .subject_name_format(AppleSubjectNameFormat::CommonName)
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20);
    assert_eq!(
        write_body(&mac_scep.clone().root_certificate(&mac_root).build().unwrap())["rootCertificate@odata.bind"],
        "deviceManagement/deviceConfigurations('m1')"
    );
    let err = mac_scep.root_certificate(root).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid object (1 problem): rootCertificate: must be a macOSTrustedRootCertificate (or a type derived from it), not iosTrustedRootCertificate"
    );
}

/// VPN and email name their identity certificate `identityCertificate`.
fn vpn_and_email_bind_their_identity_certificate(scep: &IosScepCertificateProfile) {
    let vpn = IosVpnConfiguration::builder()
        .display_name("Corp VPN")
        .connection_name("Contoso VPN")
        .connection_type(AppleVpnConnectionType::CiscoAnyConnectV2)
        .server(VpnServer::new("vpn.contoso.com"))
        .authentication_method(VpnAuthenticationMethod::Certificate)
        .identity_certificate(scep)
        .build()
        .unwrap();
    assert_eq!(
        write_body(&vpn),
        json!({
            "@odata.type": "#microsoft.graph.iosVpnConfiguration",
            "displayName": "Corp VPN",
            "connectionName": "Contoso VPN",
            "connectionType": "ciscoAnyConnectV2",
            "server": {"address": "vpn.contoso.com"},
            "authenticationMethod": "certificate",
            "identityCertificate@odata.bind": "deviceManagement/deviceConfigurations('s1')"
        })
    );
    let email = IosEasEmailProfileConfiguration::builder()
        .display_name("Corp mail")
        .host_name("outlook.office365.com")
        .authentication_method(EasAuthenticationMethod::Certificate)
        .identity_certificate(scep)
        .signing_certificate_type(EmailCertificateType::Certificate)
        .smime_signing_certificate(scep)
        .eas_services(EasServices::EMAIL | EasServices::CALENDARS)
        .build()
        .unwrap();
    assert_eq!(
        write_body(&email),
        json!({
            "@odata.type": "#microsoft.graph.iosEasEmailProfileConfiguration",
            "displayName": "Corp mail",
            "authenticationMethod": "certificate",
            "easServices": "calendars,email",
            "hostName": "outlook.office365.com",
            "signingCertificateType": "certificate",
            "identityCertificate@odata.bind": "deviceManagement/deviceConfigurations('s1')",
            "smimeSigningCertificate@odata.bind": "deviceManagement/deviceConfigurations('s1')"
        })
    );
}

/// A 201 answer: the body sent, as the service returns it, with an id.
fn created_answer(sent: &Value, id: &str) -> ResponseTemplate {
    let mut answer = sent.clone();
    let answer_map = answer.as_object_mut().unwrap();
    answer_map.retain(|key, _| !key.ends_with("@odata.bind"));
    answer_map.insert("id".into(), json!(id));
    answer_map.insert("createdDateTime".into(), json!("2026-02-01T08:00:00Z"));
    ResponseTemplate::new(201).set_body_json(answer)
}

async fn expect_create(server: &MockServer, body: Value, id: &str) {
    when("POST", COLLECTION)
        .and(header("authorization", BEARER))
        .and(header("content-type", "application/json"))
        .and(body_json(&body))
        .respond_with(created_answer(&body, id))
        .expect(1)
        .mount(server)
        .await;
}

/// Root → SCEP → Wi-Fi, typed, against a mock Graph: each create sends its references as
/// absolute URLs under the client's base URL.
#[tokio::test]
async fn root_scep_and_wifi_are_created_with_absolute_binds() {
    let server = MockServer::start().await;
    let base = format!("{}/beta", server.uri());
    let bind = |id: &str| json!(format!("{base}/deviceManagement/deviceConfigurations('{id}')"));
    let root_body = json!({
        "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
        "displayName": "Contoso Root CA",
        "certFileName": "root.cer",
        "trustedRootCertificate": "AAAA"
    });
    expect_create(&server, root_body, "root-1").await;
    let scep = scep_builder("iOS SCEP");
    let mut scep_body = write_body(&scep.clone().build().unwrap());
    scep_body["rootCertificate@odata.bind"] = bind("root-1");
    expect_create(&server, scep_body, "scep-1").await;
    expect_create(
        &server,
        json!({
            "@odata.type": "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "displayName": "Corp Wi-Fi",
            "ssid": "corp",
            "eapType": "eapTls",
            "identityCertificateForClientAuthentication@odata.bind": bind("scep-1"),
            "rootCertificatesForServerValidation@odata.bind": [bind("root-1")]
        }),
        "wifi-1",
    )
    .await;

    let configs = client(&server).device_configurations();
    let root =
        configs.create(&IosTrustedRootCertificate::new("Contoso Root CA", "root.cer", "AAAA")).await.unwrap();
    assert_eq!(root.id(), Some("root-1"));
    let scep = configs.create(&scep.root_certificate(&root).build().unwrap()).await.unwrap();
    assert_eq!(scep.id(), Some("scep-1"));
    let wifi = eap_tls_wifi().identity_certificate(&scep).server_root(&root).build().unwrap();
    let wifi = configs.create(&wifi).await.unwrap();
    assert_eq!((wifi.id(), wifi.eap_type.clone()), (Some("wifi-1"), Some(EapType::EapTls)));
    assert!(wifi.additional_data.is_empty(), "the answer carries no bind");
}

/// The same chain against the crate's emulator, which checks every bind like Graph (type,
/// target type, existence): it stores the references, and a read with `$expand` brings them
/// back typed.
#[tokio::test]
async fn the_emulator_stores_the_chain_and_expands_it_typed() {
    use intune_graph::{GraphClient, Query, emulator::Emulator};

    let emulator = Emulator::new().start().await.unwrap();
    let client = GraphClient::builder()
        .base_url(emulator.base_url().as_str())
        .bearer_token(emulator.token().to_owned())
        .build()
        .unwrap();
    let configs = client.device_configurations();
    let root =
        configs.create(&IosTrustedRootCertificate::new("Contoso Root CA", "root.cer", "AAAA")).await.unwrap();
    let scep =
        configs.create(&scep_builder("iOS SCEP").root_certificate(&root).build().unwrap()).await.unwrap();
    let wifi = eap_tls_wifi().identity_certificate(&scep).server_root(&root).build().unwrap();
    let wifi = configs.create(&wifi).await.unwrap();
    let (root_id, scep_id, wifi_id) = (root.id().unwrap(), scep.id().unwrap(), wifi.id().unwrap());

    assert_eq!(emulator.state().root_certificate(scep_id).as_deref(), Some(root_id));
    let stored = emulator.state().references(wifi_id).unwrap();
    assert_eq!(
        stored.into_iter().collect::<Vec<_>>(),
        [
            ("identityCertificateForClientAuthentication".to_owned(), vec![scep_id.to_owned()]),
            ("rootCertificatesForServerValidation".to_owned(), vec![root_id.to_owned()]),
        ]
    );
    let cast = "microsoft.graph.iosEnterpriseWiFiConfiguration";
    let query = Query::new()
        .expand(format!("{cast}/identityCertificateForClientAuthentication"))
        .expand(format!("{cast}/rootCertificatesForServerValidation"));
    let DeviceConfiguration::IosEnterpriseWiFi(read) = configs.get_with(wifi_id, &query).await.unwrap()
    else {
        panic!("not the Wi-Fi variant")
    };
    let identity = read.identity_certificate_for_client_authentication.as_deref().unwrap();
    assert!(matches!(identity, DeviceConfiguration::IosScepCertificate(p) if p.id() == Some(scep_id)));
    let roots = read.root_certificates_for_server_validation.as_deref().unwrap();
    assert!(matches!(roots, [DeviceConfiguration::IosTrustedRootCertificate(r)] if r.id() == Some(root_id)));
    // What is read back writes back without the expanded references.
    assert!(write_body(&*read).get("identityCertificateForClientAuthentication").is_none());
}
