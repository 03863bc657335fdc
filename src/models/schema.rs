//! What the beta schema says about device configuration types besides their properties:
//! the type each one derives from, the references between configurations, and the secrets
//! the service never returns. One table each; the tenant workflows, the API layer and the
//! emulator read them, so knowing a new reference or secret is one line here.
//!
//! Type names are accepted with or without `#microsoft.graph.` and compared ignoring ASCII
//! case (the service does); the tables hold them without the prefix.

use std::{collections::HashMap, sync::OnceLock};

use super::object::strip_hash;

/// The `@odata.type` namespace, without the leading `#`.
const NAMESPACE: &str = "microsoft.graph.";

/// A reference from one device configuration to others: a navigation property whose
/// target is another object of `deviceManagement/deviceConfigurations`, bound by id
/// (`{navigation}@odata.bind` on create, `$ref` afterwards) and never returned by a plain GET.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Reference {
    /// The type that declares it (its subtypes have it too), e.g. `iosScepCertificateProfile`.
    pub source: &'static str,
    /// The navigation property, e.g. `rootCertificate`.
    pub navigation: &'static str,
    /// The type its target must be (or derive from), e.g. `iosTrustedRootCertificate`.
    pub target: &'static str,
    /// Whether it holds a collection (`rootCertificatesForServerValidation`) or one object.
    pub many: bool,
}

impl Reference {
    const fn one(source: &'static str, navigation: &'static str, target: &'static str) -> Self {
        Reference { source, navigation, target, many: false }
    }

    const fn many(source: &'static str, navigation: &'static str, target: &'static str) -> Self {
        Reference { source, navigation, target, many: true }
    }

    /// Whether an object of type `odata_type` may be this reference's target.
    pub fn accepts(&self, odata_type: &str) -> bool {
        is_a(odata_type, self.target)
    }

    /// The property that binds it in a create or update body: `{navigation}@odata.bind`.
    pub fn bind_property(&self) -> String {
        format!("{}@odata.bind", self.navigation)
    }
}

/// `iosScepCertificateProfile` from `#microsoft.graph.iosScepCertificateProfile`,
/// `microsoft.graph.iosScepCertificateProfile` or itself.
pub fn short_type(odata_type: &str) -> &str {
    let bare = strip_hash(odata_type.trim());
    match bare.get(..NAMESPACE.len()) {
        Some(prefix) if prefix.eq_ignore_ascii_case(NAMESPACE) => &bare[NAMESPACE.len()..],
        _ => bare,
    }
}

/// Whether `a` and `b` name the same type (with or without the namespace, in any case).
pub(crate) fn same(a: &str, b: &str) -> bool {
    short_type(a).eq_ignore_ascii_case(short_type(b))
}

/// The type `odata_type` derives from (`deviceConfiguration` for the direct subtypes), or
/// `None` for `deviceConfiguration` itself and for types the schema does not have.
pub fn parent_type(odata_type: &str) -> Option<&'static str> {
    info(odata_type)?.parent
}

/// The schema's spelling of `odata_type` without the namespace (`macOSScepCertificateProfile`
/// for `#microsoft.graph.macosscepcertificateprofile`), or `None` for a type it does not have.
pub fn type_name(odata_type: &str) -> Option<&'static str> {
    Some(info(odata_type)?.name)
}

/// Whether `odata_type` is `base` or derives from it. A type the schema does not have is
/// only itself.
pub fn is_a(odata_type: &str, base: &str) -> bool {
    match info(odata_type) {
        Some(info) => info.lineage.iter().any(|ty| same(ty, base)),
        None => same(odata_type, base),
    }
}

/// The references an object of type `odata_type` has: its own and those of the types it
/// derives from, in table order. None for a type the schema does not have.
pub fn references(odata_type: &str) -> impl Iterator<Item = &'static Reference> + '_ {
    info(odata_type).map(|info| info.references.as_slice()).unwrap_or_default().iter().copied()
}

/// The reference `navigation` of an object of type `odata_type`, if it has one.
pub fn reference(odata_type: &str, navigation: &str) -> Option<&'static Reference> {
    references(odata_type).find(|r| r.navigation == navigation)
}

/// Whether `property` of an object of type `odata_type` is one of its references (a write
/// body never carries one: they are bound, not written).
pub(crate) fn is_reference(odata_type: &str, property: &str) -> bool {
    may_be_reference(property) && reference(odata_type, property).is_some()
}

/// Whether some reference of the table has a name as long as `property`: a check of a few
/// instructions that rules out most properties before the type is looked up.
pub(crate) fn may_be_reference(property: &str) -> bool {
    property.len() < 64 && REFERENCE_NAME_LENGTHS & (1 << property.len()) != 0
}

/// Bit `n` is set when some reference's name is `n` bytes long.
const REFERENCE_NAME_LENGTHS: u64 = {
    let mut lengths = 0u64;
    let mut i = 0;
    while i < REFERENCES.len() {
        let len = REFERENCES[i].navigation.len();
        assert!(len < 64, "a reference's name is shorter than 64 bytes");
        lengths |= 1 << len;
        i += 1;
    }
    lengths
};

/// What the tables say about one type, worked out once: every question about a type is
/// asked per object and per property, so walking the tables each time would cost more than
/// decoding the object.
struct TypeInfo {
    name: &'static str,
    parent: Option<&'static str>,
    /// The type and every type it derives from, nearest first.
    lineage: Vec<&'static str>,
    references: Vec<&'static Reference>,
    secrets: Vec<&'static str>,
}

/// The types by their schema spelling, and by that spelling in lower case.
struct Index {
    exact: HashMap<&'static str, TypeInfo>,
    lower: HashMap<String, &'static str>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let parent_of = |ty: &str| PARENTS.iter().find(|(t, _)| *t == ty).map(|(_, p)| *p);
        let names = PARENTS.iter().map(|(ty, _)| *ty).chain(std::iter::once(ROOT_TYPE));
        let mut exact = HashMap::new();
        for name in names {
            let mut lineage = vec![name];
            while let Some(parent) = lineage.last().copied().and_then(parent_of) {
                lineage.push(parent);
            }
            let is = |ty: &str| lineage.iter().any(|t| t.eq_ignore_ascii_case(ty));
            let references = REFERENCES.iter().filter(|r| is(r.source)).collect();
            let secrets = SECRETS.iter().filter(|(ty, _)| is(ty)).map(|(_, p)| *p).collect();
            exact.insert(name, TypeInfo { name, parent: parent_of(name), lineage, references, secrets });
        }
        let lower = exact.keys().map(|name| (name.to_ascii_lowercase(), *name)).collect();
        Index { exact, lower }
    })
}

/// The root of the family.
const ROOT_TYPE: &str = "deviceConfiguration";

/// What the tables say about `odata_type`, in any spelling the service accepts.
fn info(odata_type: &str) -> Option<&'static TypeInfo> {
    let index = index();
    let short = short_type(odata_type);
    index.exact.get(short).or_else(|| index.exact.get(index.lower.get(&short.to_ascii_lowercase())?))
}

/// The secrets of an object of type `odata_type`: properties the service never returns
/// as they were set (it answers `null`, or a placeholder). They are never exported, never
/// compared and never sent blank.
pub fn secret_properties(odata_type: &str) -> impl Iterator<Item = &'static str> + '_ {
    info(odata_type).map(|info| info.secrets.as_slice()).unwrap_or_default().iter().copied()
}

/// Whether `property` of an object of type `odata_type` is a secret (see
/// [`secret_properties`]).
pub fn is_secret_property(odata_type: &str, property: &str) -> bool {
    secret_properties(odata_type).any(|p| p == property)
}

/// The secrets, reviewed one by one against the schema's descriptions (Microsoft's
/// generated beta models, msgraph-beta-sdk 1.66.0): every `deviceConfiguration` string or
/// binary property whose name or description speaks of a key, secret, password or
/// encrypted value was read, and only these hold one. Not secrets, and so kept:
/// `passwordFormatString` (a template such as `{{password}}`), the `password*` policy
/// settings of general configurations, certificate file names, custom payloads.
const SECRETS: &[(&str, &str)] = &[
    // "This is the pre-shared key for WPA Personal Wi-Fi network": withheld on read.
    ("androidDeviceOwnerWiFiConfiguration", "preSharedKey"),
    ("androidEnterpriseWiFiConfiguration", "preSharedKey"),
    ("androidWorkProfileWiFiConfiguration", "preSharedKey"),
    ("aospDeviceOwnerWiFiConfiguration", "preSharedKey"),
    ("iosWiFiConfiguration", "preSharedKey"),
    ("macOSWiFiConfiguration", "preSharedKey"),
    ("windowsWifiConfiguration", "preSharedKey"),
    // "Used when Shared Secret Authentication is selected".
    ("iosikEv2VpnConfiguration", "sharedSecret"),
    // "When it is read, it only provides a placeholder string since the original data is
    // encrypted".
    ("androidOmaCpConfiguration", "configurationXml"),
    // A workspace key and a licence key: credentials, never copied into files.
    ("windows10TeamGeneralConfiguration", "azureOperationalInsightsWorkspaceKey"),
    ("editionUpgradeConfiguration", "productKey"),
];

/// Every `deviceConfiguration` subtype of the beta schema and the type it derives from.
const PARENTS: &[(&str, &str)] = &[
    ("androidCertificateProfileBase", "deviceConfiguration"),
    ("androidCustomConfiguration", "deviceConfiguration"),
    ("androidDeviceOwnerCertificateProfileBase", "deviceConfiguration"),
    ("androidDeviceOwnerDerivedCredentialAuthenticationConfiguration", "deviceConfiguration"),
    ("androidDeviceOwnerEnterpriseWiFiConfiguration", "androidDeviceOwnerWiFiConfiguration"),
    ("androidDeviceOwnerGeneralDeviceConfiguration", "deviceConfiguration"),
    ("androidDeviceOwnerImportedPFXCertificateProfile", "androidDeviceOwnerCertificateProfileBase"),
    ("androidDeviceOwnerPkcsCertificateProfile", "androidDeviceOwnerCertificateProfileBase"),
    ("androidDeviceOwnerScepCertificateProfile", "androidDeviceOwnerCertificateProfileBase"),
    ("androidDeviceOwnerTrustedRootCertificate", "deviceConfiguration"),
    ("androidDeviceOwnerVpnConfiguration", "vpnConfiguration"),
    ("androidDeviceOwnerWiFiConfiguration", "deviceConfiguration"),
    ("androidEasEmailProfileConfiguration", "deviceConfiguration"),
    ("androidEnterpriseWiFiConfiguration", "androidWiFiConfiguration"),
    ("androidForWorkCertificateProfileBase", "deviceConfiguration"),
    ("androidForWorkCustomConfiguration", "deviceConfiguration"),
    ("androidForWorkEasEmailProfileBase", "deviceConfiguration"),
    ("androidForWorkEnterpriseWiFiConfiguration", "androidForWorkWiFiConfiguration"),
    ("androidForWorkGeneralDeviceConfiguration", "deviceConfiguration"),
    ("androidForWorkGmailEasConfiguration", "androidForWorkEasEmailProfileBase"),
    ("androidForWorkImportedPFXCertificateProfile", "androidCertificateProfileBase"),
    ("androidForWorkNineWorkEasConfiguration", "androidForWorkEasEmailProfileBase"),
    ("androidForWorkPkcsCertificateProfile", "androidForWorkCertificateProfileBase"),
    ("androidForWorkScepCertificateProfile", "androidForWorkCertificateProfileBase"),
    ("androidForWorkTrustedRootCertificate", "deviceConfiguration"),
    ("androidForWorkVpnConfiguration", "deviceConfiguration"),
    ("androidForWorkWiFiConfiguration", "deviceConfiguration"),
    ("androidGeneralDeviceConfiguration", "deviceConfiguration"),
    ("androidImportedPFXCertificateProfile", "androidCertificateProfileBase"),
    ("androidOmaCpConfiguration", "deviceConfiguration"),
    ("androidPkcsCertificateProfile", "androidCertificateProfileBase"),
    ("androidScepCertificateProfile", "androidCertificateProfileBase"),
    ("androidTrustedRootCertificate", "deviceConfiguration"),
    ("androidVpnConfiguration", "deviceConfiguration"),
    ("androidWiFiConfiguration", "deviceConfiguration"),
    ("androidWorkProfileCertificateProfileBase", "deviceConfiguration"),
    ("androidWorkProfileCustomConfiguration", "deviceConfiguration"),
    ("androidWorkProfileEasEmailProfileBase", "deviceConfiguration"),
    ("androidWorkProfileEnterpriseWiFiConfiguration", "androidWorkProfileWiFiConfiguration"),
    ("androidWorkProfileGeneralDeviceConfiguration", "deviceConfiguration"),
    ("androidWorkProfileGmailEasConfiguration", "androidWorkProfileEasEmailProfileBase"),
    ("androidWorkProfileNineWorkEasConfiguration", "androidWorkProfileEasEmailProfileBase"),
    ("androidWorkProfilePkcsCertificateProfile", "androidWorkProfileCertificateProfileBase"),
    ("androidWorkProfileScepCertificateProfile", "androidWorkProfileCertificateProfileBase"),
    ("androidWorkProfileTrustedRootCertificate", "deviceConfiguration"),
    ("androidWorkProfileVpnConfiguration", "deviceConfiguration"),
    ("androidWorkProfileWiFiConfiguration", "deviceConfiguration"),
    ("aospDeviceOwnerCertificateProfileBase", "deviceConfiguration"),
    ("aospDeviceOwnerDeviceConfiguration", "deviceConfiguration"),
    ("aospDeviceOwnerEnterpriseWiFiConfiguration", "aospDeviceOwnerWiFiConfiguration"),
    ("aospDeviceOwnerPkcsCertificateProfile", "aospDeviceOwnerCertificateProfileBase"),
    ("aospDeviceOwnerScepCertificateProfile", "aospDeviceOwnerCertificateProfileBase"),
    ("aospDeviceOwnerTrustedRootCertificate", "deviceConfiguration"),
    ("aospDeviceOwnerWiFiConfiguration", "deviceConfiguration"),
    ("appleDeviceFeaturesConfigurationBase", "deviceConfiguration"),
    ("appleExpeditedCheckinConfigurationBase", "deviceConfiguration"),
    ("appleVpnConfiguration", "deviceConfiguration"),
    ("easEmailProfileConfigurationBase", "deviceConfiguration"),
    ("editionUpgradeConfiguration", "deviceConfiguration"),
    ("iosCertificateProfile", "deviceConfiguration"),
    ("iosCertificateProfileBase", "iosCertificateProfile"),
    ("iosCustomConfiguration", "deviceConfiguration"),
    ("iosDerivedCredentialAuthenticationConfiguration", "deviceConfiguration"),
    ("iosDeviceFeaturesConfiguration", "appleDeviceFeaturesConfigurationBase"),
    ("iosEasEmailProfileConfiguration", "easEmailProfileConfigurationBase"),
    ("iosEducationDeviceConfiguration", "deviceConfiguration"),
    ("iosEduDeviceConfiguration", "deviceConfiguration"),
    ("iosEnterpriseWiFiConfiguration", "iosWiFiConfiguration"),
    ("iosExpeditedCheckinConfiguration", "appleExpeditedCheckinConfigurationBase"),
    ("iosGeneralDeviceConfiguration", "deviceConfiguration"),
    ("iosikEv2VpnConfiguration", "iosVpnConfiguration"),
    ("iosImportedPFXCertificateProfile", "iosCertificateProfile"),
    ("iosPkcsCertificateProfile", "iosCertificateProfileBase"),
    ("iosScepCertificateProfile", "iosCertificateProfileBase"),
    ("iosTrustedRootCertificate", "deviceConfiguration"),
    ("iosUpdateConfiguration", "deviceConfiguration"),
    ("iosVpnConfiguration", "appleVpnConfiguration"),
    ("iosWiFiConfiguration", "deviceConfiguration"),
    ("iosWiredNetworkConfiguration", "deviceConfiguration"),
    ("macOSCertificateProfileBase", "deviceConfiguration"),
    ("macOSCustomAppConfiguration", "deviceConfiguration"),
    ("macOSCustomConfiguration", "deviceConfiguration"),
    ("macOSDeviceFeaturesConfiguration", "appleDeviceFeaturesConfigurationBase"),
    ("macOSEndpointProtectionConfiguration", "deviceConfiguration"),
    ("macOSEnterpriseWiFiConfiguration", "macOSWiFiConfiguration"),
    ("macOSExtensionsConfiguration", "deviceConfiguration"),
    ("macOSGeneralDeviceConfiguration", "deviceConfiguration"),
    ("macOSImportedPFXCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSPkcsCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSScepCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSSoftwareUpdateConfiguration", "deviceConfiguration"),
    ("macOSTrustedRootCertificate", "deviceConfiguration"),
    ("macOSVpnConfiguration", "appleVpnConfiguration"),
    ("macOSWiFiConfiguration", "deviceConfiguration"),
    ("macOSWiredNetworkConfiguration", "deviceConfiguration"),
    ("sharedPCConfiguration", "deviceConfiguration"),
    ("unsupportedDeviceConfiguration", "deviceConfiguration"),
    ("vpnConfiguration", "deviceConfiguration"),
    ("windows10CertificateProfileBase", "windowsCertificateProfileBase"),
    ("windows10CustomConfiguration", "deviceConfiguration"),
    ("windows10DeviceFirmwareConfigurationInterface", "deviceConfiguration"),
    ("windows10EasEmailProfileConfiguration", "easEmailProfileConfigurationBase"),
    ("windows10EndpointProtectionConfiguration", "deviceConfiguration"),
    ("windows10EnterpriseModernAppManagementConfiguration", "deviceConfiguration"),
    ("windows10GeneralConfiguration", "deviceConfiguration"),
    ("windows10ImportedPFXCertificateProfile", "windowsCertificateProfileBase"),
    ("windows10NetworkBoundaryConfiguration", "deviceConfiguration"),
    ("windows10PFXImportCertificateProfile", "deviceConfiguration"),
    ("windows10PkcsCertificateProfile", "windows10CertificateProfileBase"),
    ("windows10SecureAssessmentConfiguration", "deviceConfiguration"),
    ("windows10TeamGeneralConfiguration", "deviceConfiguration"),
    ("windows10VpnConfiguration", "windowsVpnConfiguration"),
    ("windows81CertificateProfileBase", "windowsCertificateProfileBase"),
    ("windows81GeneralConfiguration", "deviceConfiguration"),
    ("windows81SCEPCertificateProfile", "windows81CertificateProfileBase"),
    ("windows81TrustedRootCertificate", "deviceConfiguration"),
    ("windows81VpnConfiguration", "windowsVpnConfiguration"),
    ("windows81WifiImportConfiguration", "deviceConfiguration"),
    ("windowsCertificateProfileBase", "deviceConfiguration"),
    ("windowsDefenderAdvancedThreatProtectionConfiguration", "deviceConfiguration"),
    ("windowsDeliveryOptimizationConfiguration", "deviceConfiguration"),
    ("windowsDomainJoinConfiguration", "deviceConfiguration"),
    ("windowsHealthMonitoringConfiguration", "deviceConfiguration"),
    ("windowsIdentityProtectionConfiguration", "deviceConfiguration"),
    ("windowsKioskConfiguration", "deviceConfiguration"),
    ("windowsPhone81CertificateProfileBase", "deviceConfiguration"),
    ("windowsPhone81CustomConfiguration", "deviceConfiguration"),
    ("windowsPhone81GeneralConfiguration", "deviceConfiguration"),
    ("windowsPhone81ImportedPFXCertificateProfile", "windowsCertificateProfileBase"),
    ("windowsPhone81SCEPCertificateProfile", "windowsPhone81CertificateProfileBase"),
    ("windowsPhone81TrustedRootCertificate", "deviceConfiguration"),
    ("windowsPhone81VpnConfiguration", "windows81VpnConfiguration"),
    ("windowsPhoneEASEmailProfileConfiguration", "easEmailProfileConfigurationBase"),
    ("windowsUpdateForBusinessConfiguration", "deviceConfiguration"),
    ("windowsVpnConfiguration", "deviceConfiguration"),
    ("windowsWifiConfiguration", "deviceConfiguration"),
    ("windowsWifiEnterpriseEAPConfiguration", "windowsWifiConfiguration"),
    ("windowsWiredNetworkConfiguration", "deviceConfiguration"),
    ("windowsZtdnsConfiguration", "deviceConfiguration"),
];

/// Every reference between device configurations in the beta schema (57 on 35 types),
/// on the type that declares it; subtypes inherit them.
pub const REFERENCES: &[Reference] = &[
    Reference::one("androidCertificateProfileBase", "rootCertificate", "androidTrustedRootCertificate"),
    Reference::one(
        "androidDeviceOwnerCertificateProfileBase",
        "rootCertificate",
        "androidDeviceOwnerTrustedRootCertificate",
    ),
    Reference::one(
        "androidDeviceOwnerEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "androidDeviceOwnerCertificateProfileBase",
    ),
    Reference::one(
        "androidDeviceOwnerEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "androidDeviceOwnerTrustedRootCertificate",
    ),
    Reference::many(
        "androidDeviceOwnerEnterpriseWiFiConfiguration",
        "rootCertificatesForServerValidation",
        "androidDeviceOwnerTrustedRootCertificate",
    ),
    Reference::one(
        "androidDeviceOwnerVpnConfiguration",
        "identityCertificate",
        "androidDeviceOwnerCertificateProfileBase",
    ),
    Reference::one(
        "androidEasEmailProfileConfiguration",
        "identityCertificate",
        "androidCertificateProfileBase",
    ),
    Reference::one(
        "androidEasEmailProfileConfiguration",
        "smimeSigningCertificate",
        "androidCertificateProfileBase",
    ),
    Reference::one(
        "androidEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "androidCertificateProfileBase",
    ),
    Reference::one(
        "androidEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "androidTrustedRootCertificate",
    ),
    Reference::one(
        "androidForWorkCertificateProfileBase",
        "rootCertificate",
        "androidForWorkTrustedRootCertificate",
    ),
    Reference::one(
        "androidForWorkEasEmailProfileBase",
        "identityCertificate",
        "androidForWorkCertificateProfileBase",
    ),
    Reference::one(
        "androidForWorkEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "androidForWorkCertificateProfileBase",
    ),
    Reference::one(
        "androidForWorkEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "androidForWorkTrustedRootCertificate",
    ),
    Reference::one(
        "androidForWorkVpnConfiguration",
        "identityCertificate",
        "androidForWorkCertificateProfileBase",
    ),
    Reference::one("androidVpnConfiguration", "identityCertificate", "androidCertificateProfileBase"),
    Reference::one(
        "androidWorkProfileCertificateProfileBase",
        "rootCertificate",
        "androidWorkProfileTrustedRootCertificate",
    ),
    Reference::one(
        "androidWorkProfileEasEmailProfileBase",
        "identityCertificate",
        "androidWorkProfileCertificateProfileBase",
    ),
    Reference::one(
        "androidWorkProfileEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "androidWorkProfileCertificateProfileBase",
    ),
    Reference::one(
        "androidWorkProfileEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "androidWorkProfileTrustedRootCertificate",
    ),
    Reference::one(
        "androidWorkProfileVpnConfiguration",
        "identityCertificate",
        "androidWorkProfileCertificateProfileBase",
    ),
    Reference::one(
        "aospDeviceOwnerCertificateProfileBase",
        "rootCertificate",
        "aospDeviceOwnerTrustedRootCertificate",
    ),
    Reference::one(
        "aospDeviceOwnerEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "aospDeviceOwnerCertificateProfileBase",
    ),
    Reference::one(
        "aospDeviceOwnerEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "aospDeviceOwnerTrustedRootCertificate",
    ),
    Reference::one(
        "iosDeviceFeaturesConfiguration",
        "identityCertificateForClientAuthentication",
        "iosCertificateProfileBase",
    ),
    Reference::one(
        "iosDeviceFeaturesConfiguration",
        "singleSignOnExtensionPkinitCertificate",
        "iosCertificateProfileBase",
    ),
    Reference::one("iosEasEmailProfileConfiguration", "identityCertificate", "iosCertificateProfileBase"),
    Reference::one("iosEasEmailProfileConfiguration", "smimeEncryptionCertificate", "iosCertificateProfile"),
    Reference::one("iosEasEmailProfileConfiguration", "smimeSigningCertificate", "iosCertificateProfile"),
    Reference::one(
        "iosEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "iosCertificateProfileBase",
    ),
    Reference::many(
        "iosEnterpriseWiFiConfiguration",
        "rootCertificatesForServerValidation",
        "iosTrustedRootCertificate",
    ),
    Reference::one("iosScepCertificateProfile", "rootCertificate", "iosTrustedRootCertificate"),
    Reference::one("iosVpnConfiguration", "identityCertificate", "iosCertificateProfileBase"),
    Reference::one(
        "iosWiredNetworkConfiguration",
        "identityCertificateForClientAuthentication",
        "iosCertificateProfileBase",
    ),
    Reference::one(
        "iosWiredNetworkConfiguration",
        "rootCertificateForServerValidation",
        "iosTrustedRootCertificate",
    ),
    Reference::one(
        "macOSDeviceFeaturesConfiguration",
        "singleSignOnExtensionPkinitCertificate",
        "macOSCertificateProfileBase",
    ),
    Reference::one(
        "macOSEnterpriseWiFiConfiguration",
        "identityCertificateForClientAuthentication",
        "macOSCertificateProfileBase",
    ),
    Reference::one(
        "macOSEnterpriseWiFiConfiguration",
        "rootCertificateForServerValidation",
        "macOSTrustedRootCertificate",
    ),
    Reference::many(
        "macOSEnterpriseWiFiConfiguration",
        "rootCertificatesForServerValidation",
        "macOSTrustedRootCertificate",
    ),
    Reference::one("macOSScepCertificateProfile", "rootCertificate", "macOSTrustedRootCertificate"),
    Reference::one("macOSVpnConfiguration", "identityCertificate", "macOSCertificateProfileBase"),
    Reference::one(
        "macOSWiredNetworkConfiguration",
        "identityCertificateForClientAuthentication",
        "macOSCertificateProfileBase",
    ),
    Reference::one(
        "macOSWiredNetworkConfiguration",
        "rootCertificateForServerValidation",
        "macOSTrustedRootCertificate",
    ),
    Reference::one("windows10VpnConfiguration", "identityCertificate", "windowsCertificateProfileBase"),
    Reference::one("windows81SCEPCertificateProfile", "rootCertificate", "windows81TrustedRootCertificate"),
    Reference::one(
        "windowsPhone81SCEPCertificateProfile",
        "rootCertificate",
        "windowsPhone81TrustedRootCertificate",
    ),
    Reference::one(
        "windowsPhone81VpnConfiguration",
        "identityCertificate",
        "windowsPhone81CertificateProfileBase",
    ),
    Reference::one(
        "windowsWifiEnterpriseEAPConfiguration",
        "identityCertificateForClientAuthentication",
        "windowsCertificateProfileBase",
    ),
    Reference::one(
        "windowsWifiEnterpriseEAPConfiguration",
        "rootCertificateForClientValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::many(
        "windowsWifiEnterpriseEAPConfiguration",
        "rootCertificatesForServerValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::one(
        "windowsWiredNetworkConfiguration",
        "identityCertificateForClientAuthentication",
        "windowsCertificateProfileBase",
    ),
    Reference::one(
        "windowsWiredNetworkConfiguration",
        "rootCertificateForClientValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::many(
        "windowsWiredNetworkConfiguration",
        "rootCertificatesForServerValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::one(
        "windowsWiredNetworkConfiguration",
        "secondaryIdentityCertificateForClientAuthentication",
        "windowsCertificateProfileBase",
    ),
    Reference::one(
        "windowsWiredNetworkConfiguration",
        "secondaryRootCertificateForClientValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::many(
        "windowsZtdnsConfiguration",
        "rootCertificatesForClientValidation",
        "windows81TrustedRootCertificate",
    ),
    Reference::many(
        "windowsZtdnsConfiguration",
        "rootCertificatesForServerValidation",
        "windows81TrustedRootCertificate",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_every_edge_of_the_schema_and_each_end_is_a_type_name() {
        assert_eq!(REFERENCES.len(), 57);
        let sources: std::collections::BTreeSet<&str> = REFERENCES.iter().map(|r| r.source).collect();
        assert_eq!(sources.len(), 35);
        for r in REFERENCES {
            assert!(parent_type(r.source).is_some(), "{}", r.source);
            assert!(parent_type(r.target).is_some(), "{}", r.target);
            assert!(is_a(r.source, "deviceConfiguration") && is_a(r.target, "deviceConfiguration"));
        }
        for (ty, _) in SECRETS {
            assert!(parent_type(ty).is_some(), "{ty}");
        }
    }

    #[test]
    fn subtypes_inherit_references_and_targets_are_checked_by_type() {
        let scep = "#microsoft.graph.iosScepCertificateProfile";
        let names: Vec<&str> = references(scep).map(|r| r.navigation).collect();
        assert_eq!(names, ["rootCertificate"]);
        let android: Vec<&str> = references("androidPkcsCertificateProfile").map(|r| r.navigation).collect();
        assert_eq!(android, ["rootCertificate"], "declared on androidCertificateProfileBase");
        assert!(references("iosPkcsCertificateProfile").next().is_none());

        let wifi = reference(
            "microsoft.graph.iosEnterpriseWiFiConfiguration",
            "rootCertificatesForServerValidation",
        )
        .unwrap();
        assert!(wifi.many);
        assert!(wifi.accepts("#microsoft.graph.iosTrustedRootCertificate"));
        assert!(!wifi.accepts("#microsoft.graph.macOSTrustedRootCertificate"));
        assert_eq!(wifi.bind_property(), "rootCertificatesForServerValidation@odata.bind");
        let identity =
            reference("iosEnterpriseWiFiConfiguration", "identityCertificateForClientAuthentication")
                .unwrap();
        assert!(!identity.many);
        for profile in ["iosScepCertificateProfile", "iosPkcsCertificateProfile"] {
            assert!(identity.accepts(profile), "{profile}");
        }
        assert!(!identity.accepts("iosImportedPFXCertificateProfile"), "not an iosCertificateProfileBase");
        let smime = reference("iosEasEmailProfileConfiguration", "smimeSigningCertificate").unwrap();
        assert!(smime.accepts("iosImportedPFXCertificateProfile"), "any iosCertificateProfile");
        assert!(reference("iosWiFiConfiguration", "identityCertificateForClientAuthentication").is_none());
    }

    #[test]
    fn references_are_told_by_name_and_type() {
        for r in REFERENCES {
            assert!(is_reference(r.source, r.navigation), "{r:?}");
            assert!(!is_reference(r.source, &r.bind_property()), "{r:?}");
        }
        assert!(is_reference(
            "#microsoft.graph.iosEnterpriseWiFiConfiguration",
            "rootCertificatesForServerValidation"
        ));
        assert!(!is_reference("iosWiFiConfiguration", "identityCertificateForClientAuthentication"));
        assert!(!is_reference("iosScepCertificateProfile", "assignmentStatus"));
        assert!(!is_reference("iosScepCertificateProfile", &"x".repeat(200)));
    }

    #[test]
    fn type_names_are_read_with_or_without_the_namespace_in_any_case() {
        assert_eq!(short_type("#microsoft.graph.macOSScepCertificateProfile"), "macOSScepCertificateProfile");
        assert_eq!(short_type("Microsoft.Graph.x"), "x");
        assert_eq!(short_type("#other.ns.x"), "other.ns.x");
        assert!(is_a("#MICROSOFT.GRAPH.MACOSSCEPCERTIFICATEPROFILE", "macOSCertificateProfileBase"));
        assert!(is_a("unknownType", "unknownType") && !is_a("unknownType", "deviceConfiguration"));
        assert_eq!(parent_type("deviceConfiguration"), None);
        assert_eq!(
            type_name("#microsoft.graph.IOSIMPORTEDPFXCERTIFICATEPROFILE"),
            Some("iosImportedPFXCertificateProfile")
        );
        assert_eq!(type_name("notAType"), None);
    }

    #[test]
    fn secrets_are_inherited_and_look_alikes_are_not_secrets() {
        let secrets: Vec<&str> =
            secret_properties("#microsoft.graph.iosEnterpriseWiFiConfiguration").collect();
        assert_eq!(secrets, ["preSharedKey"]);
        assert!(!is_secret_property("iosEnterpriseWiFiConfiguration", "passwordFormatString"));
        for setting in ["passwordRequired", "passwordMinimumLength", "passwordBlockSimple"] {
            assert!(!is_secret_property("windows10GeneralConfiguration", setting), "{setting}");
        }
        assert!(is_secret_property("iosikEv2VpnConfiguration", "sharedSecret"));
    }
}
