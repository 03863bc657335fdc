//! The macOS certificate profile family: SCEP, PKCS and trusted root. Their base
//! (`macOSCertificateProfileBase`) has the same five fields as the iOS one, and the rules
//! are the iOS ones; macOS adds the keychain (`deploymentChannel`), the SCEP hash
//! algorithm and `allowAllAppsAccess`.

use serde_json::Value;

use super::{
    AppleDeploymentChannel, CertificateStore, ConfigurationBuilder, CustomSubjectAlternativeName,
    DeviceConfiguration, DeviceConfigurationBase, ExtendedKeyUsage, HashAlgorithms,
    IosCertificateProfileBase, KeySize, KeyUsages, ios_certificate::check_trusted_root, validation::Problems,
};

/// The `macOSCertificateProfileBase` fields: the same five as `iosCertificateProfileBase`
/// (renewal threshold, subject name format, SAN types, validity period), with the same rules.
pub type MacOsCertificateProfileBase = IosCertificateProfileBase;

graph_object! {
    /// A macOS SCEP certificate profile (`#microsoft.graph.macOSScepCertificateProfile`).
    /// Its certificates chain to a [`MacOsTrustedRootCertificate`] (`rootCertificate`).
    pub struct MacOsScepCertificateProfile ("#microsoft.graph.macOSScepCertificateProfile") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `macOSCertificateProfileBase` fields.
            certificate: MacOsCertificateProfileBase,
        }
        fields {
            /// SCEP server URLs (absolute https URLs, at least one).
            scep_server_urls: Vec<String> = "scepServerUrls",
            /// Custom subject name, used when `subjectNameFormat` is `custom`.
            subject_name_format_string: String = "subjectNameFormatString",
            /// Key usage (a flag set).
            [not_null] key_usage: KeyUsages = "keyUsage",
            /// Key size.
            [not_null] key_size: KeySize = "keySize",
            /// Hash algorithms of the SCEP request (a flag set).
            hash_algorithm: HashAlgorithms = "hashAlgorithm",
            /// Extended key usages (at most 500).
            extended_key_usages: Vec<ExtendedKeyUsage> = "extendedKeyUsages",
            /// Custom Entra ID attribute for the SAN, used with `customAzureADAttribute`.
            subject_alternative_name_format_string: String = "subjectAlternativeNameFormatString",
            /// Certificate store on the device.
            certificate_store: CertificateStore = "certificateStore",
            /// Custom subject alternative names (at most 500).
            custom_subject_alternative_names: Vec<CustomSubjectAlternativeName> = "customSubjectAlternativeNames",
            /// Whether every app may use the private key.
            allow_all_apps_access: bool = "allowAllAppsAccess",
            /// The keychain the certificate goes to.
            deployment_channel: AppleDeploymentChannel = "deploymentChannel",
            /// Reference: the trusted root certificate (only with `$expand`; bound with
            /// [`MacOsScepCertificateProfileBuilder::root_certificate`]).
            [navigation] root_certificate: Box<DeviceConfiguration> = "rootCertificate",
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

impl MacOsScepCertificateProfile {
    /// Starts a profile; [`build`](ConfigurationBuilder::build) refuses it until every
    /// required field is set (those of the iOS SCEP profile).
    pub fn builder() -> MacOsScepCertificateProfileBuilder {
        ConfigurationBuilder::new()
    }
}

/// Builds a [`MacOsScepCertificateProfile`] for a create call: the iOS SCEP builder's
/// setters, and the keychain, hash algorithm and app access of macOS.
pub type MacOsScepCertificateProfileBuilder = ConfigurationBuilder<MacOsScepCertificateProfile>;

builder_setters! {
    MacOsScepCertificateProfile {
        /// Hash algorithms of the SCEP request.
        hash_algorithm(HashAlgorithms) => hash_algorithm;
        /// Whether every app may use the private key.
        allow_all_apps_access(bool) => allow_all_apps_access;
        /// The keychain the certificate goes to.
        deployment_channel(AppleDeploymentChannel) => deployment_channel;
    }
}

graph_object! {
    /// A macOS PKCS certificate profile (`#microsoft.graph.macOSPkcsCertificateProfile`).
    pub struct MacOsPkcsCertificateProfile ("#microsoft.graph.macOSPkcsCertificateProfile") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `macOSCertificateProfileBase` fields.
            certificate: MacOsCertificateProfileBase,
        }
        fields {
            /// PKCS certification authority (FQDN).
            [not_null] certification_authority: String = "certificationAuthority",
            /// PKCS certification authority name.
            [not_null] certification_authority_name: String = "certificationAuthorityName",
            /// PKCS certificate template name.
            [not_null] certificate_template_name: String = "certificateTemplateName",
            /// Custom subject name, used when `subjectNameFormat` is `custom`.
            subject_name_format_string: String = "subjectNameFormatString",
            /// Custom Entra ID attribute for the SAN.
            subject_alternative_name_format_string: String = "subjectAlternativeNameFormatString",
            /// Certificate store on the device.
            certificate_store: CertificateStore = "certificateStore",
            /// Custom subject alternative names (at most 500).
            custom_subject_alternative_names: Vec<CustomSubjectAlternativeName> = "customSubjectAlternativeNames",
            /// Whether every app may use the private key.
            allow_all_apps_access: bool = "allowAllAppsAccess",
            /// The keychain the certificate goes to.
            deployment_channel: AppleDeploymentChannel = "deploymentChannel",
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

graph_object! {
    /// A macOS trusted root certificate profile (`#microsoft.graph.macOSTrustedRootCertificate`):
    /// the CA a macOS SCEP profile's certificates chain to.
    pub struct MacOsTrustedRootCertificate ("#microsoft.graph.macOSTrustedRootCertificate") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
        }
        fields {
            /// File name shown in the portal.
            cert_file_name: String = "certFileName",
            /// The DER certificate, base64-encoded (`Edm.Binary`).
            [not_null] trusted_root_certificate: String = "trustedRootCertificate",
            /// The keychain the certificate goes to.
            deployment_channel: AppleDeploymentChannel = "deploymentChannel",
        }
    }
}

impl MacOsTrustedRootCertificate {
    /// The write rules of this type (besides those of the common fields).
    pub(crate) fn check(&self, problems: &mut Problems) {
        check_trusted_root(problems, &self.trusted_root_certificate);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::models::{
        AppleSubjectNameFormat, CertificateValidityPeriodScale, DeviceConfiguration,
        DeviceConfigurationPatch, GraphEntity, SubjectAlternativeNameType, Timestamp,
    };

    /// The writable part of [`scep_payload`]: what a write body of it holds.
    fn scep_write_body() -> Value {
        json!({
            "@odata.type": "#microsoft.graph.macOSScepCertificateProfile",
            "roleScopeTagIds": ["0"],
            "deviceManagementApplicabilityRuleOsEdition": null,
            "deviceManagementApplicabilityRuleOsVersion": null,
            "deviceManagementApplicabilityRuleDeviceMode": null,
            "description": null,
            "displayName": "macOS Wi-Fi SCEP",
            "version": 2,
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonNameAsEmail",
            "subjectAlternativeNameType": "emailAddress,userPrincipalName",
            "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years",
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "subjectNameFormatString": null,
            "keyUsage": "keyEncipherment,digitalSignature",
            "keySize": "size2048",
            "hashAlgorithm": "sha2",
            "extendedKeyUsages": [
                {"@odata.type": "microsoft.graph.extendedKeyUsage", "name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}
            ],
            "subjectAlternativeNameFormatString": null,
            "certificateStore": "machine",
            "customSubjectAlternativeNames": [],
            "allowAllAppsAccess": false,
            "deploymentChannel": "deviceChannel"
        })
    }

    /// A macOS SCEP profile as `GET …/deviceConfigurations/{id}` returns it: the writable
    /// properties and those the server owns.
    fn scep_payload() -> Value {
        let (id, created, modified) =
            ("5f0c1d2e-0000-4000-8000-00000000a001", "2024-03-01T08:00:00Z", "2024-03-04T10:11:12.3456789Z");
        crate::models::testing::as_read(scep_write_body(), id, created, modified)
    }

    #[test]
    fn scep_profile_reads_a_service_payload_and_writes_it_back() {
        let config: DeviceConfiguration = serde_json::from_value(scep_payload()).unwrap();
        let DeviceConfiguration::MacOsScepCertificate(profile) = &config else { panic!("{config:?}") };
        assert_eq!(profile.id(), Some("5f0c1d2e-0000-4000-8000-00000000a001"));
        assert_eq!(profile.display_name(), Some("macOS Wi-Fi SCEP"));
        assert_eq!(profile.created_date_time(), Some("2024-03-01T08:00:00Z".parse::<Timestamp>().unwrap()));
        assert_eq!(profile.certificate.renewal_threshold_percentage, Some(20));
        assert_eq!(profile.certificate.subject_name_format, Some(AppleSubjectNameFormat::CommonNameAsEmail));
        assert_eq!(
            profile.certificate.subject_alternative_name_type,
            Some(SubjectAlternativeNameType::EMAIL_ADDRESS | SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
        );
        assert_eq!(
            profile.certificate.certificate_validity_period_scale,
            Some(CertificateValidityPeriodScale::Years)
        );
        assert_eq!(profile.key_usage, Some(KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE));
        assert_eq!(profile.key_size, Some(KeySize::Size2048));
        assert_eq!(profile.hash_algorithm, Some(HashAlgorithms::SHA2));
        assert_eq!(profile.certificate_store, Some(CertificateStore::Machine));
        assert_eq!(profile.allow_all_apps_access, Some(false));
        assert_eq!(profile.deployment_channel, Some(AppleDeploymentChannel::DeviceChannel));
        assert_eq!(
            profile.extended_key_usages.as_ref().unwrap()[0].object_identifier.as_deref(),
            Some("1.3.6.1.5.5.7.3.2")
        );
        assert!(
            profile.is_explicit_null("subjectNameFormatString") && profile.is_explicit_null("description")
        );
        // Only the response annotation is unmodelled.
        assert_eq!(profile.additional_data.keys().collect::<Vec<_>>(), ["@odata.context"]);
        assert_eq!(config.odata_type(), MacOsScepCertificateProfile::ODATA_TYPE);
        config.validate().unwrap();
        // Lossless re-encoding, and a write body without what the server owns.
        assert_eq!(serde_json::to_value(&config).unwrap(), scep_payload());
        let body: Value = serde_json::from_slice(&config.to_write_json().unwrap()).unwrap();
        assert_eq!(body, scep_write_body());
    }

    #[test]
    fn scep_profile_has_the_ios_scep_rules() {
        let mut payload = scep_payload();
        payload["scepServerUrls"] = json!(["http://ndes.contoso.com/"]);
        payload["renewalThresholdPercentage"] = json!(150);
        payload["keyUsage"] = json!("");
        payload["keySize"] = Value::Null;
        payload["extendedKeyUsages"] = json!([{"name": "bad", "objectIdentifier": "1.3.x"}]);
        payload["subjectNameFormat"] = json!("custom");
        payload["hashAlgorithm"] = json!("sha1,sha2");
        let profile: MacOsScepCertificateProfile = serde_json::from_value(payload).unwrap();
        assert_eq!(profile.hash_algorithm, Some(HashAlgorithms::SHA1 | HashAlgorithms::SHA2));
        let err = profile.validate().unwrap_err();
        let fields: Vec<&str> = err.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "keySize",
                "renewalThresholdPercentage",
                "subjectNameFormatString",
                "scepServerUrls[0]",
                "keyUsage",
                "keySize",
                "extendedKeyUsages[0].objectIdentifier",
            ],
            "{err}"
        );
        // An update is held to the same rules.
        let patch = DeviceConfigurationPatch::new(MacOsScepCertificateProfile::ODATA_TYPE)
            .set("renewalThresholdPercentage", 0)
            .set("deploymentChannel", "userChannel");
        assert_eq!(
            patch.validate().unwrap_err().problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(),
            ["renewalThresholdPercentage"]
        );
        assert!(
            DeviceConfigurationPatch::new(MacOsScepCertificateProfile::ODATA_TYPE)
                .set("rootCertificate", json!({}))
                .validate()
                .unwrap_err()
                .has_problem_with("rootCertificate")
        );
    }

    #[test]
    fn pkcs_profile_reads_writes_and_requires_its_authority() {
        let payload = json!({
            "@odata.type": "#microsoft.graph.macOSPkcsCertificateProfile",
            "id": "p-1",
            "createdDateTime": "2024-03-01T08:00:00Z",
            "displayName": "macOS PKCS",
            "version": 1,
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonName",
            "subjectAlternativeNameType": "userPrincipalName",
            "certificateValidityPeriodValue": 2,
            "certificateValidityPeriodScale": "years",
            "certificationAuthority": "ca01.contoso.com",
            "certificationAuthorityName": "Contoso Issuing CA",
            "certificateTemplateName": "MacUser",
            "certificateStore": "user",
            "allowAllAppsAccess": true,
            "deploymentChannel": "userChannel",
            "managedDeviceCertificateStates": []
        });
        let config: DeviceConfiguration = serde_json::from_value(payload.clone()).unwrap();
        let DeviceConfiguration::MacOsPkcsCertificate(profile) = &config else { panic!("{config:?}") };
        assert_eq!(profile.certification_authority.as_deref(), Some("ca01.contoso.com"));
        assert_eq!(profile.deployment_channel, Some(AppleDeploymentChannel::UserChannel));
        assert_eq!(profile.allow_all_apps_access, Some(true));
        assert!(profile.additional_data.is_empty());
        config.validate().unwrap();
        assert_eq!(serde_json::to_value(&config).unwrap(), payload);
        let mut body = payload.clone();
        for server_owned in ["id", "createdDateTime", "managedDeviceCertificateStates"] {
            body.as_object_mut().unwrap().remove(server_owned);
        }
        assert_eq!(serde_json::from_slice::<Value>(&config.to_write_json().unwrap()).unwrap(), body);

        let mut bad = profile.as_ref().clone();
        bad.certification_authority = None;
        bad.certificate_template_name = None;
        bad.certificate.certificate_validity_period_value = Some(0);
        let fields: Vec<String> = bad.validate().unwrap_err().problems.into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["certificateValidityPeriodValue", "certificationAuthority", "certificateTemplateName"]
        );
    }

    #[test]
    fn trusted_root_reads_writes_and_checks_its_certificate() {
        let payload = json!({
            "@odata.type": "#microsoft.graph.macOSTrustedRootCertificate",
            "id": "r-1",
            "displayName": "Contoso Root CA (macOS)",
            "version": 1,
            "certFileName": "contoso-root.cer",
            "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIQ",
            "deploymentChannel": "deviceChannel"
        });
        let config: DeviceConfiguration = serde_json::from_value(payload.clone()).unwrap();
        let DeviceConfiguration::MacOsTrustedRootCertificate(root) = &config else { panic!("{config:?}") };
        assert_eq!(root.cert_file_name.as_deref(), Some("contoso-root.cer"));
        assert_eq!(root.deployment_channel, Some(AppleDeploymentChannel::DeviceChannel));
        config.validate().unwrap();
        let mut body = payload.clone();
        body.as_object_mut().unwrap().remove("id");
        assert_eq!(serde_json::from_slice::<Value>(&config.to_write_json().unwrap()).unwrap(), body);

        let mut bad = root.as_ref().clone();
        bad.trusted_root_certificate = Some("not base64!".into());
        bad.base.display_name = None;
        let err = bad.validate().unwrap_err();
        assert_eq!(
            err.problems.iter().map(|p| (p.field.as_str(), p.message.as_str())).collect::<Vec<_>>(),
            [("displayName", "is required"), ("trustedRootCertificate", "is not valid base64")]
        );
        // A typed value becomes the enum's variant; a wrong fixed type is refused.
        let back = DeviceConfiguration::from(bad);
        assert_eq!(back.odata_type(), "#microsoft.graph.macOSTrustedRootCertificate");
        let wrong = serde_json::from_value::<MacOsTrustedRootCertificate>(
            json!({"@odata.type": "#microsoft.graph.iosTrustedRootCertificate"}),
        );
        assert!(
            wrong
                .unwrap_err()
                .to_string()
                .contains("expected \"#microsoft.graph.macOSTrustedRootCertificate\"")
        );
    }
}
