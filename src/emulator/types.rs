//! `@odata.type` names: normalisation, abstract types and the small part of
//! the `deviceConfiguration` hierarchy the emulator needs for `isof(...)`.

/// The Graph namespace prefix, without `#`.
pub(crate) const NAMESPACE: &str = "microsoft.graph.";
/// The iOS SCEP certificate profile type, as stored.
#[cfg(test)]
pub(crate) const IOS_SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
/// The iOS trusted root certificate type, as stored.
#[cfg(test)]
pub(crate) const IOS_TRUSTED_ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
/// The assignment entity type.
pub(crate) const ASSIGNMENT: &str = "#microsoft.graph.deviceConfigurationAssignment";

/// Known types and their parent (the root, `deviceConfiguration`, has `entity`).
/// Unknown `microsoft.graph.*` names are accepted and treated as direct
/// children of `deviceConfiguration` (Graph has ~139 of them).
const HIERARCHY: &[(&str, &str)] = &[
    ("deviceConfiguration", "entity"),
    ("iosCertificateProfile", "deviceConfiguration"),
    ("iosCertificateProfileBase", "iosCertificateProfile"),
    ("iosScepCertificateProfile", "iosCertificateProfileBase"),
    ("iosPkcsCertificateProfile", "iosCertificateProfileBase"),
    ("iosImportedPFXCertificateProfile", "iosCertificateProfile"),
    ("iosTrustedRootCertificate", "deviceConfiguration"),
    ("macOSCertificateProfileBase", "deviceConfiguration"),
    ("macOSScepCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSPkcsCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSImportedPFXCertificateProfile", "macOSCertificateProfileBase"),
    ("macOSTrustedRootCertificate", "deviceConfiguration"),
    ("iosWiFiConfiguration", "deviceConfiguration"),
    ("iosEnterpriseWiFiConfiguration", "iosWiFiConfiguration"),
    ("appleVpnConfiguration", "deviceConfiguration"),
    ("iosVpnConfiguration", "appleVpnConfiguration"),
    ("easEmailProfileConfigurationBase", "deviceConfiguration"),
    ("iosEasEmailProfileConfiguration", "easEmailProfileConfigurationBase"),
];

/// Every profile type whose schema (Graph beta CSDL) has the `rootCertificate` navigation,
/// with the trusted root type it references. The Android bases declare it for their SCEP
/// and PKCS subtypes alike; the Apple and Windows types on the SCEP profile only.
const ROOT_CERTIFICATE_LINKS: &[(&str, &str)] = &[
    ("iosScepCertificateProfile", "iosTrustedRootCertificate"),
    ("macOSScepCertificateProfile", "macOSTrustedRootCertificate"),
    ("androidScepCertificateProfile", "androidTrustedRootCertificate"),
    ("androidPkcsCertificateProfile", "androidTrustedRootCertificate"),
    ("androidForWorkScepCertificateProfile", "androidForWorkTrustedRootCertificate"),
    ("androidForWorkPkcsCertificateProfile", "androidForWorkTrustedRootCertificate"),
    ("androidWorkProfileScepCertificateProfile", "androidWorkProfileTrustedRootCertificate"),
    ("androidWorkProfilePkcsCertificateProfile", "androidWorkProfileTrustedRootCertificate"),
    ("androidDeviceOwnerScepCertificateProfile", "androidDeviceOwnerTrustedRootCertificate"),
    ("androidDeviceOwnerPkcsCertificateProfile", "androidDeviceOwnerTrustedRootCertificate"),
    ("aospDeviceOwnerScepCertificateProfile", "aospDeviceOwnerTrustedRootCertificate"),
    ("aospDeviceOwnerPkcsCertificateProfile", "aospDeviceOwnerTrustedRootCertificate"),
    ("windows81SCEPCertificateProfile", "windows81TrustedRootCertificate"),
    ("windowsPhone81SCEPCertificateProfile", "windowsPhone81TrustedRootCertificate"),
];

/// The trusted root type the `rootCertificate` of a `profile` references (its short
/// name), or `None` when the type has no such navigation.
pub(crate) fn root_certificate_type(profile: &str) -> Option<&'static str> {
    ROOT_CERTIFICATE_LINKS.iter().find(|(p, _)| same(p, profile)).map(|(_, root)| *root)
}

/// Whether `ty` is a trusted root certificate type some profile's `rootCertificate`
/// references (its `trustedRootCertificate` is required and must be base64).
pub(crate) fn is_trusted_root(ty: &str) -> bool {
    ROOT_CERTIFICATE_LINKS.iter().any(|(_, root)| same(root, ty))
}

/// Types that cannot be created.
const ABSTRACT: &[&str] = &[
    "entity",
    "deviceConfiguration",
    "iosCertificateProfile",
    "iosCertificateProfileBase",
    "macOSCertificateProfileBase",
];

/// `#microsoft.graph.X` from `X`-with-or-without-`#`; `None` when the value is
/// not a qualified Graph type name. Known names get their canonical casing.
pub(crate) fn normalize(raw: &str) -> Option<String> {
    let bare = raw.trim();
    let bare = bare.strip_prefix('#').unwrap_or(bare);
    if bare.len() <= NAMESPACE.len() || !bare.is_char_boundary(NAMESPACE.len()) {
        return None;
    }
    let (ns, name) = bare.split_at(NAMESPACE.len());
    if !ns.eq_ignore_ascii_case(NAMESPACE) {
        return None;
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let name = HIERARCHY
        .iter()
        .map(|(n, _)| *n)
        .chain(["entity"])
        .find(|n| n.eq_ignore_ascii_case(name))
        .unwrap_or(name);
    Some(format!("#{NAMESPACE}{name}"))
}

/// `X` from `#microsoft.graph.X` (or the input when it has no namespace).
pub(crate) fn short(ty: &str) -> &str {
    let bare = ty.strip_prefix('#').unwrap_or(ty);
    match bare.get(..NAMESPACE.len()) {
        Some(ns) if ns.eq_ignore_ascii_case(NAMESPACE) => &bare[NAMESPACE.len()..],
        _ => bare,
    }
}

/// Whether a normalised type is abstract.
pub(crate) fn is_abstract(ty: &str) -> bool {
    let s = short(ty);
    ABSTRACT.iter().any(|a| a.eq_ignore_ascii_case(s))
}

/// Case-insensitive type equality on normalised or bare names.
pub(crate) fn same(a: &str, b: &str) -> bool {
    short(a).eq_ignore_ascii_case(short(b))
}

/// Whether `ty` is `ancestor` or derives from it.
pub(crate) fn is_a(ty: &str, ancestor: &str) -> bool {
    let target = short(ancestor);
    let mut current = short(ty);
    // The hierarchy is shallow; the bound guards against a cycle typo.
    for _ in 0..16 {
        if current.eq_ignore_ascii_case(target) {
            return true;
        }
        if current.eq_ignore_ascii_case("entity") {
            return false;
        }
        current = HIERARCHY
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(current))
            .map_or("deviceConfiguration", |(_, p)| *p);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(normalize("microsoft.graph.iosscepcertificateprofile").as_deref(), Some(IOS_SCEP));
        assert_eq!(normalize(IOS_SCEP).as_deref(), Some(IOS_SCEP));
        assert_eq!(
            normalize("#microsoft.graph.windows10GeneralConfiguration").as_deref(),
            Some("#microsoft.graph.windows10GeneralConfiguration")
        );
        assert_eq!(normalize("iosScepCertificateProfile"), None);
        assert_eq!(normalize("#microsoft.graph."), None);
        assert_eq!(normalize("#microsoft.graph.a b"), None);
        assert_eq!(normalize("é"), None);
    }

    #[test]
    fn hierarchy() {
        assert!(is_a(IOS_SCEP, "microsoft.graph.iosCertificateProfileBase"));
        assert!(is_a(IOS_SCEP, "#microsoft.graph.deviceConfiguration"));
        assert!(!is_a(IOS_TRUSTED_ROOT, "microsoft.graph.iosCertificateProfile"));
        assert!(is_a("#microsoft.graph.somethingNew", "microsoft.graph.deviceConfiguration"));
        assert!(!is_a("#microsoft.graph.somethingNew", IOS_SCEP));
        assert!(is_abstract("#microsoft.graph.deviceConfiguration"));
        assert!(!is_abstract(IOS_SCEP));
    }

    #[test]
    fn root_certificate_links() {
        assert_eq!(root_certificate_type(IOS_SCEP), Some("iosTrustedRootCertificate"));
        assert_eq!(
            root_certificate_type("#microsoft.graph.macOSScepCertificateProfile"),
            Some("macOSTrustedRootCertificate")
        );
        assert_eq!(
            root_certificate_type("#microsoft.graph.androidWorkProfilePkcsCertificateProfile"),
            Some("androidWorkProfileTrustedRootCertificate")
        );
        assert_eq!(root_certificate_type("#microsoft.graph.iosPkcsCertificateProfile"), None);
        assert_eq!(root_certificate_type("#microsoft.graph.macOSPkcsCertificateProfile"), None);
        assert_eq!(root_certificate_type(IOS_TRUSTED_ROOT), None);
        assert!(
            is_trusted_root(IOS_TRUSTED_ROOT)
                && is_trusted_root("#microsoft.graph.macOSTrustedRootCertificate")
        );
        assert!(!is_trusted_root(IOS_SCEP));
    }

    /// The emulator shares no code with the client; this keeps its type table in step with
    /// the client's typed models: each is a known, creatable type, and has the
    /// `rootCertificate` navigation exactly when the emulator links one.
    #[test]
    fn every_typed_client_model_is_known_here() {
        use crate::models::DeviceConfiguration;
        for (odata_type, _, navigation) in DeviceConfiguration::TYPED {
            assert_eq!(normalize(odata_type).as_deref(), Some(*odata_type));
            assert!(HIERARCHY.iter().any(|(name, _)| same(name, odata_type)), "{odata_type}");
            assert!(!is_abstract(odata_type) && is_a(odata_type, "deviceConfiguration"), "{odata_type}");
            assert_eq!(
                navigation.contains(&"rootCertificate"),
                root_certificate_type(odata_type).is_some(),
                "{odata_type}"
            );
            assert_eq!(odata_type.contains("TrustedRoot"), is_trusted_root(odata_type), "{odata_type}");
        }
    }
}
