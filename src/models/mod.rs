//! Typed models of the Graph beta types around the iOS and macOS certificate profiles and
//! the iOS profiles that use their certificates (enterprise Wi-Fi, VPN, email).
//!
//! Every model reads what the live service sends (unknown enum members, unknown
//! properties, explicit nulls, timestamps with any precision) and writes it back without
//! loss; create and update bodies leave out what the server owns. A configuration refers
//! to another through a builder's reference methods (`{navigation}@odata.bind`, relative
//! to the Graph base URL until [`resolve_binds`] makes it absolute).

#[macro_use]
mod macros;
#[macro_use]
mod builder;
pub(crate) mod entries;
pub(crate) mod field_type;
pub(crate) mod object;

mod assignment;
mod certificate_state;
mod complex;
mod derived_credential;
mod device_configuration;
mod document;
mod email;
mod enums;
mod flags;
mod ios_certificate;
mod macos_certificate;
mod patch;
mod raw;
mod reference;
pub mod schema;
mod timestamp;
mod validation;
mod vpn;
mod wifi;

pub use assignment::{
    AllDevicesAssignmentTarget, AllLicensedUsersAssignmentTarget, AssignmentFilter, AssignmentFilterType,
    AssignmentSource, AssignmentTarget, ConfigurationManagerCollectionAssignmentTarget,
    DeviceConfigAssignmentIntent, DeviceConfigurationAssignment, DeviceConfigurationGroupAssignment,
    ExclusionGroupAssignmentTarget, GroupAssignmentTarget, OtherAssignmentTarget,
};
pub use builder::ConfigurationBuilder;
pub use certificate_state::{
    CertificateIssuanceState, CertificateRevocationStatus, DevicePlatformType, KeyStorageProviderOption,
    ManagedDeviceCertificateState, SubjectNameFormat,
};
pub use complex::{
    ApplicabilityRuleDeviceMode, ApplicabilityRuleOsEdition, ApplicabilityRuleOsVersion,
    CustomSubjectAlternativeName, ExtendedKeyUsage, KnownEku,
};
pub use derived_credential::{
    DerivedCredentialIssuer, DerivedCredentialNotificationType, DeviceManagementDerivedCredentialSettings,
};
#[allow(unused_imports)] // read by the tenant code
pub(crate) use device_configuration::flag_properties;
pub use device_configuration::{DeviceConfiguration, DeviceConfigurationBase, OtherDeviceConfiguration};
pub use document::{DocumentError, read_json_document};
pub use email::{
    DomainNameSource, EasAuthenticationMethod, EasEmailProfileConfigurationBase, EasServices,
    EmailCertificateType, EmailSyncDuration, IosEasEmailProfileConfiguration,
    IosEasEmailProfileConfigurationBuilder, UserEmailSource, UsernameSource,
};
pub use enums::{
    AppleDeploymentChannel, AppleSubjectNameFormat, ApplicabilityRuleType, CertificateStore,
    CertificateValidityPeriodScale, IntendedPurpose, KeySize, Windows10DeviceModeType, Windows10EditionType,
};
pub use flags::{HashAlgorithms, KeyUsages, SubjectAlternativeNameType};
pub use ios_certificate::{
    IosCertificateProfileBase, IosImportedPfxCertificateProfile, IosPkcsCertificateProfile,
    IosScepCertificateProfile, IosScepCertificateProfileBuilder, IosTrustedRootCertificate,
    MAX_PROFILE_COLLECTION_LEN,
};
pub use macos_certificate::{
    MacOsCertificateProfileBase, MacOsPkcsCertificateProfile, MacOsScepCertificateProfile,
    MacOsScepCertificateProfileBuilder, MacOsTrustedRootCertificate,
};
pub use object::{GraphEntity, NullFields, WriteMode};
pub use patch::{DeviceConfigurationPatch, NAVIGATION_PROPERTIES, READ_ONLY_PROPERTIES};
pub use raw::{AdditionalData, RawJson};
pub use reference::{ConfigurationObject, resolve_binds};
pub use timestamp::{Timestamp, TimestampError};
pub use validation::{ValidationError, ValidationProblem};
pub use vpn::{
    AppListItem, AppleVpnConfigurationBase, AppleVpnConnectionType, IosVpnConfiguration,
    IosVpnConfigurationBuilder, KeyValue, KeyValuePair, MAX_VPN_CUSTOM_DATA_LEN, MAX_VPN_RULES_LEN,
    VpnAuthenticationMethod, VpnOnDemandRule, VpnOnDemandRuleConnectionAction,
    VpnOnDemandRuleConnectionDomainAction, VpnOnDemandRuleInterfaceTypeMatch, VpnProviderType,
    VpnProxyServer, VpnServer,
};
pub use wifi::{
    EapFastConfiguration, EapType, IosEnterpriseWiFiConfiguration, IosEnterpriseWiFiConfigurationBuilder,
    IosWiFiConfigurationBase, MAX_SERVER_VALIDATION_ROOTS, NonEapAuthenticationMethodForEapTtlsType,
    WiFiAuthenticationMethod, WiFiProxySetting, WiFiSecurityType,
};

/// What the models' unit tests share.
#[cfg(test)]
pub(crate) mod testing {
    use serde_json::Value;

    /// A device configuration as `GET …/deviceConfigurations/{id}` returns it: its
    /// `writable` properties and those the server owns (the id, the times, the context).
    pub(crate) fn as_read(writable: Value, id: &str, created: &str, last_modified: &str) -> Value {
        let mut read = writable;
        let context =
            "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations/$entity";
        read["@odata.context"] = context.into();
        read["id"] = id.into();
        read["createdDateTime"] = created.into();
        read["lastModifiedDateTime"] = last_modified.into();
        read["supportsScopeTags"] = true.into();
        read
    }
}
