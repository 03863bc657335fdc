//! The profile the load driver creates and the benches encode: valid, with the seed
//! example's fields (plus its three legacy properties kept in `additional_data`), and a write
//! body of the seed request's size (929 bytes). Shared by `examples/loadgen.rs` and
//! `benches/models.rs` through `#[path]`, so both measure the same object.

use intune_graph::models::{
    AppleSubjectNameFormat, CertificateValidityPeriodScale, ExtendedKeyUsage, GraphEntity,
    IosScepCertificateProfile, KeySize, KeyUsages, SubjectAlternativeNameType,
};
use serde_json::Value;

/// The load profile.
pub fn profile() -> IosScepCertificateProfile {
    let mut eku = ExtendedKeyUsage::new("Client Authentication", "1.3.6.1.5.5.7.3.2");
    eku.additional_data.insert("@odata.type".into(), "microsoft.graph.extendedKeyUsage".into());
    let mut profile = IosScepCertificateProfile::builder()
        .display_name("iOS SCEP - Corporate Wi-Fi (802.1X EAP-TLS)")
        .description("802.1X EAP-TLS on corporate iOS")
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .renewal_threshold_percentage(20)
        .subject_name_format(AppleSubjectNameFormat::CommonNameAsEmail)
        .subject_alternative_name_type(SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
        .validity(14, CertificateValidityPeriodScale::Months)
        .key_usage(KeyUsages::DIGITAL_SIGNATURE)
        .key_size(KeySize::Size2048)
        .extended_key_usage(eku)
        .build()
        .expect("the load profile is valid");
    profile.base.version = Some(7);
    profile.subject_name_format_string = Some("CN={{UserPrincipalName}},OU=Mobile,O=Contoso".into());
    profile.subject_alternative_name_format_string = Some("{{UserPrincipalName}}".into());
    // Unmodelled properties of the seed example: kept in `additional_data` and written.
    for (key, value) in [
        ("assignmentStatus", "Assignment Status value"),
        ("assignmentProgress", "Assignment Progress value"),
        ("assignmentErrorMessage", "Assignment Error Message value"),
    ] {
        profile.additional_data.insert(key.into(), Value::from(value).into());
    }
    profile.validate().expect("still valid");
    profile
}
