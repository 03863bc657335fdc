//! Complex types used by certificate profiles and applicability rules.
//!
//! Graph writes `@odata.type` on every nested object. Each type here keeps it in a field of
//! its own (`odata_type`) rather than in `additional_data`: reading it then costs one string,
//! not a map entry, and it is written back first, where OData readers look for it.

use super::{
    ApplicabilityRuleType, SubjectAlternativeNameType, Windows10DeviceModeType, Windows10EditionType,
};

graph_object! {
    /// An extended key usage (EKU) of a certificate (`extendedKeyUsage`).
    pub struct ExtendedKeyUsage {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.extendedKeyUsage`);
            /// the constructors leave it unset.
            odata_type: String = "@odata.type",
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
            /// `@odata.type` as read (`microsoft.graph.customSubjectAlternativeName`);
            /// the constructors leave it unset.
            odata_type: String = "@odata.type",
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
            /// `@odata.type` as read (`microsoft.graph.deviceManagementApplicabilityRuleDeviceMode`);
            /// the constructors leave it unset.
            odata_type: String = "@odata.type",
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
            /// `@odata.type` as read (`microsoft.graph.deviceManagementApplicabilityRuleOsEdition`);
            /// the constructors leave it unset.
            odata_type: String = "@odata.type",
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
            /// `@odata.type` as read (`microsoft.graph.deviceManagementApplicabilityRuleOsVersion`);
            /// the constructors leave it unset.
            odata_type: String = "@odata.type",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_odata_type_is_a_field_and_is_written_first() {
        let eku: ExtendedKeyUsage = serde_json::from_str(
            r#"{"name":"Client Authentication","objectIdentifier":"1.3.6.1.5.5.7.3.2","@odata.type":"microsoft.graph.extendedKeyUsage"}"#,
        )
        .unwrap();
        assert_eq!(eku.odata_type.as_deref(), Some("microsoft.graph.extendedKeyUsage"));
        assert!(eku.additional_data.is_empty());
        assert_eq!(
            serde_json::to_string(&eku).unwrap(),
            r#"{"@odata.type":"microsoft.graph.extendedKeyUsage","name":"Client Authentication","objectIdentifier":"1.3.6.1.5.5.7.3.2"}"#
        );
    }

    #[test]
    fn constructors_leave_the_type_out() {
        let san = CustomSubjectAlternativeName::new(
            SubjectAlternativeNameType::USER_PRINCIPAL_NAME,
            "{{UserPrincipalName}}",
        );
        assert_eq!(san.odata_type, None);
        assert_eq!(
            serde_json::to_string(&san).unwrap(),
            r#"{"name":"{{UserPrincipalName}}","sanType":"userPrincipalName"}"#
        );
        let explicit_null: ApplicabilityRuleOsVersion =
            serde_json::from_str(r#"{"@odata.type":null,"name":"n"}"#).unwrap();
        assert!(explicit_null.is_explicit_null("@odata.type"));
        assert_eq!(serde_json::to_string(&explicit_null).unwrap(), r#"{"@odata.type":null,"name":"n"}"#);
    }
}
