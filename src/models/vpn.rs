//! The Apple VPN family: the `appleVpnConfiguration` fields (shared by the iOS and macOS
//! VPN profiles), their complex types, and the iOS VPN profile (`iosVpnConfiguration`),
//! which authenticates with a certificate profile's certificate.
//!
//! Properties, their types and enum members are the beta schema's (Microsoft's generated
//! beta models, msgraph-beta-sdk 1.66.0), in the order the service writes them.

use super::{
    ConfigurationBuilder, ConfigurationObject, DeviceConfiguration, DeviceConfigurationBase,
    DeviceManagementDerivedCredentialSettings,
    reference::is_bound,
    validation::{Problems, at_most, count, in_range, require, require_text},
};

graph_enum! {
    /// The VPN client or protocol (`appleVpnConnectionType`).
    pub enum AppleVpnConnectionType {
        CiscoAnyConnect = "ciscoAnyConnect",
        PulseSecure = "pulseSecure",
        F5EdgeClient = "f5EdgeClient",
        DellSonicWallMobileConnect = "dellSonicWallMobileConnect",
        CheckPointCapsuleVpn = "checkPointCapsuleVpn",
        CustomVpn = "customVpn",
        CiscoIpSec = "ciscoIPSec",
        Citrix = "citrix",
        CiscoAnyConnectV2 = "ciscoAnyConnectV2",
        PaloAltoGlobalProtect = "paloAltoGlobalProtect",
        ZscalerPrivateAccess = "zscalerPrivateAccess",
        F5Access2018 = "f5Access2018",
        CitrixSso = "citrixSso",
        PaloAltoGlobalProtectV2 = "paloAltoGlobalProtectV2",
        IkEv2 = "ikEv2",
        AlwaysOn = "alwaysOn",
        MicrosoftTunnel = "microsoftTunnel",
        NetMotionMobility = "netMotionMobility",
        MicrosoftProtect = "microsoftProtect",
    }
}

graph_enum! {
    /// How the user authenticates to the VPN (`vpnAuthenticationMethod`).
    pub enum VpnAuthenticationMethod {
        Certificate = "certificate",
        UsernameAndPassword = "usernameAndPassword",
        /// Only valid for iOS IKEv2.
        SharedSecret = "sharedSecret",
        DerivedCredential = "derivedCredential",
        AzureAd = "azureAD",
    }
}

graph_enum! {
    /// The layer a per-app VPN tunnels at (`vpnProviderType`).
    pub enum VpnProviderType {
        NotConfigured = "notConfigured",
        AppProxy = "appProxy",
        PacketTunnel = "packetTunnel",
    }
}

graph_enum! {
    /// What an on-demand rule does (`vpnOnDemandRuleConnectionAction`).
    pub enum VpnOnDemandRuleConnectionAction {
        Connect = "connect",
        EvaluateConnection = "evaluateConnection",
        Ignore = "ignore",
        Disconnect = "disconnect",
    }
}

graph_enum! {
    /// What an evaluating on-demand rule does for its domains
    /// (`vpnOnDemandRuleConnectionDomainAction`).
    pub enum VpnOnDemandRuleConnectionDomainAction {
        ConnectIfNeeded = "connectIfNeeded",
        NeverConnect = "neverConnect",
    }
}

graph_enum! {
    /// The network interface an on-demand rule matches (`vpnOnDemandRuleInterfaceTypeMatch`).
    pub enum VpnOnDemandRuleInterfaceTypeMatch {
        NotConfigured = "notConfigured",
        Ethernet = "ethernet",
        WiFi = "wiFi",
        Cellular = "cellular",
    }
}

graph_object! {
    /// A VPN server (`vpnServer`).
    pub struct VpnServer {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.vpnServer`); the constructor leaves it unset.
            odata_type: String = "@odata.type",
            /// Description.
            description: String = "description",
            /// Address: an IP address, a host name or a URL.
            address: String = "address",
            /// Whether this is the default server.
            is_default_server: bool = "isDefaultServer",
        }
    }
}

impl VpnServer {
    /// A server at `address`.
    pub fn new(address: impl Into<String>) -> Self {
        VpnServer { address: Some(address.into()), ..Default::default() }
    }
}

graph_object! {
    /// A key and a value of a custom VPN's data (`keyValue`).
    pub struct KeyValue {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.keyValue`).
            odata_type: String = "@odata.type",
            /// The key.
            key: String = "key",
            /// The value.
            value: String = "value",
        }
    }
}

graph_object! {
    /// A name and a value of a custom VPN's data (`keyValuePair`).
    pub struct KeyValuePair {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.keyValuePair`).
            odata_type: String = "@odata.type",
            /// The name.
            name: String = "name",
            /// The value.
            value: String = "value",
        }
    }
}

graph_object! {
    /// A VPN on-demand rule (`vpnOnDemandRule`).
    pub struct VpnOnDemandRule {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.vpnOnDemandRule`).
            odata_type: String = "@odata.type",
            /// The SSIDs the rule matches.
            ssids: Vec<String> = "ssids",
            /// The DNS search domains the rule matches.
            dns_search_domains: Vec<String> = "dnsSearchDomains",
            /// A URL that matches when it answers 200 without a redirect.
            probe_url: String = "probeUrl",
            /// What the rule does.
            action: VpnOnDemandRuleConnectionAction = "action",
            /// What an evaluating rule does for its domains.
            domain_action: VpnOnDemandRuleConnectionDomainAction = "domainAction",
            /// The domains an evaluating rule applies to.
            domains: Vec<String> = "domains",
            /// The URL probed when the domain action is connect-if-needed.
            probe_required_url: String = "probeRequiredUrl",
            /// The interface the rule matches.
            interface_type_match: VpnOnDemandRuleInterfaceTypeMatch = "interfaceTypeMatch",
            /// The DNS server addresses the rule matches.
            dns_server_address_match: Vec<String> = "dnsServerAddressMatch",
        }
    }
}

graph_object! {
    /// A VPN's proxy (`vpnProxyServer`).
    pub struct VpnProxyServer {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.vpnProxyServer`).
            odata_type: String = "@odata.type",
            /// The proxy auto-configuration script URL.
            automatic_configuration_script_url: String = "automaticConfigurationScriptUrl",
            /// The proxy's address.
            address: String = "address",
            /// The proxy's port, 0 to 65535.
            port: i32 = "port",
        }
    }
}

graph_object! {
    /// An app a per-app VPN applies to (`appListItem`).
    pub struct AppListItem {
        groups {}
        fields {
            /// `@odata.type` as read (`microsoft.graph.appListItem`).
            odata_type: String = "@odata.type",
            /// The app's name.
            name: String = "name",
            /// Its publisher.
            publisher: String = "publisher",
            /// Its store URL.
            app_store_url: String = "appStoreUrl",
            /// Its bundle identifier.
            app_id: String = "appId",
        }
    }
}

graph_fields! {
    /// The `appleVpnConfiguration` fields, shared by the iOS and macOS VPN profiles.
    pub struct AppleVpnConfigurationBase {
        /// The connection name shown to the user.
        connection_name: String = "connectionName",
        /// The VPN client or protocol.
        connection_type: AppleVpnConnectionType = "connectionType",
        /// Login group or domain (Dell SonicWALL Mobile Connect).
        login_group_or_domain: String = "loginGroupOrDomain",
        /// Role (Pulse Secure).
        role: String = "role",
        /// Realm (Pulse Secure).
        realm: String = "realm",
        /// The VPN server.
        server: Box<VpnServer> = "server",
        /// The identifier of a custom VPN's provider, e.g. `com.cisco.anyconnect.applevpn.plugin`.
        identifier: String = "identifier",
        /// A custom VPN's data (at most 25).
        custom_data: Vec<KeyValue> = "customData",
        /// A custom VPN's data as name-value pairs (at most 25).
        custom_key_value_data: Vec<KeyValuePair> = "customKeyValueData",
        /// Split tunneling (the schema describes it as "Send all network traffic through VPN").
        enable_split_tunneling: bool = "enableSplitTunneling",
        /// How the user authenticates.
        authentication_method: VpnAuthenticationMethod = "authenticationMethod",
        /// Make it a per-app VPN.
        enable_per_app: bool = "enablePerApp",
        /// Safari domains that trigger a per-app VPN.
        safari_domains: Vec<String> = "safariDomains",
        /// On-demand rules (at most 500).
        on_demand_rules: Vec<VpnOnDemandRule> = "onDemandRules",
        /// The layer a per-app VPN tunnels at.
        provider_type: VpnProviderType = "providerType",
        /// Associated domains.
        associated_domains: Vec<String> = "associatedDomains",
        /// Domains reached outside the VPN even with per-app VPN.
        excluded_domains: Vec<String> = "excludedDomains",
        /// Keep the user from turning automatic VPN off in Settings.
        disable_on_demand_user_override: bool = "disableOnDemandUserOverride",
        /// Disconnect an idle on-demand connection.
        disconnect_on_idle: bool = "disconnectOnIdle",
        /// Seconds before an idle on-demand connection disconnects, 0 to 65535.
        disconnect_on_idle_timer_in_seconds: i32 = "disconnectOnIdleTimerInSeconds",
        /// The proxy.
        proxy_server: Box<VpnProxyServer> = "proxyServer",
        /// Share the device id with third-party VPN clients for network access control.
        opt_in_to_device_id_sharing: bool = "optInToDeviceIdSharing",
        /// Route most traffic through the tunnel (not with per-app VPN).
        include_all_networks: bool = "includeAllNetworks",
        /// Keep local network traffic out of the tunnel (with `includeAllNetworks`).
        exclude_local_networks: bool = "excludeLocalNetworks",
    }
}

/// Most entries of `customData` and of `customKeyValueData` ("This collection can contain
/// a maximum of 25 elements").
pub const MAX_VPN_CUSTOM_DATA_LEN: usize = 25;

/// Most on-demand rules, and most targeted apps of an iOS VPN ("This collection can
/// contain a maximum of 500 elements").
pub const MAX_VPN_RULES_LEN: usize = 500;

impl AppleVpnConfigurationBase {
    /// The connection rules every Apple VPN profile follows.
    pub(crate) fn check(&self, problems: &mut Problems) {
        // connectionName: "Connection name displayed to the user"; connectionType: the
        // client that makes the connection; server: "VPN Server on the network. Make sure
        // end users can access this network location."
        require_text(problems, "connectionName", &self.connection_name);
        require(problems, "connectionType", &self.connection_type);
        let address = self.server.as_ref().and_then(|server| server.address.clone());
        require_text(problems, "server.address", &address);
        // identifier: "Identifier provided by VPN vendor when connection type is set to
        // Custom VPN".
        if self.connection_type == Some(AppleVpnConnectionType::CustomVpn) {
            require_text(problems, "identifier", &self.identifier);
        }
        at_most(problems, "customData", count(&self.custom_data), MAX_VPN_CUSTOM_DATA_LEN);
        at_most(problems, "customKeyValueData", count(&self.custom_key_value_data), MAX_VPN_CUSTOM_DATA_LEN);
        at_most(problems, "onDemandRules", count(&self.on_demand_rules), MAX_VPN_RULES_LEN);
        // "Valid values 0 to 65535", for both.
        in_range(
            problems,
            "disconnectOnIdleTimerInSeconds",
            self.disconnect_on_idle_timer_in_seconds,
            0..=65535,
        );
        in_range(problems, "proxyServer.port", self.proxy_server.as_ref().and_then(|p| p.port), 0..=65535);
    }
}

graph_object! {
    /// An iOS VPN profile (`#microsoft.graph.iosVpnConfiguration`), authenticating with the
    /// certificate of a SCEP or PKCS profile when its authentication method is `certificate`.
    ///
    /// Build one with [`IosVpnConfiguration::builder`].
    pub struct IosVpnConfiguration ("#microsoft.graph.iosVpnConfiguration") {
        groups {
            /// The common `deviceConfiguration` fields.
            base: DeviceConfigurationBase,
            /// The `appleVpnConfiguration` fields.
            vpn: AppleVpnConfigurationBase,
        }
        fields {
            /// Zscaler only: a domain that pre-fills the sign-in field.
            user_domain: String = "userDomain",
            /// Zscaler only: block traffic until the user signs in.
            strict_enforcement: bool = "strictEnforcement",
            /// Zscaler only: the cloud the user is assigned to.
            cloud_name: String = "cloudName",
            /// Zscaler only: addresses not sent through the Zscaler cloud.
            exclude_list: Vec<String> = "excludeList",
            /// The apps the VPN applies to (at most 500).
            targeted_mobile_apps: Vec<AppListItem> = "targetedMobileApps",
            /// The Microsoft Tunnel site id.
            microsoft_tunnel_site_id: String = "microsoftTunnelSiteId",
            /// Reference: the certificate profile whose certificate authenticates the device
            /// (only with `$expand`; bound with [`IosVpnConfigurationBuilder::identity_certificate`]).
            [navigation] identity_certificate: Box<DeviceConfiguration> = "identityCertificate",
            /// Navigation: the tenant's derived credential settings (never written).
            [navigation] derived_credential_settings: Box<DeviceManagementDerivedCredentialSettings> = "derivedCredentialSettings",
        }
    }
}

/// The reference of the identity certificate (of the VPN and of the email profile).
pub(super) const IDENTITY_CERTIFICATE: &str = "identityCertificate";

impl IosVpnConfiguration {
    /// Starts a profile; [`build`](ConfigurationBuilder::build) refuses it until the
    /// connection name and type, the server address and what the authentication method
    /// needs are set.
    pub fn builder() -> IosVpnConfigurationBuilder {
        ConfigurationBuilder::new()
    }

    /// The write rules of this type (besides those of the common fields).
    pub(crate) fn check(&self, problems: &mut Problems) {
        self.vpn.check(problems);
        // identityCertificate: "Identity certificate for client authentication when
        // authentication method is certificate."
        if self.vpn.authentication_method == Some(VpnAuthenticationMethod::Certificate)
            && self.identity_certificate.is_none()
            && !is_bound(&self.additional_data, IDENTITY_CERTIFICATE)
        {
            problems.push(IDENTITY_CERTIFICATE, "is required when authenticationMethod is certificate");
        }
        at_most(problems, "targetedMobileApps", count(&self.targeted_mobile_apps), MAX_VPN_RULES_LEN);
    }
}

/// Builds an [`IosVpnConfiguration`] for a create call.
pub type IosVpnConfigurationBuilder = ConfigurationBuilder<IosVpnConfiguration>;

builder_setters! {
    IosVpnConfiguration {
        /// The connection name shown to the user (required).
        connection_name(impl Into<String>) => vpn.connection_name;
        /// The VPN client or protocol (required).
        connection_type(AppleVpnConnectionType) => vpn.connection_type;
        /// How the user authenticates; `certificate` needs an identity certificate.
        authentication_method(VpnAuthenticationMethod) => vpn.authentication_method;
        /// The custom VPN provider's identifier (required with `customVpn`).
        identifier(impl Into<String>) => vpn.identifier;
        /// Login group or domain (Dell SonicWALL Mobile Connect).
        login_group_or_domain(impl Into<String>) => vpn.login_group_or_domain;
        /// Role (Pulse Secure).
        role(impl Into<String>) => vpn.role;
        /// Realm (Pulse Secure).
        realm(impl Into<String>) => vpn.realm;
        /// Split tunneling.
        enable_split_tunneling(bool) => vpn.enable_split_tunneling;
        /// Make it a per-app VPN.
        enable_per_app(bool) => vpn.enable_per_app;
        /// The layer a per-app VPN tunnels at.
        provider_type(VpnProviderType) => vpn.provider_type;
        /// The Microsoft Tunnel site id.
        microsoft_tunnel_site_id(impl Into<String>) => microsoft_tunnel_site_id;
    }
}

impl IosVpnConfigurationBuilder {
    /// The server (required): e.g. `VpnServer::new("vpn.contoso.com")`.
    pub fn server(self, server: VpnServer) -> Self {
        self.with(|vpn| vpn.vpn.server = Some(Box::new(server)))
    }

    /// Adds an on-demand rule (at most 500).
    pub fn on_demand_rule(self, rule: VpnOnDemandRule) -> Self {
        self.with(|vpn| vpn.vpn.on_demand_rules.get_or_insert_with(Vec::new).push(rule))
    }

    /// Adds a key and a value to a custom VPN's data (at most 25).
    pub fn custom_data(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let entry = KeyValue { key: Some(key.into()), value: Some(value.into()), ..Default::default() };
        self.with(|vpn| vpn.vpn.custom_data.get_or_insert_with(Vec::new).push(entry))
    }

    /// Adds an app the per-app VPN applies to (at most 500).
    pub fn targeted_mobile_app(self, app: AppListItem) -> Self {
        self.with(|vpn| vpn.targeted_mobile_apps.get_or_insert_with(Vec::new).push(app))
    }

    /// The certificate profile whose certificate authenticates the device: a created
    /// `iosCertificateProfileBase` (SCEP or PKCS), bound as `identityCertificate`. Required
    /// when the authentication method is `certificate`.
    pub fn identity_certificate(self, profile: &impl ConfigurationObject) -> Self {
        self.reference(IDENTITY_CERTIFICATE, profile)
    }
}
