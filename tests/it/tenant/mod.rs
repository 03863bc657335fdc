//! The tenant job through the library, between emulator tenants: export, plan, apply.
//!
//! Every tenant here has a directory with the group "iOS devices" (and "Sales"), under ids
//! of its own, so that a test of two tenants shows groups travelling by name.

mod chain;
mod many;
mod reads;
mod roundtrip;
mod safety;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{Mutex, PoisonError},
};

use intune_graph::{
    GraphClient,
    emulator::{DirectoryEntry, Emulator, RunningEmulator},
    models::{
        AssignmentTarget, DeviceConfiguration, DeviceConfigurationAssignment,
        IosEasEmailProfileConfiguration, IosEnterpriseWiFiConfiguration, IosScepCertificateProfile,
        IosTrustedRootCertificate, IosVpnConfiguration, MacOsScepCertificateProfile,
        MacOsTrustedRootCertificate,
    },
    tenant::{self, ApplyEvent, ApplyOptions, ApplyReport, Plan, PlanOptions, Snapshot},
};
use serde_json::Value;

pub const ROOT: &str = IosTrustedRootCertificate::ODATA_TYPE;
pub const SCEP: &str = IosScepCertificateProfile::ODATA_TYPE;
pub const MAC_ROOT: &str = MacOsTrustedRootCertificate::ODATA_TYPE;
pub const MAC_SCEP: &str = MacOsScepCertificateProfile::ODATA_TYPE;
pub const WIFI: &str = IosEnterpriseWiFiConfiguration::ODATA_TYPE;
/// Not modelled by the crate: the tenant tools carry it as read.
pub const MAC_WIFI: &str = "#microsoft.graph.macOSEnterpriseWiFiConfiguration";
pub const VPN: &str = IosVpnConfiguration::ODATA_TYPE;
pub const EMAIL: &str = IosEasEmailProfileConfiguration::ODATA_TYPE;

/// "iOS devices" in tenant A, and in tenant B.
pub const GROUP_A: &str = "5a9b1e0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c";
pub const GROUP_B: &str = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f";
/// "Sales" in tenant A, and in tenant B.
pub const SALES_A: &str = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
pub const SALES_B: &str = "f6e5d4c3-b2a1-4f0e-9d8c-7b6a5f4e3d2c";

/// An emulator tenant whose directory has "iOS devices" as `group` and "Sales" as `sales`.
pub fn tenant_with(group: &str, sales: &str) -> Emulator {
    Emulator::new()
        .page_size(1000)
        .groups([DirectoryEntry::new(group, "iOS devices"), DirectoryEntry::new(sales, "Sales")])
}

/// Tenant A, or B, empty.
pub async fn tenant_a() -> RunningEmulator {
    tenant_with(GROUP_A, SALES_A).start().await.unwrap()
}

pub async fn tenant_b() -> RunningEmulator {
    tenant_with(GROUP_B, SALES_B).start().await.unwrap()
}

/// A client of `emu` that does not pace writes (pacing is not what these tests look at).
/// One per emulator: building a client loads the platform's root certificates, which takes
/// a quarter of a second in a debug build.
pub fn client(emu: &RunningEmulator) -> GraphClient {
    static CLIENTS: Mutex<BTreeMap<(String, String), GraphClient>> = Mutex::new(BTreeMap::new());
    let key = (emu.base_url().to_string(), emu.token().to_owned());
    let mut clients = CLIENTS.lock().unwrap_or_else(PoisonError::into_inner);
    clients
        .entry(key)
        .or_insert_with(|| {
            GraphClient::builder()
                .base_url(emu.base_url().as_str())
                .bearer_token(emu.token())
                .write_rate_limit(None)
                .build()
                .unwrap()
        })
        .clone()
}

/// Creates `object` in `emu`; its id.
pub async fn create(emu: &RunningEmulator, object: Value) -> String {
    let config: DeviceConfiguration = serde_json::from_value(object).unwrap();
    client(emu).device_configurations().create(&config).await.unwrap().id().unwrap().to_string()
}

/// Assigns `id` to the groups `groups`.
pub async fn assign(emu: &RunningEmulator, id: &str, groups: &[&str]) {
    let set: Vec<DeviceConfigurationAssignment> =
        groups.iter().map(|g| DeviceConfigurationAssignment::new(AssignmentTarget::group(*g))).collect();
    client(emu).device_configurations().assign(id, &set).await.unwrap();
}

/// The bind URL of `id` in `emu`, for a create body.
pub fn bind(emu: &RunningEmulator, id: &str) -> String {
    client(emu).device_configurations().root_certificate_reference(id).unwrap().to_string()
}

/// A fresh, empty folder under the system's temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("intune-graph-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Every file under `dir` (one level of folders), relative path → bytes, sorted.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for folder in std::fs::read_dir(dir).unwrap() {
        let folder = folder.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            let relative = file.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read(&file).unwrap()));
        }
    }
    out.sort();
    out
}

/// Exports `emu` into a fresh folder `name`.
pub async fn export_to(emu: &RunningEmulator, name: &str) -> (PathBuf, Snapshot) {
    let (snapshot, notes) = tenant::export(&client(emu), &tenant::ExportOptions::new()).await.unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let dir = temp_dir(name);
    snapshot.write_dir(&dir, |_| true).unwrap();
    let read = Snapshot::read_dir(&dir).unwrap();
    (dir, read)
}

pub async fn plan_on(emu: &RunningEmulator, snapshot: &Snapshot, options: &PlanOptions) -> Plan {
    tenant::plan_tenant(&client(emu), snapshot, options).await.unwrap()
}

/// Plans `snapshot` for `emu` and applies the plan (reading back at once: the emulator
/// answers reads with what it holds).
pub async fn apply_to(emu: &RunningEmulator, snapshot: &Snapshot, options: &PlanOptions) -> ApplyReport {
    let plan = plan_on(emu, snapshot, options).await;
    tenant::apply(&client(emu), &plan, &no_settle(), no_events).await.unwrap()
}

pub fn no_settle() -> ApplyOptions {
    ApplyOptions::new().settle(std::time::Duration::ZERO)
}

pub fn no_events(_: &ApplyEvent) {}

/// The id of the one object of `emu` named `name`.
pub fn id_of(emu: &RunningEmulator, name: &str) -> String {
    let objects = emu.state().objects();
    let found: Vec<&Value> = objects.iter().filter(|o| o["displayName"] == name).collect();
    assert_eq!(found.len(), 1, "one object named {name:?}");
    found[0]["id"].as_str().unwrap().to_string()
}
