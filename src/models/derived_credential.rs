//! The tenant's derived credential settings (`deviceManagementDerivedCredentialSettings`):
//! what the Wi-Fi, VPN and email profiles navigate to (`derivedCredentialSettings`) when
//! they authenticate with a derived credential. Read with `$expand`, never written.

graph_enum! {
    /// The derived credential issuer (`deviceManagementDerivedCredentialIssuer`).
    pub enum DerivedCredentialIssuer {
        Intercede = "intercede",
        EntrustDatacard = "entrustDatacard",
        Purebred = "purebred",
        XTec = "xTec",
    }
}

graph_flags! {
    /// How users are told to get a derived credential
    /// (`deviceManagementDerivedCredentialNotificationType`, a flag set).
    pub struct DerivedCredentialNotificationType {
        none: Some("none"),
        COMPANY_PORTAL = 0 => "companyPortal",
        EMAIL = 1 => "email",
    }
}

graph_object! {
    /// The tenant's settings for derived credentials (`deviceManagementDerivedCredentialSettings`).
    pub struct DeviceManagementDerivedCredentialSettings {
        groups {}
        fields {
            /// `@odata.type` as read.
            odata_type: String = "@odata.type",
            /// Key of the settings.
            [read_only] id: String = "id",
            /// Display name of the profile.
            display_name: String = "displayName",
            /// The URL users open to retrieve a derived credential through the Company Portal.
            help_url: String = "helpUrl",
            /// The issuer.
            issuer: DerivedCredentialIssuer = "issuer",
            /// How users are notified (a flag set).
            notification_type: DerivedCredentialNotificationType = "notificationType",
            /// Nominal percentage of the lifetime after which the client renews.
            renewal_threshold_percentage: i32 = "renewalThresholdPercentage",
        }
    }
}
