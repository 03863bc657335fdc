//! Typed models of the Graph beta types around the iOS and macOS certificate profiles.
//!
//! Every model reads what the live service sends (unknown enum members, unknown
//! properties, explicit nulls, timestamps with any precision) and writes it back without
//! loss; create and update bodies leave out what the server owns.

#[macro_use]
mod macros;
pub(crate) mod entries;
pub(crate) mod object;

mod assignment;
mod certificate_state;
mod complex;
mod device_configuration;
mod document;
mod enums;
mod flags;
mod ios_certificate;
mod macos_certificate;
mod patch;
mod raw;
pub mod schema;
mod timestamp;
mod validation;

pub use assignment::{
    AllDevicesAssignmentTarget, AllLicensedUsersAssignmentTarget, AssignmentFilter, AssignmentFilterType,
    AssignmentSource, AssignmentTarget, ConfigurationManagerCollectionAssignmentTarget,
    DeviceConfigAssignmentIntent, DeviceConfigurationAssignment, DeviceConfigurationGroupAssignment,
    ExclusionGroupAssignmentTarget, GroupAssignmentTarget, OtherAssignmentTarget,
};
pub use certificate_state::{
    CertificateIssuanceState, CertificateRevocationStatus, DevicePlatformType, KeyStorageProviderOption,
    ManagedDeviceCertificateState, SubjectNameFormat,
};
pub use complex::{
    ApplicabilityRuleDeviceMode, ApplicabilityRuleOsEdition, ApplicabilityRuleOsVersion,
    CustomSubjectAlternativeName, ExtendedKeyUsage, KnownEku,
};
pub use device_configuration::{DeviceConfiguration, DeviceConfigurationBase, OtherDeviceConfiguration};
pub use document::{DocumentError, read_json_document};
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
    MacOsTrustedRootCertificate,
};
pub use object::{GraphEntity, NullFields, WriteMode};
pub use patch::{DeviceConfigurationPatch, NAVIGATION_PROPERTIES, READ_ONLY_PROPERTIES};
pub use raw::{AdditionalData, RawJson};
pub use timestamp::{Timestamp, TimestampError};
pub use validation::{ValidationError, ValidationProblem};
