//! Creates an iOS SCEP certificate profile and prints the `201 Created` object as JSON.
//!
//! ```sh
//! cargo run --example create_scep_profile
//! ```
//!
//! Where it sends the request:
//! - `GRAPH_BASE_URL` (+ `GRAPH_TOKEN`): that endpoint with that bearer token;
//! - `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` (optional
//!   `AZURE_AUTHORITY_HOST`, `GRAPH_CLOUD` = global | usgov | usgov-dod | china): a real tenant,
//!   with an app registration that has `DeviceManagementConfiguration.ReadWrite.All`
//!   (application permission, admin-consented);
//! - nothing set: the crate's embedded emulator, started in this process on 127.0.0.1.

use std::process::ExitCode;

use intune_graph::{
    GraphClient,
    auth::EnvironmentCredential,
    cloud::NationalCloud,
    emulator::Emulator,
    models::{
        AppleSubjectNameFormat, CertificateStore, CertificateValidityPeriodScale, IosScepCertificateProfile,
        KeySize, KeyUsages, KnownEku, SubjectAlternativeNameType,
    },
};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // Kept alive until the end of `run`, so the embedded emulator keeps serving.
    let mut _emulator = None;
    let client = if let Some(base_url) = env("GRAPH_BASE_URL") {
        let token = env("GRAPH_TOKEN").ok_or("GRAPH_BASE_URL is set but GRAPH_TOKEN is not")?;
        eprintln!("using {base_url}");
        GraphClient::builder().base_url(base_url).bearer_token(token).build()?
    } else if env("AZURE_TENANT_ID").is_some() || env("AZURE_CLIENT_ID").is_some() {
        let cloud: NationalCloud = env("GRAPH_CLOUD").as_deref().unwrap_or("global").parse()?;
        let mut credential = EnvironmentCredential::from_env()?;
        // An explicit AZURE_AUTHORITY_HOST wins over the cloud's default sign-in host.
        if env("AZURE_AUTHORITY_HOST").is_none() {
            credential = credential.with_cloud(cloud);
        }
        eprintln!("using Microsoft Graph ({cloud}) with the app in AZURE_CLIENT_ID");
        GraphClient::builder().cloud(cloud).credential(credential).build()?
    } else {
        let emulator = Emulator::new().start().await?;
        eprintln!("no credentials configured: using the embedded emulator at {}", emulator.base_url());
        let client = GraphClient::builder()
            .base_url(emulator.base_url().as_str())
            .bearer_token(emulator.token())
            .build()?;
        _emulator = Some(emulator);
        client
    };

    let profile = IosScepCertificateProfile::builder()
        .display_name("iOS SCEP - Corporate Wi-Fi")
        .description("User certificate for 802.1X EAP-TLS on corporate iPhones and iPads")
        .scep_server_url("https://ndes.contoso.com/certsrv/mscep/mscep.dll")
        .key_usage(KeyUsages::DIGITAL_SIGNATURE | KeyUsages::KEY_ENCIPHERMENT)
        .key_size(KeySize::Size2048)
        .subject_name_format(AppleSubjectNameFormat::CommonNameAsEmail)
        .subject_alternative_name_type(SubjectAlternativeNameType::USER_PRINCIPAL_NAME)
        .validity(1, CertificateValidityPeriodScale::Years)
        .renewal_threshold_percentage(20)
        .extended_key_usage(KnownEku::CLIENT_AUTHENTICATION)
        .certificate_store(CertificateStore::User)
        .role_scope_tag_ids(["0"])
        .build()?;

    let created = client.device_configurations().create(&profile).await?;
    println!("{}", serde_json::to_string_pretty(&created)?);
    Ok(())
}
