//! The tenant the load examples measure: `pairs` trusted roots and as many iOS SCEP
//! profiles, each bound to its root, every object assigned to one group.

use intune_graph::{
    api::DeviceConfigurations,
    models::{AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment},
};
use serde_json::json;

/// The group every seeded object is assigned to (its directory name is up to the emulator).
pub const GROUP: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";

/// Creates the objects through `configs` (a client without write pacing: seeding is not
/// what is measured).
#[allow(dead_code)]
pub async fn roots_and_scep_profiles(configs: &DeviceConfigurations, pairs: usize) {
    let to_group = [DeviceConfigurationAssignment::new(AssignmentTarget::group(GROUP))];
    for i in 0..pairs {
        let root: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "displayName": format!("Root {i}"),
            "certFileName": "root.cer", "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
        }))
        .expect("a root");
        let root_id = configs.create(&root).await.expect("root created").id().expect("an id").to_string();
        let mut scep: DeviceConfiguration = serde_json::from_value(json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile", "displayName": format!("SCEP {i}"),
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "keyUsage": "digitalSignature", "keySize": "size2048", "subjectNameFormat": "commonName",
            "certificateValidityPeriodValue": 1, "certificateValidityPeriodScale": "years",
            "renewalThresholdPercentage": 20,
            "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}]
        }))
        .expect("a SCEP profile");
        let reference = configs.root_certificate_reference(&root_id).expect("a reference");
        scep.additional_data_mut().insert("rootCertificate@odata.bind".into(), reference.as_str().into());
        let scep_id = configs.create(&scep).await.expect("SCEP created").id().expect("an id").to_string();
        configs.assign(&root_id, &to_group).await.expect("assigned");
        configs.assign(&scep_id, &to_group).await.expect("assigned");
    }
}

/// `--name value` of the command line as a number, `default` when absent.
pub fn flag(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

/// The process's peak resident memory, in KiB (`VmHWM`), where the system says.
#[allow(dead_code)]
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
