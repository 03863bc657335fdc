//! `managedDeviceCertificateState`: the state of one certificate issued to one device by a
//! certificate profile (read through `…/managedDeviceCertificateStates`).

use super::{CertificateValidityPeriodScale, KeyUsages, SubjectAlternativeNameType, Timestamp};

graph_enum! {
    /// Issuance state of a device certificate (`certificateIssuanceStates`).
    pub enum CertificateIssuanceState {
        Unknown = "unknown",
        ChallengeIssued = "challengeIssued",
        ChallengeIssueFailed = "challengeIssueFailed",
        RequestCreationFailed = "requestCreationFailed",
        RequestSubmitFailed = "requestSubmitFailed",
        ChallengeValidationSucceeded = "challengeValidationSucceeded",
        ChallengeValidationFailed = "challengeValidationFailed",
        IssueFailed = "issueFailed",
        IssuePending = "issuePending",
        Issued = "issued",
        ResponseProcessingFailed = "responseProcessingFailed",
        ResponsePending = "responsePending",
        EnrollmentSucceeded = "enrollmentSucceeded",
        EnrollmentNotNeeded = "enrollmentNotNeeded",
        Revoked = "revoked",
        RemovedFromCollection = "removedFromCollection",
        RenewVerified = "renewVerified",
        InstallFailed = "installFailed",
        Installed = "installed",
        DeleteFailed = "deleteFailed",
        Deleted = "deleted",
        RenewalRequested = "renewalRequested",
        Requested = "requested",
    }
}

graph_enum! {
    /// Revocation status of a device certificate (`certificateRevocationStatus`).
    pub enum CertificateRevocationStatus {
        None = "none",
        Pending = "pending",
        Issued = "issued",
        Failed = "failed",
        Revoked = "revoked",
    }
}

graph_enum! {
    /// Key storage provider of a Windows certificate (`keyStorageProviderOption`).
    pub enum KeyStorageProviderOption {
        UseTpmKspOtherwiseUseSoftwareKsp = "useTpmKspOtherwiseUseSoftwareKsp",
        UseTpmKspOtherwiseFail = "useTpmKspOtherwiseFail",
        UsePassportForWorkKspOtherwiseFail = "usePassportForWorkKspOtherwiseFail",
        UseSoftwareKsp = "useSoftwareKsp",
    }
}

graph_enum! {
    /// Platform of a device (`devicePlatformType`).
    pub enum DevicePlatformType {
        Android = "android",
        AndroidForWork = "androidForWork",
        Ios = "iOS",
        MacOs = "macOS",
        WindowsPhone81 = "windowsPhone81",
        Windows81AndLater = "windows81AndLater",
        Windows10AndLater = "windows10AndLater",
        AndroidWorkProfile = "androidWorkProfile",
        Unknown = "unknown",
        AndroidAosp = "androidAOSP",
        AndroidMobileApplicationManagement = "androidMobileApplicationManagement",
        IosMobileApplicationManagement = "iOSMobileApplicationManagement",
        UnknownFutureValue = "unknownFutureValue",
        WindowsMobileApplicationManagement = "windowsMobileApplicationManagement",
    }
}

graph_enum! {
    /// Subject name format of Android and Windows certificate profiles and of device
    /// certificate states (`subjectNameFormat`). Not the same enum as
    /// [`AppleSubjectNameFormat`](super::AppleSubjectNameFormat).
    pub enum SubjectNameFormat {
        CommonName = "commonName",
        CommonNameIncludingEmail = "commonNameIncludingEmail",
        CommonNameAsEmail = "commonNameAsEmail",
        Custom = "custom",
        CommonNameAsImei = "commonNameAsIMEI",
        CommonNameAsSerialNumber = "commonNameAsSerialNumber",
        CommonNameAsAadDeviceId = "commonNameAsAadDeviceId",
        CommonNameAsIntuneDeviceId = "commonNameAsIntuneDeviceId",
        CommonNameAsDurableDeviceId = "commonNameAsDurableDeviceId",
    }
}

graph_object! {
    /// The state of one certificate on one device (`#microsoft.graph.managedDeviceCertificateState`).
    pub struct ManagedDeviceCertificateState ("#microsoft.graph.managedDeviceCertificateState") {
        groups {}
        fields {
            /// Key.
            [read_only] id: String = "id",
            /// Enhanced key usage.
            certificate_enhanced_key_usage: String = "certificateEnhancedKeyUsage",
            /// Error code.
            certificate_error_code: i32 = "certificateErrorCode",
            /// Expiration time.
            certificate_expiration_date_time: Timestamp = "certificateExpirationDateTime",
            /// Issuance time.
            certificate_issuance_date_time: Timestamp = "certificateIssuanceDateTime",
            /// Issuance state.
            certificate_issuance_state: CertificateIssuanceState = "certificateIssuanceState",
            /// Issuer.
            certificate_issuer: String = "certificateIssuer",
            /// Key length.
            certificate_key_length: i32 = "certificateKeyLength",
            /// Key storage provider.
            certificate_key_storage_provider: KeyStorageProviderOption = "certificateKeyStorageProvider",
            /// Key usage (a flag set).
            certificate_key_usage: KeyUsages = "certificateKeyUsage",
            /// When the issuance state last changed.
            certificate_last_issuance_state_changed_date_time: Timestamp = "certificateLastIssuanceStateChangedDateTime",
            /// Display name of the profile that issued the certificate.
            certificate_profile_display_name: String = "certificateProfileDisplayName",
            /// Revocation status.
            certificate_revoke_status: CertificateRevocationStatus = "certificateRevokeStatus",
            /// Serial number.
            certificate_serial_number: String = "certificateSerialNumber",
            /// Subject alternative name types (a flag set).
            certificate_subject_alternative_name_format: SubjectAlternativeNameType = "certificateSubjectAlternativeNameFormat",
            /// Custom subject alternative name attribute.
            certificate_subject_alternative_name_format_string: String = "certificateSubjectAlternativeNameFormatString",
            /// Subject name format (the non-Apple enum).
            certificate_subject_name_format: SubjectNameFormat = "certificateSubjectNameFormat",
            /// Custom subject name.
            certificate_subject_name_format_string: String = "certificateSubjectNameFormatString",
            /// Thumbprint.
            certificate_thumbprint: String = "certificateThumbprint",
            /// Validity period value.
            certificate_validity_period: i32 = "certificateValidityPeriod",
            /// Validity period unit.
            certificate_validity_period_units: CertificateValidityPeriodScale = "certificateValidityPeriodUnits",
            /// Device name.
            device_display_name: String = "deviceDisplayName",
            /// Device platform.
            device_platform: DevicePlatformType = "devicePlatform",
            /// When the certificate state last changed.
            last_certificate_state_change_date_time: Timestamp = "lastCertificateStateChangeDateTime",
            /// User name.
            user_display_name: String = "userDisplayName",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_a_full_state_and_writes_it_back() {
        let wire = json!({
            "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
            "id": "s1",
            "devicePlatform": "iOS",
            "certificateKeyUsage": "keyEncipherment,digitalSignature",
            "certificateValidityPeriod": 1,
            "certificateValidityPeriodUnits": "years",
            "certificateIssuanceState": "issued",
            "certificateKeyStorageProvider": "useSoftwareKsp",
            "certificateSubjectNameFormat": "commonNameAsAadDeviceId",
            "certificateSubjectNameFormatString": null,
            "certificateSubjectAlternativeNameFormat": "emailAddress,userPrincipalName",
            "certificateSubjectAlternativeNameFormatString": null,
            "certificateIssuanceDateTime": "2024-03-01T10:00:00Z",
            "certificateErrorCode": 0,
            "certificateIssuer": "CN=Contoso CA",
            "certificateThumbprint": "AB12",
            "certificateSerialNumber": "01",
            "certificateKeyLength": 2048,
            "certificateEnhancedKeyUsage": "1.3.6.1.5.5.7.3.2",
            "certificateExpirationDateTime": "2025-03-01T10:00:00Z",
            "certificateLastIssuanceStateChangedDateTime": "2024-03-01T10:00:00.1234567Z",
            "lastCertificateStateChangeDateTime": "2024-03-01T10:00:00Z",
            "certificateRevokeStatus": "none",
            "certificateProfileDisplayName": "SCEP",
            "deviceDisplayName": "iPhone",
            "userDisplayName": "Adele",
            "someFutureProperty": {"x": 1}
        });
        let state: ManagedDeviceCertificateState = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(state.device_platform, Some(DevicePlatformType::Ios));
        assert_eq!(state.certificate_issuance_state, Some(CertificateIssuanceState::Issued));
        assert_eq!(state.certificate_subject_name_format, Some(SubjectNameFormat::CommonNameAsAadDeviceId));
        assert_eq!(state.certificate_revoke_status, Some(CertificateRevocationStatus::None));
        assert_eq!(state.certificate_key_length, Some(2048));
        assert!(state.certificate_key_usage.as_ref().unwrap().contains(&KeyUsages::DIGITAL_SIGNATURE));
        assert_eq!(serde_json::to_value(&state).unwrap(), wire);
    }

    #[test]
    fn unknown_members_are_kept() {
        let state: ManagedDeviceCertificateState = serde_json::from_value(
            json!({"certificateIssuanceState": "quantumPending", "devicePlatform": "visionOS"}),
        )
        .unwrap();
        assert_eq!(
            state.certificate_issuance_state,
            Some(CertificateIssuanceState::Other("quantumPending".into()))
        );
        assert_eq!(
            serde_json::to_value(&state).unwrap(),
            json!({
                "@odata.type": "#microsoft.graph.managedDeviceCertificateState",
                "certificateIssuanceState": "quantumPending",
                "devicePlatform": "visionOS"
            })
        );
    }
}
