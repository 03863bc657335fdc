//! The Exchange ActiveSync email family: the `easEmailProfileConfigurationBase` fields and
//! the iOS profile (`iosEasEmailProfileConfiguration`), which can authenticate and sign or
//! encrypt with certificate profiles' certificates.
//!
//! Properties, their types and enum members are the beta schema's (Microsoft's generated
//! beta models, msgraph-beta-sdk 1.66.0), in the order the service writes them.

use super::{
    ConfigurationBuilder, ConfigurationObject, DeviceConfiguration, DeviceConfigurationBase,
    DeviceManagementDerivedCredentialSettings,
    reference::is_bound,
    validation::{Problems, require_text},
    vpn::IDENTITY_CERTIFICATE,
};

graph_enum! {
    /// The directory attribute a user name or email address comes from (`userEmailSource`).
    pub enum UserEmailSource {
        UserPrincipalName = "userPrincipalName",
        PrimarySmtpAddress = "primarySmtpAddress",
    }
}

graph_enum! {
    /// The directory attribute the user name comes from (`usernameSource`).
    pub enum UsernameSource {
        UserPrincipalName = "userPrincipalName",
        PrimarySmtpAddress = "primarySmtpAddress",
        SamAccountName = "samAccountName",
    }
}

graph_enum! {
    /// The form of the user's domain name (`domainNameSource`).
    pub enum DomainNameSource {
        FullDomainName = "fullDomainName",
        NetBiosDomainName = "netBiosDomainName",
    }
}

graph_enum! {
    /// How the user authenticates to Exchange (`easAuthenticationMethod`).
    pub enum EasAuthenticationMethod {
        UsernameAndPassword = "usernameAndPassword",
        Certificate = "certificate",
        DerivedCredential = "derivedCredential",
    }
}

graph_enum! {
    /// How much email is synced (`emailSyncDuration`).
    pub enum EmailSyncDuration {
        UserDefined = "userDefined",
        OneDay = "oneDay",
        ThreeDays = "threeDays",
        OneWeek = "oneWeek",
        TwoWeeks = "twoWeeks",
        OneMonth = "oneMonth",
        Unlimited = "unlimited",
    }
}

graph_enum! {
    /// Where an S/MIME certificate comes from (`emailCertificateType`).
    pub enum EmailCertificateType {
        None = "none",
        Certificate = "certificate",
        DerivedCredential = "derivedCredential",
    }
}

graph_flags! {
    /// The Exchange data synced (`easServices`, a flag set).
    pub struct EasServices {
        none: Some("none"),
        CALENDARS = 0 => "calendars",
        CONTACTS = 1 => "contacts",
        EMAIL = 2 => "email",
        NOTES = 3 => "notes",
        REMINDERS = 4 => "reminders",
    }
}

graph_fields! {
    /// The `easEmailProfileConfigurationBase` fields: where the user name and domain come from.
    pub struct EasEmailProfileConfigurationBase {
        /// The attribute the user name comes from.
        username_source: UserEmailSource = "usernameSource",
        /// The Entra ID attribute the user name comes from.
        username_aad_source: UsernameSource = "usernameAADSource",
        /// The form of the user's domain name.
        user_domain_name_source: DomainNameSource = "userDomainNameSource",
        /// A custom domain name for the profile.
        custom_domain_name: String = "customDomainName",
    }
}

graph_object! {
    /// An iOS Exchange ActiveSync email profile
    /// (`#microsoft.graph.iosEasEmailProfileConfiguration`).
    ///
    /// Build one with [`IosEasEmailProfileConfiguration::builder`].
    pub struct IosEasEmailProfileConfiguration ("#microsoft.graph.iosEasEmailProfileConfiguration") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `easEmailProfileConfigurationBase` fields.
            email: EasEmailProfileConfigurationBase,
        }
        fields {
            /// The account name.
            account_name: String = "accountName",
            /// How the user authenticates; `certificate` needs an identity certificate.
            authentication_method: EasAuthenticationMethod = "authenticationMethod",
            /// Block moving messages to other email accounts.
            block_moving_messages_to_other_email_accounts: bool = "blockMovingMessagesToOtherEmailAccounts",
            /// Block sending email from third-party apps.
            block_sending_email_from_third_party_apps: bool = "blockSendingEmailFromThirdPartyApps",
            /// Block syncing recently used email addresses.
            block_syncing_recently_used_email_addresses: bool = "blockSyncingRecentlyUsedEmailAddresses",
            /// How much email is synced.
            duration_of_email_to_sync: EmailSyncDuration = "durationOfEmailToSync",
            /// The attribute the email address comes from.
            email_address_source: UserEmailSource = "emailAddressSource",
            /// The Exchange data synced (a flag set).
            eas_services: EasServices = "easServices",
            /// Let the user change what is synced.
            eas_services_user_override_enabled: bool = "easServicesUserOverrideEnabled",
            /// The Exchange host the mail app connects to.
            host_name: String = "hostName",
            /// Use S/MIME.
            require_smime: bool = "requireSmime",
            /// Let the user send unencrypted messages.
            smime_enable_per_message_switch: bool = "smimeEnablePerMessageSwitch",
            /// Encrypt by default.
            smime_encrypt_by_default_enabled: bool = "smimeEncryptByDefaultEnabled",
            /// Sign messages.
            smime_signing_enabled: bool = "smimeSigningEnabled",
            /// Let the user turn signing on or off.
            smime_signing_user_override_enabled: bool = "smimeSigningUserOverrideEnabled",
            /// Let the user turn encryption by default on or off.
            smime_encrypt_by_default_user_override_enabled: bool = "smimeEncryptByDefaultUserOverrideEnabled",
            /// Let the user pick the signing identity.
            smime_signing_certificate_user_override_enabled: bool = "smimeSigningCertificateUserOverrideEnabled",
            /// Let the user pick the encryption identity.
            smime_encryption_certificate_user_override_enabled: bool = "smimeEncryptionCertificateUserOverrideEnabled",
            /// Use SSL.
            require_ssl: bool = "requireSsl",
            /// Authenticate with OAuth.
            use_o_auth: bool = "useOAuth",
            /// Where the signing certificate comes from; `certificate` needs a signing
            /// certificate reference.
            signing_certificate_type: EmailCertificateType = "signingCertificateType",
            /// Where the encryption certificate comes from; `certificate` needs an encryption
            /// certificate reference.
            encryption_certificate_type: EmailCertificateType = "encryptionCertificateType",
            /// The id of the per-app VPN profile the mail app uses.
            per_app_vpn_profile_id: String = "perAppVPNProfileId",
            /// Reference: the certificate profile whose certificate authenticates the user
            /// (only with `$expand`; bound with
            /// [`IosEasEmailProfileConfigurationBuilder::identity_certificate`]).
            [navigation] identity_certificate: Box<DeviceConfiguration> = "identityCertificate",
            /// Reference: the S/MIME signing certificate profile (only with `$expand`).
            [navigation] smime_signing_certificate: Box<DeviceConfiguration> = "smimeSigningCertificate",
            /// Reference: the S/MIME encryption certificate profile (only with `$expand`).
            [navigation] smime_encryption_certificate: Box<DeviceConfiguration> = "smimeEncryptionCertificate",
            /// Navigation: the tenant's derived credential settings (never written).
            [navigation] derived_credential_settings: Box<DeviceManagementDerivedCredentialSettings> = "derivedCredentialSettings",
        }
    }
}

/// The reference of the S/MIME signing certificate.
const SMIME_SIGNING: &str = "smimeSigningCertificate";
/// The reference of the S/MIME encryption certificate.
const SMIME_ENCRYPTION: &str = "smimeEncryptionCertificate";

impl IosEasEmailProfileConfiguration {
    /// Starts a profile; [`build`](ConfigurationBuilder::build) refuses it until the host
    /// name and the certificates its settings need are set.
    pub fn builder() -> IosEasEmailProfileConfigurationBuilder {
        ConfigurationBuilder::new()
    }

    /// The write rules of this type (besides those of the common fields).
    pub(crate) fn check(&self, problems: &mut Problems) {
        // hostName: "Exchange location that (URL) that the native mail app connects to".
        require_text(problems, "hostName", &self.host_name);
        // identityCertificate: the certificate the `certificate` authentication method
        // ("Authenticate with a certificate") authenticates with. signingCertificateType /
        // encryptionCertificateType `certificate`: "Use an certificate for certificate
        // source": the S/MIME certificate profile is the source.
        let certificate = Some(EmailCertificateType::Certificate);
        let needed = [
            (
                "authenticationMethod",
                self.authentication_method == Some(EasAuthenticationMethod::Certificate),
                IDENTITY_CERTIFICATE,
                self.identity_certificate.is_some(),
            ),
            (
                "signingCertificateType",
                self.signing_certificate_type == certificate,
                SMIME_SIGNING,
                self.smime_signing_certificate.is_some(),
            ),
            (
                "encryptionCertificateType",
                self.encryption_certificate_type == certificate,
                SMIME_ENCRYPTION,
                self.smime_encryption_certificate.is_some(),
            ),
        ];
        for (setting, is_certificate, navigation, expanded) in needed {
            if is_certificate && !expanded && !is_bound(&self.additional_data, navigation) {
                problems.push(navigation, format!("is required when {setting} is certificate"));
            }
        }
    }
}

/// Builds an [`IosEasEmailProfileConfiguration`] for a create call.
pub type IosEasEmailProfileConfigurationBuilder = ConfigurationBuilder<IosEasEmailProfileConfiguration>;

builder_setters! {
    IosEasEmailProfileConfiguration {
        /// The Exchange host (required).
        host_name(impl Into<String>) => host_name;
        /// The account name.
        account_name(impl Into<String>) => account_name;
        /// How the user authenticates; `certificate` needs an identity certificate.
        authentication_method(EasAuthenticationMethod) => authentication_method;
        /// The attribute the user name comes from.
        username_source(UserEmailSource) => email.username_source;
        /// The attribute the email address comes from.
        email_address_source(UserEmailSource) => email_address_source;
        /// The Exchange data synced.
        eas_services(EasServices) => eas_services;
        /// How much email is synced.
        duration_of_email_to_sync(EmailSyncDuration) => duration_of_email_to_sync;
        /// Use SSL.
        require_ssl(bool) => require_ssl;
        /// Authenticate with OAuth.
        use_o_auth(bool) => use_o_auth;
        /// Use S/MIME.
        require_smime(bool) => require_smime;
        /// Sign messages.
        smime_signing_enabled(bool) => smime_signing_enabled;
        /// Where the signing certificate comes from.
        signing_certificate_type(EmailCertificateType) => signing_certificate_type;
        /// Where the encryption certificate comes from.
        encryption_certificate_type(EmailCertificateType) => encryption_certificate_type;
    }
}

impl IosEasEmailProfileConfigurationBuilder {
    /// The certificate profile whose certificate authenticates the user: a created
    /// `iosCertificateProfileBase` (SCEP or PKCS), bound as `identityCertificate`.
    /// Required when the authentication method is `certificate`.
    pub fn identity_certificate(self, profile: &impl ConfigurationObject) -> Self {
        self.reference(IDENTITY_CERTIFICATE, profile)
    }

    /// The S/MIME signing certificate: a created `iosCertificateProfile` (SCEP, PKCS or
    /// imported PFX). Required when the signing certificate type is `certificate`.
    pub fn smime_signing_certificate(self, profile: &impl ConfigurationObject) -> Self {
        self.reference(SMIME_SIGNING, profile)
    }

    /// The S/MIME encryption certificate: a created `iosCertificateProfile`. Required when
    /// the encryption certificate type is `certificate`.
    pub fn smime_encryption_certificate(self, profile: &impl ConfigurationObject) -> Self {
        self.reference(SMIME_ENCRYPTION, profile)
    }
}
