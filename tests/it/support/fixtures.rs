//! Fixtures shared by the `it` and `tracing` test binaries: the collection path, the seed
//! response, a minimal valid SCEP profile and a mock Graph that answers one create.

use intune_graph::models::{
    AppleSubjectNameFormat, CertificateValidityPeriodScale, IosScepCertificateProfile,
    IosScepCertificateProfileBuilder, KeySize, KeyUsages,
};
use wiremock::{MockServer, ResponseTemplate};

use super::mock::{MountOnce, when};

/// The seed page's `201 Created` example response.
pub const SEED_RESPONSE: &str = include_str!("../../fixtures/seed-response-201.json");

/// The collection path under the emulated `/beta` base.
pub const COLLECTION: &str = "/beta/deviceManagement/deviceConfigurations";

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

/// A mock Graph that answers the one create it expects with `response`.
pub async fn answering_create(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    when("POST", COLLECTION).respond_with(response).mount_once(&server).await;
    server
}
