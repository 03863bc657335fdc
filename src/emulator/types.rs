//! `@odata.type` names: normalisation, the type tree (read from [`crate::models::schema`])
//! and what only the emulator knows about types: which are abstract, which hold a trusted
//! root.
//!
//! A `microsoft.graph.*` name the schema table does not have is accepted and treated as a
//! direct subtype of `deviceConfiguration`, so objects of types newer than the table can
//! still be created and filtered with `isof`.

use crate::models::schema;

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

/// The root of the tree.
const ROOT: &str = "deviceConfiguration";

/// Types that cannot be created: the root, `entity`, and the bases the schema declares
/// abstract (every `…Base` of the certificate, email and feature families, and
/// `iosCertificateProfile`). The schema table does not say which types are abstract.
const ABSTRACT: &[&str] = &[
    "entity",
    "deviceConfiguration",
    "androidCertificateProfileBase",
    "androidDeviceOwnerCertificateProfileBase",
    "androidForWorkCertificateProfileBase",
    "androidForWorkEasEmailProfileBase",
    "androidWorkProfileCertificateProfileBase",
    "androidWorkProfileEasEmailProfileBase",
    "aospDeviceOwnerCertificateProfileBase",
    "appleDeviceFeaturesConfigurationBase",
    "appleExpeditedCheckinConfigurationBase",
    "easEmailProfileConfigurationBase",
    "iosCertificateProfile",
    "iosCertificateProfileBase",
    "macOSCertificateProfileBase",
    "windows10CertificateProfileBase",
    "windows81CertificateProfileBase",
    "windowsCertificateProfileBase",
    "windowsPhone81CertificateProfileBase",
];

/// `#microsoft.graph.X` from `X`-with-or-without-`#`; `None` when the value is not a
/// qualified Graph type name. Types the schema has get its spelling.
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
    let name = match schema::type_name(name) {
        Some(known) => known,
        None if name.eq_ignore_ascii_case("entity") => "entity",
        None => name,
    };
    Some(format!("#{NAMESPACE}{name}"))
}

/// `X` from `#microsoft.graph.X` (or the input when it has no namespace).
pub(crate) fn short(ty: &str) -> &str {
    schema::short_type(ty)
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

/// Whether `ty` is `ancestor` or derives from it; every type is an `entity`, and a type
/// the schema does not have derives from `deviceConfiguration` directly.
pub(crate) fn is_a(ty: &str, ancestor: &str) -> bool {
    if same(ancestor, "entity") || schema::is_a(ty, ancestor) {
        return true;
    }
    let unknown = schema::type_name(ty).is_none() && !same(ty, "entity");
    unknown && same(ancestor, ROOT)
}

/// Whether `ty` is a trusted root certificate type, the target of a profile's
/// `rootCertificate` (its `trustedRootCertificate` is required and must be base64).
pub(crate) fn is_trusted_root(ty: &str) -> bool {
    schema::REFERENCES.iter().any(|r| r.navigation == "rootCertificate" && same(r.target, ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_the_schema_spelling() {
        assert_eq!(normalize("microsoft.graph.iosscepcertificateprofile").as_deref(), Some(IOS_SCEP));
        assert_eq!(normalize(IOS_SCEP).as_deref(), Some(IOS_SCEP));
        assert_eq!(
            normalize("#MICROSOFT.GRAPH.WINDOWS10GENERALCONFIGURATION").as_deref(),
            Some("#microsoft.graph.windows10GeneralConfiguration")
        );
        assert_eq!(
            normalize("#microsoft.graph.somethingNew").as_deref(),
            Some("#microsoft.graph.somethingNew"),
            "a type newer than the table is kept as sent"
        );
        for not_a_type in ["iosScepCertificateProfile", "#microsoft.graph.", "#microsoft.graph.a b", "é"] {
            assert_eq!(normalize(not_a_type), None, "{not_a_type}");
        }
    }

    #[test]
    fn hierarchy_comes_from_the_schema() {
        assert!(is_a(IOS_SCEP, "microsoft.graph.iosCertificateProfileBase"));
        assert!(is_a(IOS_SCEP, "#microsoft.graph.deviceConfiguration"));
        assert!(is_a(IOS_SCEP, "entity"));
        assert!(is_a("#microsoft.graph.androidPkcsCertificateProfile", "androidCertificateProfileBase"));
        assert!(!is_a(IOS_TRUSTED_ROOT, "microsoft.graph.iosCertificateProfile"));
        assert!(is_a("#microsoft.graph.somethingNew", "microsoft.graph.deviceConfiguration"));
        assert!(!is_a("#microsoft.graph.somethingNew", IOS_SCEP));
        assert!(is_abstract("#microsoft.graph.deviceConfiguration"));
        assert!(is_abstract("#microsoft.graph.androidCertificateProfileBase"));
        assert!(!is_abstract(IOS_SCEP));
    }

    #[test]
    fn trusted_roots_are_the_targets_of_root_certificate() {
        for root in [
            IOS_TRUSTED_ROOT,
            "#microsoft.graph.macOSTrustedRootCertificate",
            "androidWorkProfileTrustedRootCertificate",
            "windows81TrustedRootCertificate",
        ] {
            assert!(is_trusted_root(root), "{root}");
        }
        assert!(!is_trusted_root(IOS_SCEP));
    }

    /// Every abstract type is one the schema has, and has subtypes.
    #[test]
    fn abstract_types_are_schema_bases() {
        for ty in ABSTRACT.iter().filter(|t| **t != "entity") {
            assert_eq!(schema::type_name(ty), Some(*ty), "{ty}");
        }
    }

    /// The client's typed models are creatable, known types.
    #[test]
    fn every_typed_client_model_is_known_here() {
        use crate::models::DeviceConfiguration;
        for (odata_type, _, _) in DeviceConfiguration::TYPED {
            assert_eq!(normalize(odata_type).as_deref(), Some(*odata_type));
            assert!(!is_abstract(odata_type) && is_a(odata_type, "deviceConfiguration"), "{odata_type}");
            assert_eq!(odata_type.contains("TrustedRoot"), is_trusted_root(odata_type), "{odata_type}");
        }
    }
}
