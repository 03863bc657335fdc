//! The `deviceConfiguration` base type and the polymorphic [`DeviceConfiguration`].

use std::fmt;

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{self, MapAccess},
};
use serde_json::Value;

use super::{
    AdditionalData, ApplicabilityRuleDeviceMode, ApplicabilityRuleOsEdition, ApplicabilityRuleOsVersion,
    IosImportedPfxCertificateProfile, IosPkcsCertificateProfile, IosScepCertificateProfile,
    IosTrustedRootCertificate, Timestamp, ValidationError,
    object::{GraphEntity, Held, decode_polymorphic, decode_rest_after, strip_hash},
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
        [read_only] assignments: Box<Value> = "assignments",
        /// Navigation: per-setting device state summaries (never written).
        [read_only] device_setting_state_summaries: Box<Value> = "deviceSettingStateSummaries",
        /// Navigation: device statuses (never written).
        [read_only] device_statuses: Box<Value> = "deviceStatuses",
        /// Navigation: device status overview (never written).
        [read_only] device_status_overview: Box<Value> = "deviceStatusOverview",
        /// Navigation: legacy group assignments (never written).
        [read_only] group_assignments: Box<Value> = "groupAssignments",
        /// Navigation: user statuses (never written).
        [read_only] user_statuses: Box<Value> = "userStatuses",
        /// Navigation: user status overview (never written).
        [read_only] user_status_overview: Box<Value> = "userStatusOverview",
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

/// Any device configuration, keyed on `@odata.type`.
///
/// The iOS certificate family is typed; every other type (Graph beta has well over a
/// hundred) is kept losslessly in [`DeviceConfiguration::Other`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DeviceConfiguration {
    /// `#microsoft.graph.iosScepCertificateProfile`
    IosScepCertificate(Box<IosScepCertificateProfile>),
    /// `#microsoft.graph.iosPkcsCertificateProfile`
    IosPkcsCertificate(Box<IosPkcsCertificateProfile>),
    /// `#microsoft.graph.iosImportedPFXCertificateProfile`
    IosImportedPfxCertificate(Box<IosImportedPfxCertificateProfile>),
    /// `#microsoft.graph.iosTrustedRootCertificate`
    IosTrustedRootCertificate(Box<IosTrustedRootCertificate>),
    /// Any other type, kept whole.
    Other(Box<OtherDeviceConfiguration>),
}

macro_rules! each_variant {
    ($value:expr, $bind:ident => $body:expr) => {
        match $value {
            DeviceConfiguration::IosScepCertificate($bind) => $body,
            DeviceConfiguration::IosPkcsCertificate($bind) => $body,
            DeviceConfiguration::IosImportedPfxCertificate($bind) => $body,
            DeviceConfiguration::IosTrustedRootCertificate($bind) => $body,
            DeviceConfiguration::Other($bind) => $body,
        }
    };
}

impl DeviceConfiguration {
    /// The common fields.
    pub fn base(&self) -> &DeviceConfigurationBase {
        each_variant!(self, c => &c.base)
    }

    /// The common fields, mutably.
    pub fn base_mut(&mut self) -> &mut DeviceConfigurationBase {
        each_variant!(self, c => &mut c.base)
    }

    /// The object's id, when it has one.
    pub fn id(&self) -> Option<&str> {
        each_variant!(self, c => c.id())
    }

    /// The display name, when present.
    pub fn display_name(&self) -> Option<&str> {
        each_variant!(self, c => c.display_name())
    }

    /// The `@odata.type`, with the leading `#`.
    pub fn odata_type(&self) -> &str {
        match self {
            DeviceConfiguration::Other(c) => c.odata_type.as_deref().unwrap_or(""),
            typed => each_variant!(typed, c => GraphEntity::odata_type(c.as_ref())),
        }
    }

    /// The unmodelled properties of the object.
    pub fn additional_data(&self) -> &AdditionalData {
        each_variant!(self, c => &c.additional_data)
    }

    /// The unmodelled properties of the object, mutably.
    pub fn additional_data_mut(&mut self) -> &mut AdditionalData {
        each_variant!(self, c => &mut c.additional_data)
    }

    /// Whether the modelled property named `wire` (its JSON name) was read as an explicit
    /// `null` and has no value since. Unmodelled properties read as null are in
    /// [`additional_data`](Self::additional_data) instead.
    pub fn is_explicit_null(&self, wire: &str) -> bool {
        each_variant!(self, c => c.is_explicit_null(wire))
    }
}

impl GraphEntity for DeviceConfiguration {
    fn odata_type(&self) -> &str {
        DeviceConfiguration::odata_type(self)
    }

    fn validate(&self) -> Result<(), ValidationError> {
        each_variant!(self, c => c.validate())
    }

    fn to_write_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        each_variant!(self, c => c.to_write_json())
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

impl Serialize for DeviceConfiguration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        each_variant!(self, c => c.serialize(serializer))
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
    )+};
}

base_accessors!(
    IosScepCertificateProfile,
    IosPkcsCertificateProfile,
    IosImportedPfxCertificateProfile,
    IosTrustedRootCertificate,
    OtherDeviceConfiguration,
);

macro_rules! impl_from_variant {
    ($($ty:ty => $variant:ident),+ $(,)?) => {$(
        impl From<$ty> for DeviceConfiguration {
            fn from(value: $ty) -> Self {
                DeviceConfiguration::$variant(Box::new(value))
            }
        }
    )+};
}

impl_from_variant! {
    IosScepCertificateProfile => IosScepCertificate,
    IosPkcsCertificateProfile => IosPkcsCertificate,
    IosImportedPfxCertificateProfile => IosImportedPfxCertificate,
    IosTrustedRootCertificate => IosTrustedRootCertificate,
    OtherDeviceConfiguration => Other,
}

/// Decodes an object whose `@odata.type` has been read (`None`: it has none): the
/// entries `held` from before the type, then the rest of `map`.
fn dispatch<'de, A: MapAccess<'de>>(
    odata_type: Option<&str>,
    held: Held,
    map: A,
) -> Result<DeviceConfiguration, A::Error> {
    Ok(match odata_type.map(strip_hash) {
        Some("microsoft.graph.iosScepCertificateProfile") => {
            DeviceConfiguration::IosScepCertificate(Box::new(decode_rest_after(held, map)?))
        }
        Some("microsoft.graph.iosPkcsCertificateProfile") => {
            DeviceConfiguration::IosPkcsCertificate(Box::new(decode_rest_after(held, map)?))
        }
        Some("microsoft.graph.iosImportedPFXCertificateProfile") => {
            DeviceConfiguration::IosImportedPfxCertificate(Box::new(decode_rest_after(held, map)?))
        }
        Some("microsoft.graph.iosTrustedRootCertificate") => {
            DeviceConfiguration::IosTrustedRootCertificate(Box::new(decode_rest_after(held, map)?))
        }
        _ => {
            let mut other: OtherDeviceConfiguration = decode_rest_after(held, map)?;
            other.odata_type = odata_type.map(str::to_owned);
            DeviceConfiguration::Other(Box::new(other))
        }
    })
}

impl<'de> Deserialize<'de> for DeviceConfiguration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = DeviceConfiguration;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a deviceConfiguration object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DeviceConfiguration, A::Error> {
                decode_polymorphic(map, dispatch)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}
