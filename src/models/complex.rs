//! Complex types used by certificate profiles and applicability rules.

use super::{
    ApplicabilityRuleType, SubjectAlternativeNameType, Windows10DeviceModeType, Windows10EditionType,
};

graph_object! {
    /// An extended key usage (EKU) of a certificate (`extendedKeyUsage`).
    pub struct ExtendedKeyUsage {
        groups {}
        fields {
            /// Display name of the EKU.
            name: String = "name",
            /// Dotted-decimal OID, e.g. `1.3.6.1.5.5.7.3.2`.
            object_identifier: String = "objectIdentifier",
        }
    }
}

impl ExtendedKeyUsage {
    /// An EKU with a name and an OID.
    pub fn new(name: impl Into<String>, object_identifier: impl Into<String>) -> Self {
        ExtendedKeyUsage {
            name: Some(name.into()),
            object_identifier: Some(object_identifier.into()),
            ..Default::default()
        }
    }
}

/// A well-known extended key usage: a name and its OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownEku {
    /// The name Intune shows.
    pub name: &'static str,
    /// The OID.
    pub oid: &'static str,
}

impl KnownEku {
    /// TLS client authentication.
    pub const CLIENT_AUTHENTICATION: KnownEku =
        KnownEku { name: "Client Authentication", oid: "1.3.6.1.5.5.7.3.2" };
    /// TLS server authentication.
    pub const SERVER_AUTHENTICATION: KnownEku =
        KnownEku { name: "Server Authentication", oid: "1.3.6.1.5.5.7.3.1" };
    /// S/MIME secure email.
    pub const SECURE_EMAIL: KnownEku = KnownEku { name: "Secure Email", oid: "1.3.6.1.5.5.7.3.4" };
    /// Microsoft smart card logon.
    pub const SMART_CARD_LOGON: KnownEku =
        KnownEku { name: "Smart Card Logon", oid: "1.3.6.1.4.1.311.20.2.2" };
    /// Any purpose.
    pub const ANY_PURPOSE: KnownEku = KnownEku { name: "Any Purpose", oid: "2.5.29.37.0" };
}

impl From<KnownEku> for ExtendedKeyUsage {
    fn from(eku: KnownEku) -> Self {
        ExtendedKeyUsage::new(eku.name, eku.oid)
    }
}

graph_object! {
    /// A custom subject alternative name (`customSubjectAlternativeName`).
    pub struct CustomSubjectAlternativeName {
        groups {}
        fields {
            /// The value, e.g. `{{UserPrincipalName}}`.
            name: String = "name",
            /// The SAN type.
            san_type: SubjectAlternativeNameType = "sanType",
        }
    }
}

impl CustomSubjectAlternativeName {
    /// A custom SAN of a type with a value.
    pub fn new(san_type: SubjectAlternativeNameType, name: impl Into<String>) -> Self {
        CustomSubjectAlternativeName {
            name: Some(name.into()),
            san_type: Some(san_type),
            ..Default::default()
        }
    }
}

graph_object! {
    /// Applicability rule on the Windows device mode (`deviceManagementApplicabilityRuleDeviceMode`).
    pub struct ApplicabilityRuleDeviceMode {
        groups {}
        fields {
            /// The device mode the rule matches.
            device_mode: Windows10DeviceModeType = "deviceMode",
            /// Rule name.
            name: String = "name",
            /// Include or exclude.
            rule_type: ApplicabilityRuleType = "ruleType",
        }
    }
}

graph_object! {
    /// Applicability rule on the OS edition (`deviceManagementApplicabilityRuleOsEdition`).
    pub struct ApplicabilityRuleOsEdition {
        groups {}
        fields {
            /// Rule name.
            name: String = "name",
            /// Editions the rule matches.
            os_edition_types: Vec<Windows10EditionType> = "osEditionTypes",
            /// Include or exclude.
            rule_type: ApplicabilityRuleType = "ruleType",
        }
    }
}

graph_object! {
    /// Applicability rule on the OS version (`deviceManagementApplicabilityRuleOsVersion`).
    pub struct ApplicabilityRuleOsVersion {
        groups {}
        fields {
            /// Highest OS version (note the JSON casing `maxOSVersion`).
            max_os_version: String = "maxOSVersion",
            /// Lowest OS version (`minOSVersion`).
            min_os_version: String = "minOSVersion",
            /// Rule name.
            name: String = "name",
            /// Include or exclude.
            rule_type: ApplicabilityRuleType = "ruleType",
        }
    }
}
