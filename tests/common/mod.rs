//! Shared by the integration tests: fixtures and a minimal valid SCEP profile.
#![allow(dead_code)] // each test binary uses a different part

use intune_graph::models::{
    AppleSubjectNameFormat, CertificateValidityPeriodScale, IosScepCertificateProfile,
    IosScepCertificateProfileBuilder, KeySize, KeyUsages,
};

/// The seed page's `201 Created` example response.
pub const SEED_RESPONSE: &str = include_str!("../fixtures/seed-response-201.json");

/// The collection path under the emulated `/beta` base.
pub const COLLECTION_PATH: &str = "/beta/deviceManagement/deviceConfigurations";

/// A builder with every required field set to a valid value.
pub fn scep_builder(display_name: &str) -> IosScepCertificateProfileBuilder {
    IosScepCertificateProfile::builder()
        .display_name(display_name)
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE)
        .key_size(KeySize::Size2048)
        .subject_name_format(AppleSubjectNameFormat::CommonName)
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20)
}

/// The minimal valid profile.
pub fn scep_profile(display_name: &str) -> IosScepCertificateProfile {
    scep_builder(display_name).build().expect("the minimal profile is valid")
}
