//! The iOS certificate profile family: SCEP, PKCS, imported PFX and trusted root.

use serde_json::Value;

use super::{
    AppleSubjectNameFormat, CertificateStore, CertificateValidityPeriodScale, ConfigurationBuilder,
    ConfigurationObject, CustomSubjectAlternativeName, DeviceConfiguration, DeviceConfigurationBase,
    ExtendedKeyUsage, IntendedPurpose, KeySize, KeyUsages, SubjectAlternativeNameType,
    validation::{Problems, at_most, count, https_url_problem, is_dotted_decimal_oid, require},
};

/// Most extended key usages or custom SANs a profile may carry.
pub const MAX_PROFILE_COLLECTION_LEN: usize = 500;

graph_fields! {
    /// Fields shared by the iOS SCEP and PKCS profiles (`iosCertificateProfileBase`).
    pub struct IosCertificateProfileBase {
        /// Renewal threshold, 1–99 percent of the validity period.
        [not_null] renewal_threshold_percentage: i32 = "renewalThresholdPercentage",
        /// Subject name format.
        [not_null] subject_name_format: AppleSubjectNameFormat = "subjectNameFormat",
        /// Subject alternative name types (a flag set).
        subject_alternative_name_type: SubjectAlternativeNameType = "subjectAlternativeNameType",
        /// Validity period value (> 0).
        [not_null] certificate_validity_period_value: i32 = "certificateValidityPeriodValue",
        /// Validity period unit.
        [not_null] certificate_validity_period_scale: CertificateValidityPeriodScale = "certificateValidityPeriodScale",
    }
}

impl IosCertificateProfileBase {
    pub(crate) fn check(&self, problems: &mut Problems) {
        if require(problems, "renewalThresholdPercentage", &self.renewal_threshold_percentage) {
            let value = self.renewal_threshold_percentage.unwrap_or_default();
            if !(1..=99).contains(&value) {
                problems.push("renewalThresholdPercentage", format!("must be 1 to 99, is {value}"));
            }
        }
        require(problems, "subjectNameFormat", &self.subject_name_format);
        if require(problems, "certificateValidityPeriodValue", &self.certificate_validity_period_value) {
            let value = self.certificate_validity_period_value.unwrap_or_default();
            if value <= 0 {
                problems
                    .push("certificateValidityPeriodValue", format!("must be greater than 0, is {value}"));
            }
        }
        require(problems, "certificateValidityPeriodScale", &self.certificate_validity_period_scale);
    }

    /// The rules that tie the subject fields of SCEP and PKCS profiles together.
    fn check_subject_strings(
        &self,
        problems: &mut Problems,
        subject_name_format_string: &Option<String>,
        subject_alternative_name_format_string: &Option<String>,
    ) {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if self.subject_name_format == Some(AppleSubjectNameFormat::Custom)
            && blank(subject_name_format_string)
        {
            problems.push("subjectNameFormatString", "is required when subjectNameFormat is custom");
        }
        let custom_attribute = SubjectAlternativeNameType::CUSTOM_AZURE_AD_ATTRIBUTE;
        if self.subject_alternative_name_type.as_ref().is_some_and(|t| t.contains(&custom_attribute))
            && blank(subject_alternative_name_format_string)
        {
            problems.push(
                "subjectAlternativeNameFormatString",
                "is required when subjectAlternativeNameType includes customAzureADAttribute",
            );
        }
    }
}

fn check_custom_sans(problems: &mut Problems, sans: &Option<Vec<CustomSubjectAlternativeName>>) {
    at_most(problems, "customSubjectAlternativeNames", count(sans), MAX_PROFILE_COLLECTION_LEN);
}

graph_object! {
    /// An iOS SCEP certificate profile (`#microsoft.graph.iosScepCertificateProfile`).
    ///
    /// Build one with [`IosScepCertificateProfile::builder`]; read one from Graph with serde.
    pub struct IosScepCertificateProfile ("#microsoft.graph.iosScepCertificateProfile") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `iosCertificateProfileBase` fields.
            certificate: IosCertificateProfileBase,
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
            /// Extended key usages (at most 500).
            extended_key_usages: Vec<ExtendedKeyUsage> = "extendedKeyUsages",
            /// Custom Entra ID attribute for the SAN, used with `customAzureADAttribute`.
            subject_alternative_name_format_string: String = "subjectAlternativeNameFormatString",
            /// Certificate store on the device.
            certificate_store: CertificateStore = "certificateStore",
            /// Custom subject alternative names (at most 500).
            custom_subject_alternative_names: Vec<CustomSubjectAlternativeName> = "customSubjectAlternativeNames",
            /// Reference: the trusted root certificate (only with `$expand`; bound with
            /// [`IosScepCertificateProfileBuilder::root_certificate`]).
            [navigation] root_certificate: Box<DeviceConfiguration> = "rootCertificate",
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

impl IosScepCertificateProfile {
    /// Starts a profile; [`build`](ConfigurationBuilder::build) refuses it until every
    /// required field is set.
    pub fn builder() -> IosScepCertificateProfileBuilder {
        ConfigurationBuilder::new()
    }
}

/// `check` (the write rules besides those of the common fields) of certificate profiles
/// whose rules iOS and macOS share: the rules of their certificate fields and subject
/// strings, then those of `$fields`, the struct the type's own rules read, given the
/// profile's fields of the same names.
macro_rules! rules_of {
    // `$names` stays one token tree here, so that it can repeat once per profile.
    ($fields:ident $names:tt for $($profile:ty),+) => {
        $( rules_of!(@one $fields $names $profile); )+
    };
    (@one $fields:ident { $($field:ident),+ } $profile:ty) => {
        impl $profile {
            pub(crate) fn check(&self, problems: &mut Problems) {
                self.certificate.check(problems);
                self.certificate.check_subject_strings(
                    problems,
                    &self.subject_name_format_string,
                    &self.subject_alternative_name_format_string,
                );
                $fields { $($field: &self.$field),+ }.check(problems);
            }
        }
    };
}

rules_of!(
    ScepFields { scep_server_urls, key_usage, key_size, extended_key_usages, custom_subject_alternative_names }
    for IosScepCertificateProfile, super::MacOsScepCertificateProfile
);

/// The fields the SCEP rules read, shared by the iOS and macOS SCEP profiles.
pub(super) struct ScepFields<'a> {
    pub(super) scep_server_urls: &'a Option<Vec<String>>,
    pub(super) key_usage: &'a Option<KeyUsages>,
    pub(super) key_size: &'a Option<KeySize>,
    pub(super) extended_key_usages: &'a Option<Vec<ExtendedKeyUsage>>,
    pub(super) custom_subject_alternative_names: &'a Option<Vec<CustomSubjectAlternativeName>>,
}

impl ScepFields<'_> {
    /// At least one https SCEP URL, a key usage and size, well-formed EKUs, and at most 500
    /// EKUs and custom SANs.
    pub(super) fn check(&self, problems: &mut Problems) {
        match self.scep_server_urls {
            None => problems.push("scepServerUrls", "is required"),
            Some(urls) if urls.is_empty() => problems.push("scepServerUrls", "needs at least one URL"),
            Some(urls) => {
                for (i, url) in urls.iter().enumerate() {
                    if let Some(problem) = https_url_problem(url) {
                        problems.push(format!("scepServerUrls[{i}]"), problem);
                    }
                }
            }
        }
        match self.key_usage {
            None => problems.push("keyUsage", "is required"),
            Some(usage) if usage.is_empty() => problems.push("keyUsage", "needs at least one member"),
            Some(_) => {}
        }
        require(problems, "keySize", self.key_size);
        if let Some(ekus) = self.extended_key_usages {
            at_most(problems, "extendedKeyUsages", ekus.len(), MAX_PROFILE_COLLECTION_LEN);
            for (i, eku) in ekus.iter().enumerate() {
                match eku.object_identifier.as_deref() {
                    None => problems.push(format!("extendedKeyUsages[{i}].objectIdentifier"), "is required"),
                    Some(oid) if !is_dotted_decimal_oid(oid) => problems.push(
                        format!("extendedKeyUsages[{i}].objectIdentifier"),
                        format!("{oid:?} is not a dotted-decimal OID"),
                    ),
                    Some(_) => {}
                }
            }
        }
        check_custom_sans(problems, self.custom_subject_alternative_names);
    }
}

/// Builds an [`IosScepCertificateProfile`] for a create call.
///
/// Required: display name, at least one SCEP server URL, key usage, key size, subject name
/// format, validity period and renewal threshold. [`build`](ConfigurationBuilder::build)
/// runs the same validation as `create` and reports every missing or invalid field at once.
pub type IosScepCertificateProfileBuilder = ConfigurationBuilder<IosScepCertificateProfile>;

/// The builder setters of the SCEP profiles: iOS and macOS name these fields alike.
macro_rules! scep_builder {
    ($($profile:ty),+) => {$(
        impl ConfigurationBuilder<$profile> {
            /// Adds a SCEP server URL (at least one is required).
            pub fn scep_server_url(self, url: impl Into<String>) -> Self {
                self.with(|p| p.scep_server_urls.get_or_insert_with(Vec::new).push(url.into()))
            }

            /// Custom subject name; sets the format to `custom`.
            pub fn custom_subject_name(self, format_string: impl Into<String>) -> Self {
                self.with(|p| {
                    p.certificate.subject_name_format = Some(AppleSubjectNameFormat::Custom);
                    p.subject_name_format_string = Some(format_string.into());
                })
            }

            /// Subject alternative name types. `customAzureADAttribute` stays in the set when
            /// an attribute was given with `subject_alternative_name_attribute`.
            pub fn subject_alternative_name_type(self, mut types: SubjectAlternativeNameType) -> Self {
                self.with(|p| {
                    if p.subject_alternative_name_format_string.is_some() {
                        types.insert(SubjectAlternativeNameType::CUSTOM_AZURE_AD_ATTRIBUTE);
                    }
                    p.certificate.subject_alternative_name_type = Some(types);
                })
            }

            /// Custom Entra ID attribute for the SAN (adds `customAzureADAttribute` to the SAN types).
            pub fn subject_alternative_name_attribute(self, attribute: impl Into<String>) -> Self {
                self.with(|p| {
                    let types = p.certificate.subject_alternative_name_type.get_or_insert_with(Default::default);
                    types.insert(SubjectAlternativeNameType::CUSTOM_AZURE_AD_ATTRIBUTE);
                    p.subject_alternative_name_format_string = Some(attribute.into());
                })
            }

            /// Validity period (required): a value greater than 0 and its unit.
            pub fn validity(self, value: i32, scale: CertificateValidityPeriodScale) -> Self {
                self.with(|p| {
                    p.certificate.certificate_validity_period_value = Some(value);
                    p.certificate.certificate_validity_period_scale = Some(scale);
                })
            }

            /// Adds an extended key usage, e.g. `KnownEku::CLIENT_AUTHENTICATION`.
            pub fn extended_key_usage(self, eku: impl Into<ExtendedKeyUsage>) -> Self {
                self.with(|p| p.extended_key_usages.get_or_insert_with(Vec::new).push(eku.into()))
            }

            /// Adds a custom subject alternative name.
            pub fn custom_subject_alternative_name(self, san: CustomSubjectAlternativeName) -> Self {
                self.with(|p| p.custom_subject_alternative_names.get_or_insert_with(Vec::new).push(san))
            }

            /// The trusted root certificate profile the issued certificates chain to: a
            /// created trusted root of the same platform, bound as `rootCertificate`
            /// (relative to the Graph base URL, see `models::resolve_binds`).
            pub fn root_certificate(self, root: &impl ConfigurationObject) -> Self {
                self.reference("rootCertificate", root)
            }
        }

        builder_setters! {
            $profile {
                /// Key usage (required), e.g. `KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT`.
                key_usage(KeyUsages) => key_usage;
                /// Key size (required).
                key_size(KeySize) => key_size;
                /// Subject name format (required).
                subject_name_format(AppleSubjectNameFormat) => certificate.subject_name_format;
                /// Renewal threshold in percent, 1–99 (required).
                renewal_threshold_percentage(i32) => certificate.renewal_threshold_percentage;
                /// Certificate store on the device.
                certificate_store(CertificateStore) => certificate_store;
            }
        }
    )+};
}

scep_builder!(IosScepCertificateProfile, super::MacOsScepCertificateProfile);

graph_object! {
    /// An iOS PKCS certificate profile (`#microsoft.graph.iosPkcsCertificateProfile`).
    pub struct IosPkcsCertificateProfile ("#microsoft.graph.iosPkcsCertificateProfile") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `iosCertificateProfileBase` fields.
            certificate: IosCertificateProfileBase,
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
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

rules_of!(
    PkcsFields {
        certification_authority,
        certification_authority_name,
        certificate_template_name,
        custom_subject_alternative_names
    }
    for IosPkcsCertificateProfile, super::MacOsPkcsCertificateProfile
);

/// The fields the PKCS rules read, shared by the iOS and macOS PKCS profiles.
pub(super) struct PkcsFields<'a> {
    pub(super) certification_authority: &'a Option<String>,
    pub(super) certification_authority_name: &'a Option<String>,
    pub(super) certificate_template_name: &'a Option<String>,
    pub(super) custom_subject_alternative_names: &'a Option<Vec<CustomSubjectAlternativeName>>,
}

impl PkcsFields<'_> {
    /// The certification authority and template (required), and at most 500 custom SANs.
    pub(super) fn check(&self, problems: &mut Problems) {
        for (field, value) in [
            ("certificationAuthority", self.certification_authority),
            ("certificationAuthorityName", self.certification_authority_name),
            ("certificateTemplateName", self.certificate_template_name),
        ] {
            require(problems, field, value);
        }
        check_custom_sans(problems, self.custom_subject_alternative_names);
    }
}

graph_object! {
    /// An iOS imported-PFX certificate profile (`#microsoft.graph.iosImportedPFXCertificateProfile`).
    pub struct IosImportedPfxCertificateProfile ("#microsoft.graph.iosImportedPFXCertificateProfile") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
        }
        fields {
            /// What the imported certificate is for.
            intended_purpose: IntendedPurpose = "intendedPurpose",
            /// Navigation: certificate states of managed devices (never written).
            [navigation] managed_device_certificate_states: Box<Value> = "managedDeviceCertificateStates",
        }
    }
}

impl IosImportedPfxCertificateProfile {
    /// The write rules of this type: none beyond those of the common fields (the
    /// certificate itself is uploaded through another API).
    pub(crate) fn check(&self, _problems: &mut Problems) {}
}

graph_object! {
    /// An iOS trusted root certificate profile (`#microsoft.graph.iosTrustedRootCertificate`):
    /// the CA a SCEP profile's certificates chain to. Assign it to the same groups as the
    /// SCEP profile, or the SCEP profile silently fails on devices.
    pub struct IosTrustedRootCertificate ("#microsoft.graph.iosTrustedRootCertificate") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
        }
        fields {
            /// File name shown in the portal.
            cert_file_name: String = "certFileName",
            /// The DER certificate, base64-encoded (`Edm.Binary`).
            [not_null] trusted_root_certificate: String = "trustedRootCertificate",
        }
    }
}

impl IosTrustedRootCertificate {
    /// A trusted root profile from a display name, a file name and the base64 DER certificate.
    pub fn new(
        display_name: impl Into<String>,
        cert_file_name: impl Into<String>,
        certificate_base64: impl Into<String>,
    ) -> Self {
        let mut root = IosTrustedRootCertificate::default();
        root.base.display_name = Some(display_name.into());
        root.cert_file_name = Some(cert_file_name.into());
        root.trusted_root_certificate = Some(certificate_base64.into());
        root
    }
}

impl IosTrustedRootCertificate {
    /// The write rules of this type (besides those of the common fields).
    pub(crate) fn check(&self, problems: &mut Problems) {
        check_trusted_root(problems, &self.trusted_root_certificate);
    }
}

/// The trusted root rule of every platform: the certificate is required, as base64.
pub(super) fn check_trusted_root(problems: &mut Problems, certificate: &Option<String>) {
    match certificate.as_deref() {
        None => problems.push("trustedRootCertificate", "is required"),
        Some(b64) if !is_base64(b64) => problems.push("trustedRootCertificate", "is not valid base64"),
        Some(_) => {}
    }
}

/// Standard base64 with padding, as `Edm.Binary` is written; whitespace is not allowed.
fn is_base64(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() % 4 != 0 {
        return false;
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    padding <= 2
        && bytes[..bytes.len() - padding]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}
