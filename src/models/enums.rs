//! Graph enums used by the iOS and macOS certificate profiles and the types around them.
//! Each keeps a value this crate does not know (`Other`) and writes it back verbatim.

graph_enum! {
    /// SCEP key size (`keySize`).
    pub enum KeySize {
        Size1024 = "size1024",
        Size2048 = "size2048",
        Size4096 = "size4096",
    }
}

graph_enum! {
    /// Subject name format for Apple certificate profiles (`appleSubjectNameFormat`).
    /// Not the same enum as the Android/Windows `subjectNameFormat`.
    pub enum AppleSubjectNameFormat {
        CommonName = "commonName",
        CommonNameAsEmail = "commonNameAsEmail",
        Custom = "custom",
        CommonNameIncludingEmail = "commonNameIncludingEmail",
        CommonNameAsImei = "commonNameAsIMEI",
        CommonNameAsSerialNumber = "commonNameAsSerialNumber",
    }
}

graph_enum! {
    /// Unit of the certificate validity period (`certificateValidityPeriodScale`).
    pub enum CertificateValidityPeriodScale {
        Days = "days",
        Months = "months",
        Years = "years",
    }
}

graph_enum! {
    /// Which macOS keychain a profile is deployed to (`appleDeploymentChannel`, JSON
    /// property `deploymentChannel`).
    pub enum AppleDeploymentChannel {
        /// The device (system) keychain.
        DeviceChannel = "deviceChannel",
        /// The user's keychain.
        UserChannel = "userChannel",
        /// Graph's evolvable-enum sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// Where the certificate is stored on the device (`certificateStore`).
    pub enum CertificateStore {
        User = "user",
        Machine = "machine",
    }
}

graph_enum! {
    /// Whether an applicability rule includes or excludes (`deviceManagementApplicabilityRuleType`).
    pub enum ApplicabilityRuleType {
        Include = "include",
        Exclude = "exclude",
    }
}

graph_enum! {
    /// Windows 10 device mode (`windows10DeviceModeType`).
    pub enum Windows10DeviceModeType {
        StandardConfiguration = "standardConfiguration",
        SModeConfiguration = "sModeConfiguration",
    }
}

graph_enum! {
    /// Windows 10 edition (`windows10EditionType`).
    pub enum Windows10EditionType {
        Windows10Enterprise = "windows10Enterprise",
        Windows10EnterpriseN = "windows10EnterpriseN",
        Windows10Education = "windows10Education",
        Windows10EducationN = "windows10EducationN",
        Windows10MobileEnterprise = "windows10MobileEnterprise",
        Windows10HolographicEnterprise = "windows10HolographicEnterprise",
        Windows10Professional = "windows10Professional",
        Windows10ProfessionalN = "windows10ProfessionalN",
        Windows10ProfessionalEducation = "windows10ProfessionalEducation",
        Windows10ProfessionalEducationN = "windows10ProfessionalEducationN",
        Windows10ProfessionalWorkstation = "windows10ProfessionalWorkstation",
        Windows10ProfessionalWorkstationN = "windows10ProfessionalWorkstationN",
        NotConfigured = "notConfigured",
        Windows10Home = "windows10Home",
        Windows10HomeChina = "windows10HomeChina",
        Windows10HomeN = "windows10HomeN",
        Windows10HomeSingleLanguage = "windows10HomeSingleLanguage",
        Windows10Mobile = "windows10Mobile",
        Windows10IoTCore = "windows10IoTCore",
        Windows10IoTCoreCommercial = "windows10IoTCoreCommercial",
    }
}

graph_enum! {
    /// Purpose of an imported PFX certificate (`intendedPurpose`).
    pub enum IntendedPurpose {
        Unassigned = "unassigned",
        SmimeEncryption = "smimeEncryption",
        SmimeSigning = "smimeSigning",
        Vpn = "vpn",
        Wifi = "wifi",
    }
}
