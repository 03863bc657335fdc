//! The iOS Wi-Fi family: the `iosWiFiConfiguration` fields and the enterprise profile
//! (`iosEnterpriseWiFiConfiguration`) that authenticates with a certificate profile's
//! certificate and validates the server against trusted roots.
//!
//! Properties, their types and enum members are the beta schema's (Microsoft's generated
//! beta models, msgraph-beta-sdk 1.66.0), in the order the service writes them.

use super::{
    ConfigurationBuilder, ConfigurationObject, DeviceConfiguration, DeviceConfigurationBase,
    DeviceManagementDerivedCredentialSettings,
    reference::{bound_count, is_bound},
    validation::{Problems, at_most, count, require, require_text},
};

graph_enum! {
    /// The security of a Wi-Fi network (`wiFiSecurityType`).
    pub enum WiFiSecurityType {
        Open = "open",
        WpaPersonal = "wpaPersonal",
        WpaEnterprise = "wpaEnterprise",
        Wep = "wep",
        Wpa2Personal = "wpa2Personal",
        Wpa2Enterprise = "wpa2Enterprise",
        /// Graph's evolvable-enum sentinel.
        UnknownFutureValue = "unknownFutureValue",
        Wpa3Personal = "wpa3Personal",
    }
}

graph_enum! {
    /// How a Wi-Fi profile's proxy is set (`wiFiProxySetting`).
    pub enum WiFiProxySetting {
        None = "none",
        Manual = "manual",
        Automatic = "automatic",
        /// Graph's evolvable-enum sentinel.
        UnknownFutureValue = "unknownFutureValue",
    }
}

graph_enum! {
    /// The EAP type of an enterprise Wi-Fi network (`eapType`).
    pub enum EapType {
        EapTls = "eapTls",
        Leap = "leap",
        EapSim = "eapSim",
        EapTtls = "eapTtls",
        Peap = "peap",
        EapFast = "eapFast",
        Teap = "teap",
    }
}

graph_enum! {
    /// The EAP-FAST protected access credential option (`eapFastConfiguration`).
    pub enum EapFastConfiguration {
        NoProtectedAccessCredential = "noProtectedAccessCredential",
        UseProtectedAccessCredential = "useProtectedAccessCredential",
        UseProtectedAccessCredentialAndProvision = "useProtectedAccessCredentialAndProvision",
        UseProtectedAccessCredentialAndProvisionAnonymously = "useProtectedAccessCredentialAndProvisionAnonymously",
    }
}

graph_enum! {
    /// How the user authenticates with PEAP or EAP-TTLS (`wiFiAuthenticationMethod`).
    pub enum WiFiAuthenticationMethod {
        Certificate = "certificate",
        UsernameAndPassword = "usernameAndPassword",
        DerivedCredential = "derivedCredential",
    }
}

graph_enum! {
    /// The non-EAP inner method of EAP-TTLS with a username and password
    /// (`nonEapAuthenticationMethodForEapTtlsType`).
    pub enum NonEapAuthenticationMethodForEapTtlsType {
        UnencryptedPassword = "unencryptedPassword",
        ChallengeHandshakeAuthenticationProtocol = "challengeHandshakeAuthenticationProtocol",
        MicrosoftChap = "microsoftChap",
        MicrosoftChapVersionTwo = "microsoftChapVersionTwo",
    }
}

graph_fields! {
    /// The `iosWiFiConfiguration` fields: the network and its proxy.
    pub struct IosWiFiConfigurationBase {
        /// The name of the network shown to the user.
        network_name: String = "networkName",
        /// The name the network broadcasts (its SSID).
        ssid: String = "ssid",
        /// Join the network without asking the user when it is in range.
        connect_automatically: bool = "connectAutomatically",
        /// Join the network when it does not broadcast its SSID.
        connect_when_network_name_is_hidden: bool = "connectWhenNetworkNameIsHidden",
        /// The security of the network.
        wi_fi_security_type: WiFiSecurityType = "wiFiSecurityType",
        /// How the proxy is set.
        proxy_settings: WiFiProxySetting = "proxySettings",
        /// The proxy's address when it is set manually.
        proxy_manual_address: String = "proxyManualAddress",
        /// The proxy's port when it is set manually.
        proxy_manual_port: i32 = "proxyManualPort",
        /// The proxy auto-configuration (PAC) URL when the proxy is set automatically.
        proxy_automatic_configuration_url: String = "proxyAutomaticConfigurationUrl",
        /// Present the device's real MAC address instead of a random one (iOS 14 and later).
        disable_mac_address_randomization: bool = "disableMacAddressRandomization",
        /// The pre-shared key of a WPA Personal network: a secret the service does not
        /// return (see `schema::secret_properties`).
        pre_shared_key: String = "preSharedKey",
    }
}

impl IosWiFiConfigurationBase {
    /// The network and proxy rules.
    fn check(&self, problems: &mut Problems) {
        // ssid: "the name of the Wi-Fi network that is broadcast to all devices"; without
        // it the device has nothing to join.
        require_text(problems, "ssid", &self.ssid);
        if self.network_name.as_deref().is_some_and(|name| name.trim().is_empty()) {
            problems.push("networkName", "must not be empty");
        }
        // proxyManualAddress: "IP Address or DNS hostname of the proxy server when manual
        // configuration is selected"; proxyAutomaticConfigurationUrl: "URL of the proxy
        // server automatic configuration script when automatic configuration is selected".
        match self.proxy_settings {
            Some(WiFiProxySetting::Manual) => {
                require_text(problems, "proxyManualAddress", &self.proxy_manual_address);
            }
            Some(WiFiProxySetting::Automatic) => {
                require_text(
                    problems,
                    "proxyAutomaticConfigurationUrl",
                    &self.proxy_automatic_configuration_url,
                );
            }
            _ => {}
        }
    }
}

/// Most trusted roots an enterprise Wi-Fi profile may name (`rootCertificatesForServerValidation`:
/// "This collection can contain a maximum of 500 elements").
pub const MAX_SERVER_VALIDATION_ROOTS: usize = 500;

graph_object! {
    /// An iOS enterprise Wi-Fi profile (`#microsoft.graph.iosEnterpriseWiFiConfiguration`):
    /// WPA/WPA2-Enterprise with EAP, authenticating with the certificate of a SCEP or PKCS
    /// profile and validating the server against trusted root profiles.
    ///
    /// Build one with [`IosEnterpriseWiFiConfiguration::builder`]; its references are bound
    /// to created profiles there.
    pub struct IosEnterpriseWiFiConfiguration ("#microsoft.graph.iosEnterpriseWiFiConfiguration") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `iosWiFiConfiguration` fields.
            wifi: IosWiFiConfigurationBase,
        }
        fields {
            /// The EAP type of the network.
            eap_type: EapType = "eapType",
            /// The protected access credential option, with EAP-FAST.
            eap_fast_configuration: EapFastConfiguration = "eapFastConfiguration",
            /// Common names of the certificates the server may present, with
            /// EAP-TLS/TTLS/FAST or PEAP.
            trusted_server_certificate_names: Vec<String> = "trustedServerCertificateNames",
            /// How the user authenticates, with PEAP or EAP-TTLS.
            authentication_method: WiFiAuthenticationMethod = "authenticationMethod",
            /// The inner method, with EAP-TTLS and a username and password.
            inner_authentication_protocol_for_eap_ttls: NonEapAuthenticationMethodForEapTtlsType = "innerAuthenticationProtocolForEapTtls",
            /// The outer identity that hides the user name, with EAP-TTLS, EAP-FAST or PEAP.
            outer_identity_privacy_temporary_value: String = "outerIdentityPrivacyTemporaryValue",
            /// The format of the user name (e.g. `{{UserPrincipalName}}`).
            username_format_string: String = "usernameFormatString",
            /// The format of the password (a template, not a secret).
            password_format_string: String = "passwordFormatString",
            /// Reference: the trusted roots the server's certificate must chain to (only
            /// with `$expand`; bound with [`IosEnterpriseWiFiConfigurationBuilder::server_root`]).
            [navigation] root_certificates_for_server_validation: Vec<DeviceConfiguration> = "rootCertificatesForServerValidation",
            /// Reference: the certificate profile whose certificate authenticates the device
            /// (only with `$expand`; bound with
            /// [`IosEnterpriseWiFiConfigurationBuilder::identity_certificate`]).
            [navigation] identity_certificate_for_client_authentication: Box<DeviceConfiguration> = "identityCertificateForClientAuthentication",
            /// Navigation: the tenant's derived credential settings (never written).
            [navigation] derived_credential_settings: Box<DeviceManagementDerivedCredentialSettings> = "derivedCredentialSettings",
        }
    }
}

/// The reference of the identity certificate.
const IDENTITY: &str = "identityCertificateForClientAuthentication";
/// The reference of the server's trusted roots.
const SERVER_ROOTS: &str = "rootCertificatesForServerValidation";

impl IosEnterpriseWiFiConfiguration {
    /// Starts a profile; [`build`](ConfigurationBuilder::build) refuses it until the SSID,
    /// the EAP type and what the EAP type needs are set.
    pub fn builder() -> IosEnterpriseWiFiConfigurationBuilder {
        ConfigurationBuilder::new()
    }

    /// The write rules of this type (besides those of the common fields).
    pub(crate) fn check(&self, problems: &mut Problems) {
        self.wifi.check(problems);
        // eapType: "Indicates the type of EAP protocol set on the Wi-Fi endpoint": an
        // enterprise network has one.
        require(problems, "eapType", &self.eap_type);
        // identityCertificateForClientAuthentication: "Identity Certificate for client
        // authentication when EAP Type is configured to EAP-TLS, EAP-TTLS (with Certificate
        // Authentication), or PEAP (with Certificate Authentication)."
        if let Some(needed_because) = self.identity_certificate_needed() {
            if self.identity_certificate_for_client_authentication.is_none()
                && !is_bound(&self.additional_data, IDENTITY)
            {
                problems.push(IDENTITY, format!("is required when {needed_because}"));
            }
        }
        let roots = count(&self.root_certificates_for_server_validation)
            + bound_count(&self.additional_data, SERVER_ROOTS);
        at_most(problems, SERVER_ROOTS, roots, MAX_SERVER_VALIDATION_ROOTS);
    }

    /// Why the profile needs an identity certificate, if it does.
    fn identity_certificate_needed(&self) -> Option<String> {
        let eap = self.eap_type.as_ref()?;
        let certificate = self.authentication_method == Some(WiFiAuthenticationMethod::Certificate);
        match eap {
            EapType::EapTls => Some(format!("eapType is {eap}")),
            EapType::EapTtls | EapType::Peap if certificate => {
                Some(format!("eapType is {eap} with authenticationMethod certificate"))
            }
            _ => None,
        }
    }
}

/// Builds an [`IosEnterpriseWiFiConfiguration`] for a create call.
///
/// ```
/// use intune_graph::models::{
///     EapType, IosEnterpriseWiFiConfiguration, IosScepCertificateProfile, IosTrustedRootCertificate,
/// };
///
/// # let mut root = IosTrustedRootCertificate::new("Contoso Root CA", "root.cer", "AAAA");
/// # root.base.id = Some("r1".into());
/// # let mut scep = IosScepCertificateProfile::default();
/// # scep.base.id = Some("s1".into());
/// // `root` and `scep` as `create` returned them (with their ids).
/// let wifi = IosEnterpriseWiFiConfiguration::builder()
///     .display_name("Corp Wi-Fi")
///     .ssid("corp")
///     .eap_type(EapType::EapTls)
///     .identity_certificate(&scep)
///     .server_root(&root)
///     .build()
///     .unwrap();
/// assert_eq!(
///     wifi.additional_data.value("identityCertificateForClientAuthentication@odata.bind"),
///     Some(serde_json::json!("deviceManagement/deviceConfigurations('s1')"))
/// );
/// ```
pub type IosEnterpriseWiFiConfigurationBuilder = ConfigurationBuilder<IosEnterpriseWiFiConfiguration>;

builder_setters! {
    IosEnterpriseWiFiConfiguration {
        /// The name of the network shown to the user.
        network_name(impl Into<String>) => wifi.network_name;
        /// The SSID (required).
        ssid(impl Into<String>) => wifi.ssid;
        /// Join without asking when the network is in range.
        connect_automatically(bool) => wifi.connect_automatically;
        /// Join the network when it hides its SSID.
        connect_when_network_name_is_hidden(bool) => wifi.connect_when_network_name_is_hidden;
        /// The security of the network (`wpaEnterprise` or `wpa2Enterprise` here).
        wifi_security_type(WiFiSecurityType) => wifi.wi_fi_security_type;
        /// Present the device's real MAC address.
        disable_mac_address_randomization(bool) => wifi.disable_mac_address_randomization;
        /// The EAP type (required).
        eap_type(EapType) => eap_type;
        /// The protected access credential option, with EAP-FAST.
        eap_fast_configuration(EapFastConfiguration) => eap_fast_configuration;
        /// How the user authenticates, with PEAP or EAP-TTLS.
        authentication_method(WiFiAuthenticationMethod) => authentication_method;
        /// The inner method, with EAP-TTLS and a username and password.
        inner_authentication_protocol_for_eap_ttls(NonEapAuthenticationMethodForEapTtlsType) => inner_authentication_protocol_for_eap_ttls;
        /// The outer identity that hides the user name.
        outer_identity_privacy_temporary_value(impl Into<String>) => outer_identity_privacy_temporary_value;
        /// The format of the user name.
        username_format_string(impl Into<String>) => username_format_string;
        /// The format of the password (a template).
        password_format_string(impl Into<String>) => password_format_string;
    }
}

impl IosEnterpriseWiFiConfigurationBuilder {
    /// A manually set proxy: its address and port.
    pub fn manual_proxy(self, address: impl Into<String>, port: i32) -> Self {
        self.with(|wifi| {
            wifi.wifi.proxy_settings = Some(WiFiProxySetting::Manual);
            wifi.wifi.proxy_manual_address = Some(address.into());
            wifi.wifi.proxy_manual_port = Some(port);
        })
    }

    /// A proxy set by a PAC file at `url`.
    pub fn automatic_proxy(self, url: impl Into<String>) -> Self {
        self.with(|wifi| {
            wifi.wifi.proxy_settings = Some(WiFiProxySetting::Automatic);
            wifi.wifi.proxy_automatic_configuration_url = Some(url.into());
        })
    }

    /// Adds a common name the server's certificate may have.
    pub fn trusted_server_certificate_name(self, name: impl Into<String>) -> Self {
        self.with(|wifi| wifi.trusted_server_certificate_names.get_or_insert_with(Vec::new).push(name.into()))
    }

    /// The certificate profile whose certificate authenticates the device: a created
    /// `iosCertificateProfileBase` (SCEP or PKCS), bound as
    /// `identityCertificateForClientAuthentication`. Required with EAP-TLS, and with
    /// EAP-TTLS or PEAP when the authentication method is `certificate`.
    pub fn identity_certificate(self, profile: &impl ConfigurationObject) -> Self {
        self.reference(IDENTITY, profile)
    }

    /// Adds a created iOS trusted root certificate to the roots the server's certificate
    /// must chain to (`rootCertificatesForServerValidation`, at most 500).
    pub fn server_root(self, root: &impl ConfigurationObject) -> Self {
        self.reference(SERVER_ROOTS, root)
    }
}
