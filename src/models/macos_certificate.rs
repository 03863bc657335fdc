//! The macOS certificate profile family: SCEP, PKCS and trusted root. Their base
//! (`macOSCertificateProfileBase`) has the same five fields as the iOS one, and the rules
//! are the iOS ones; macOS adds the keychain (`deploymentChannel`), the SCEP hash
//! algorithm and `allowAllAppsAccess`.

use serde_json::Value;

use super::{
    AppleDeploymentChannel, CertificateStore, CustomSubjectAlternativeName, DeviceConfigurationBase,
    ExtendedKeyUsage, HashAlgorithms, IosCertificateProfileBase, KeySize, KeyUsages,
    ios_certificate::{PkcsFields, ScepFields, check_trusted_root},
    validation::Problems,
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
            /// Navigation: the trusted root certificate (only with `$expand`; never written).
            [navigation] root_certificate: Box<Value> = "rootCertificate",
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

impl MacOsScepCertificateProfile {
    /// The write rules of this type (besides those of the common fields): the iOS SCEP ones.
    pub(crate) fn check(&self, problems: &mut Problems) {
        ScepFields {
            certificate: &self.certificate,
            scep_server_urls: &self.scep_server_urls,
            subject_name_format_string: &self.subject_name_format_string,
            subject_alternative_name_format_string: &self.subject_alternative_name_format_string,
            key_usage: &self.key_usage,
            key_size: &self.key_size,
            extended_key_usages: &self.extended_key_usages,
            custom_subject_alternative_names: &self.custom_subject_alternative_names,
        }
        .check(problems);
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

impl MacOsPkcsCertificateProfile {
    /// The write rules of this type (besides those of the common fields): the iOS PKCS ones.
    pub(crate) fn check(&self, problems: &mut Problems) {
        PkcsFields {
            certificate: &self.certificate,
            certification_authority: &self.certification_authority,
            certification_authority_name: &self.certification_authority_name,
            certificate_template_name: &self.certificate_template_name,
            subject_name_format_string: &self.subject_name_format_string,
            subject_alternative_name_format_string: &self.subject_alternative_name_format_string,
            custom_subject_alternative_names: &self.custom_subject_alternative_names,
        }
        .check(problems);
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
