//! Flags enums (`IsFlags="true"` in the schema): sets of members on the wire as `"a,b"`.

graph_flags! {
    /// SCEP key usage (`keyUsages`, JSON property `keyUsage`).
    pub struct KeyUsages {
        none: None,
        KEY_ENCIPHERMENT = 0 => "keyEncipherment",
        DIGITAL_SIGNATURE = 1 => "digitalSignature",
    }
}

graph_flags! {
    /// SCEP hash algorithms (`hashAlgorithms`, JSON property `hashAlgorithm`) of the macOS,
    /// Android and Windows SCEP profiles.
    pub struct HashAlgorithms {
        none: None,
        SHA1 = 0 => "sha1",
        SHA2 = 1 => "sha2",
    }
}

graph_flags! {
    /// Subject alternative name types (`subjectAlternativeNameType`). The empty set is
    /// written `none`, and `none` read alongside other members adds nothing.
    pub struct SubjectAlternativeNameType {
        none: Some("none"),
        EMAIL_ADDRESS = 0 => "emailAddress",
        USER_PRINCIPAL_NAME = 1 => "userPrincipalName",
        CUSTOM_AZURE_AD_ATTRIBUTE = 2 => "customAzureADAttribute",
        DOMAIN_NAME_SERVICE = 3 => "domainNameService",
        UNIVERSAL_RESOURCE_IDENTIFIER = 4 => "universalResourceIdentifier",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_golden_values() {
        let both = KeyUsages::KEY_ENCIPHERMENT | KeyUsages::DIGITAL_SIGNATURE;
        assert_eq!(both.to_string(), "keyEncipherment,digitalSignature");
        // Schema order, whatever order the members were added or read in.
        assert_eq!(
            (KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT).to_string(),
            both.to_string()
        );
        assert_eq!(KeyUsages::parse("digitalSignature, keyEncipherment"), both);
        assert_eq!(KeyUsages::parse(" keyEncipherment ,digitalSignature "), both);
        assert_eq!(KeyUsages::empty().to_string(), "");
    }

    #[test]
    fn unknown_members_are_kept_after_known_ones() {
        let set = KeyUsages::parse("futureUsage,digitalSignature");
        assert!(set.contains(&KeyUsages::DIGITAL_SIGNATURE));
        assert_eq!(set.unknown_members(), ["futureUsage".to_string()]);
        assert_eq!(set.to_string(), "digitalSignature,futureUsage");
    }

    #[test]
    fn equality_ignores_the_order_unknown_members_were_read_in() {
        use std::hash::{BuildHasher, RandomState};
        let (a, b) = (KeyUsages::parse("digitalSignature,x,y"), KeyUsages::parse("y,digitalSignature,x"));
        assert_eq!(a, b);
        let hasher = RandomState::new();
        assert_eq!(hasher.hash_one(&a), hasher.hash_one(&b));
        assert_ne!(a, KeyUsages::parse("digitalSignature,x"));
        // Written back in the order read.
        assert_eq!(b.to_string(), "digitalSignature,y,x");
    }

    #[test]
    fn none_is_the_empty_set() {
        assert_eq!(SubjectAlternativeNameType::parse("none"), SubjectAlternativeNameType::empty());
        assert_eq!(SubjectAlternativeNameType::empty().to_string(), "none");
        assert_eq!(
            SubjectAlternativeNameType::parse("none,emailAddress"),
            SubjectAlternativeNameType::EMAIL_ADDRESS
        );
    }

    #[test]
    fn serde_accepts_string_and_array() {
        let set: SubjectAlternativeNameType =
            serde_json::from_str(r#""userPrincipalName,emailAddress""#).unwrap();
        assert_eq!(serde_json::to_string(&set).unwrap(), r#""emailAddress,userPrincipalName""#);
        let set: KeyUsages = serde_json::from_str(r#"["digitalSignature"]"#).unwrap();
        assert_eq!(set, KeyUsages::DIGITAL_SIGNATURE);
        // An element holding a comma list is split like the string form, so the set reads
        // back equal from its own encoding.
        let set: KeyUsages = serde_json::from_str(r#"["future,digitalSignature", " other "]"#).unwrap();
        assert_eq!(set.to_string(), "digitalSignature,future,other");
        assert_eq!(serde_json::from_str::<KeyUsages>(&serde_json::to_string(&set).unwrap()).unwrap(), set);
        assert!(serde_json::from_str::<KeyUsages>("12").is_err());
    }
}
