//! The `deviceConfiguration` base type and the polymorphic [`DeviceConfiguration`].

use serde_json::Value;

use super::{
    AdditionalData, ApplicabilityRuleDeviceMode, ApplicabilityRuleOsEdition, ApplicabilityRuleOsVersion,
    ConfigurationObject, IosEasEmailProfileConfiguration, IosEnterpriseWiFiConfiguration,
    IosImportedPfxCertificateProfile, IosPkcsCertificateProfile, IosScepCertificateProfile,
    IosTrustedRootCertificate, IosVpnConfiguration, MacOsPkcsCertificateProfile, MacOsScepCertificateProfile,
    MacOsTrustedRootCertificate, Timestamp, ValidationError,
    object::{GraphEntity, strip_hash},
    validation::Problems,
};

graph_fields! {
    /// The fields every device configuration has (`deviceConfiguration`, with `entity.id`).
    pub struct DeviceConfigurationBase {
        /// Server-assigned key. Never sent in a write.
        [read_only] id: String = "id",
        /// When the object was last modified (server-set).
        [read_only] last_modified_date_time: Timestamp = "lastModifiedDateTime",
        /// Scope tags of the object.
        role_scope_tag_ids: Vec<String> = "roleScopeTagIds",
        /// Whether the type supports scope tags (server-set, read-only).
        [read_only] supports_scope_tags: bool = "supportsScopeTags",
        /// OS edition applicability rule.
        device_management_applicability_rule_os_edition: Box<ApplicabilityRuleOsEdition> = "deviceManagementApplicabilityRuleOsEdition",
        /// OS version applicability rule.
        device_management_applicability_rule_os_version: Box<ApplicabilityRuleOsVersion> = "deviceManagementApplicabilityRuleOsVersion",
        /// Device mode applicability rule.
        device_management_applicability_rule_device_mode: Box<ApplicabilityRuleDeviceMode> = "deviceManagementApplicabilityRuleDeviceMode",
        /// When the object was created (server-set).
        [read_only] created_date_time: Timestamp = "createdDateTime",
        /// Admin-provided description.
        description: String = "description",
        /// Admin-provided name (required).
        [not_null] display_name: String = "displayName",
        /// Version of the configuration.
        [not_null] version: i32 = "version",
        /// Navigation: assignments (only with `$expand`; never written).
        [navigation] assignments: Box<Value> = "assignments",
        /// Navigation: per-setting device state summaries (never written).
        [navigation] device_setting_state_summaries: Box<Value> = "deviceSettingStateSummaries",
        /// Navigation: device statuses (never written).
        [navigation] device_statuses: Box<Value> = "deviceStatuses",
        /// Navigation: device status overview (never written).
        [navigation] device_status_overview: Box<Value> = "deviceStatusOverview",
        /// Navigation: legacy group assignments (never written).
        [navigation] group_assignments: Box<Value> = "groupAssignments",
        /// Navigation: user statuses (never written).
        [navigation] user_statuses: Box<Value> = "userStatuses",
        /// Navigation: user status overview (never written).
        [navigation] user_status_overview: Box<Value> = "userStatusOverview",
    }
}

impl DeviceConfigurationBase {
    /// The common write rules: a non-empty display name.
    pub(crate) fn check(&self, problems: &mut Problems) {
        match self.display_name.as_deref() {
            None => problems.push("displayName", "is required"),
            Some(name) if name.trim().is_empty() => problems.push("displayName", "must not be empty"),
            Some(_) => {}
        }
    }
}

graph_object! {
    /// A device configuration of a type this crate does not model. Its common fields are
    /// readable through `base`; everything else is kept in `additional_data`, so it is
    /// written back unchanged.
    pub struct OtherDeviceConfiguration {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
        }
        fields {
            /// The `@odata.type` exactly as read.
            odata_type: String = "@odata.type",
        }
    }
}

impl GraphEntity for OtherDeviceConfiguration {
    fn odata_type(&self) -> &str {
        self.odata_type.as_deref().unwrap_or("")
    }

    fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::default();
        self.null_problems(&mut problems);
        if self.odata_type.as_deref().is_none_or(|t| strip_hash(t).is_empty()) {
            problems.push("@odata.type", "is required");
        }
        self.base.check(&mut problems);
        problems.into_result()
    }

    fn to_write_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        super::object::write_json(self)
    }
}

/// The `deviceConfiguration` accessors, on every model that has the common fields in `base`.
macro_rules! base_accessors {
    ($($ty:ty),+ $(,)?) => {$(
        impl $ty {
            /// The object's id, when it has one (`base.id`).
            pub fn id(&self) -> Option<&str> {
                self.base.id.as_deref()
            }

            /// The display name, when present (`base.display_name`).
            pub fn display_name(&self) -> Option<&str> {
                self.base.display_name.as_deref()
            }

            /// The description, when present (`base.description`).
            pub fn description(&self) -> Option<&str> {
                self.base.description.as_deref()
            }

            /// The version, when present (`base.version`).
            pub fn version(&self) -> Option<i32> {
                self.base.version
            }

            /// When the object was created, when known (`base.created_date_time`).
            pub fn created_date_time(&self) -> Option<Timestamp> {
                self.base.created_date_time
            }

            /// When the object was last modified, when known (`base.last_modified_date_time`).
            pub fn last_modified_date_time(&self) -> Option<Timestamp> {
                self.base.last_modified_date_time
            }

            /// The scope tag ids (empty when absent).
            pub fn role_scope_tag_ids(&self) -> &[String] {
                self.base.role_scope_tag_ids.as_deref().unwrap_or_default()
            }
        }

        impl ConfigurationObject for $ty {
            fn base(&self) -> &DeviceConfigurationBase {
                &self.base
            }

            fn base_mut(&mut self) -> &mut DeviceConfigurationBase {
                &mut self.base
            }

            fn additional_data(&self) -> &AdditionalData {
                &self.additional_data
            }

            fn additional_data_mut(&mut self) -> &mut AdditionalData {
                &mut self.additional_data
            }
        }
    )+};
}

graph_subtypes! {
    /// Any device configuration, keyed on `@odata.type`.
    ///
    /// The iOS and macOS certificate families and the iOS profiles that use their
    /// certificates (enterprise Wi-Fi, VPN, Exchange ActiveSync email) are typed; every
    /// other type (Graph beta has well over a hundred) is kept losslessly in
    /// [`DeviceConfiguration::Other`].
    ///
    /// Adding a typed subtype is one line in `typed` (after its `graph_object!` with the
    /// fixed `@odata.type` and its `check` rules).
    pub enum DeviceConfiguration {
        base: DeviceConfigurationBase,
        accessors: base_accessors,
        typed {
            /// An iOS SCEP certificate profile.
            IosScepCertificate(IosScepCertificateProfile),
            /// An iOS PKCS certificate profile.
            IosPkcsCertificate(IosPkcsCertificateProfile),
            /// An iOS imported-PFX certificate profile.
            IosImportedPfxCertificate(IosImportedPfxCertificateProfile),
            /// An iOS trusted root certificate.
            IosTrustedRootCertificate(IosTrustedRootCertificate),
            /// A macOS SCEP certificate profile.
            MacOsScepCertificate(MacOsScepCertificateProfile),
            /// A macOS PKCS certificate profile.
            MacOsPkcsCertificate(MacOsPkcsCertificateProfile),
            /// A macOS trusted root certificate.
            MacOsTrustedRootCertificate(MacOsTrustedRootCertificate),
            /// An iOS enterprise Wi-Fi profile.
            IosEnterpriseWiFi(IosEnterpriseWiFiConfiguration),
            /// An iOS VPN profile.
            IosVpn(IosVpnConfiguration),
            /// An iOS Exchange ActiveSync email profile.
            IosEasEmailProfile(IosEasEmailProfileConfiguration),
        }
        /// Any other type, kept whole.
        other: Other(OtherDeviceConfiguration),
    }
}

impl ConfigurationObject for DeviceConfiguration {
    fn base(&self) -> &DeviceConfigurationBase {
        DeviceConfiguration::base(self)
    }

    fn base_mut(&mut self) -> &mut DeviceConfigurationBase {
        DeviceConfiguration::base_mut(self)
    }

    fn additional_data(&self) -> &AdditionalData {
        DeviceConfiguration::additional_data(self)
    }

    fn additional_data_mut(&mut self) -> &mut AdditionalData {
        DeviceConfiguration::additional_data_mut(self)
    }
}

/// The JSON names of the flag-set properties (`"a,b"`) of an object of type `odata_type`
/// (with or without the namespace, in any case), as its typed model declares them; none
/// beyond the common fields' for an unmodelled type. What the tenant code normalises.
#[allow(dead_code)]
pub(crate) fn flag_properties(odata_type: &str) -> &'static [&'static str] {
    DeviceConfiguration::flag_properties(odata_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::schema;

    /// A typed model declares each reference the schema gives its type as a navigation
    /// field, so a read with `$expand` keeps it typed and a write leaves it out.
    #[test]
    fn every_reference_of_a_typed_type_is_one_of_its_navigation_fields() {
        let mut seen = 0;
        for (odata_type, read_only, navigation) in DeviceConfiguration::TYPED {
            for reference in schema::references(odata_type) {
                assert!(navigation.contains(&reference.navigation), "{odata_type}: {}", reference.navigation);
                assert!(read_only.contains(&reference.navigation), "{odata_type}: {}", reference.navigation);
                seen += 1;
            }
        }
        // rootCertificate of both SCEP profiles, two of Wi-Fi, one of VPN, three of email.
        assert_eq!(seen, 8);
    }

    /// The flag-set properties of each type come from its fields' types, groups first.
    #[test]
    fn flag_properties_are_found_from_the_field_types() {
        assert_eq!(
            flag_properties("#microsoft.graph.iosScepCertificateProfile"),
            ["subjectAlternativeNameType", "keyUsage"]
        );
        assert_eq!(flag_properties("iosPkcsCertificateProfile"), ["subjectAlternativeNameType"]);
        assert_eq!(
            flag_properties("MICROSOFT.GRAPH.MACOSSCEPCERTIFICATEPROFILE"),
            ["subjectAlternativeNameType", "keyUsage", "hashAlgorithm"]
        );
        assert_eq!(flag_properties("microsoft.graph.iosEasEmailProfileConfiguration"), ["easServices"]);
        for none in [
            "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "#microsoft.graph.iosVpnConfiguration",
            "#microsoft.graph.iosTrustedRootCertificate",
            "#microsoft.graph.windows10GeneralConfiguration",
            "",
        ] {
            assert!(flag_properties(none).is_empty(), "{none}");
        }
        // Flag sets nested in complex types are not properties of the configuration.
        assert!(IosScepCertificateProfile::FLAG_KEYS.iter().all(|key| *key != "sanType"));
    }
}
