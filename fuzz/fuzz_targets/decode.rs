//! Every public decode path on arbitrary bytes: the polymorphic device configuration, the
//! SCEP profile, timestamps and flag sets. Whatever decodes must encode again and decode
//! to the same value (floats aside: serde_json parses them within an ulp).
#![no_main]

use intune_graph::models::{DeviceConfiguration, IosScepCertificateProfile, KeyUsages, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(config) = serde_json::from_slice::<DeviceConfiguration>(data) {
        let again = serde_json::to_vec(&config).expect("a decoded object encodes");
        let _ = serde_json::from_slice::<DeviceConfiguration>(&again).expect("an encoded object decodes");
    }
    if let Ok(profile) = serde_json::from_slice::<IosScepCertificateProfile>(data) {
        let _ = serde_json::to_vec(&profile).expect("a decoded profile encodes");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(t) = Timestamp::parse(text) {
            let _ = Timestamp::parse(&t.to_string()).expect("a written timestamp parses");
        }
        let usages = KeyUsages::parse(text);
        assert_eq!(KeyUsages::parse(&usages.to_string()), usages);
    }
});
