//! Shared helpers of the `cli_*` tests: build the `intune` binary once, run it with a
//! clean environment against an emulator started in the test process, and read the result.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    sync::OnceLock,
    time::Duration,
};

use intune_graph::{
    GraphClient,
    emulator::{Emulator, RunningEmulator},
    models::DeviceConfiguration,
    odata::Query,
};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use wiremock::{
    Mock, MockBuilder,
    matchers::{method, path},
};

/// The token the test emulators accept: distinctive, so a leak is easy to spot.
pub const TOKEN: &str = "cli-test-token-5b1f0e7d9a";
pub const SCEP: &str = "#microsoft.graph.iosScepCertificateProfile";
pub const ROOT: &str = "#microsoft.graph.iosTrustedRootCertificate";
pub const COLLECTION: &str = "deviceManagement/deviceConfigurations";

/// A wiremock mock of the `verb` requests to exactly `route`.
pub fn when(verb: &str, route: impl Into<String>) -> MockBuilder {
    Mock::given(method(verb)).and(path(route))
}

/// How long one run of the command may take before the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// The path of the `intune` binary: the one cargo built for this test run when the `cli`
/// feature is on, else built once per test process with `cargo build --bin intune --features
/// cli` (with this build's TLS features) and located through cargo's JSON messages.
pub fn intune_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(built) = option_env!("CARGO_BIN_EXE_intune") {
            return PathBuf::from(built);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let mut command = std::process::Command::new(cargo);
        command.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--quiet",
            "--offline",
            "--bin",
            "intune",
            "--message-format=json",
        ]);
        let mut features = vec!["cli"];
        for (on, name) in [
            (cfg!(feature = "rustls"), "rustls"),
            (cfg!(feature = "http2"), "http2"),
            (cfg!(feature = "native-tls"), "native-tls"),
            (cfg!(feature = "azure-identity"), "azure-identity"),
        ] {
            if on {
                features.push(name);
            }
        }
        command.arg("--no-default-features").arg("--features").arg(features.join(","));
        let output = command.stderr(Stdio::inherit()).output().expect("cargo build --bin intune runs");
        assert!(output.status.success(), "cargo build --bin intune failed: {}", output.status);
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|message| {
                message["reason"] == "compiler-artifact"
                    && message["target"]["name"] == "intune"
                    && message["target"]["kind"].as_array().is_some_and(|k| k.contains(&json!("bin")))
            })
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the intune binary's executable")
    })
}

/// The result of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts `expect` of stdout, showing stdout when it fails.
    #[track_caller]
    pub fn assert_stdout(&self, expect: Expect<'_>) -> &Self {
        expect.check("stdout", &self.stdout);
        self
    }

    /// Asserts `expect` of stderr, showing stderr when it fails.
    #[track_caller]
    pub fn assert_stderr(&self, expect: Expect<'_>) -> &Self {
        expect.check("stderr", &self.stderr);
        self
    }

    /// The lines of stdout.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// What an output stream of a run must hold ([`Run::assert_stdout`], [`Run::assert_stderr`]).
pub enum Expect<'a> {
    /// The text, anywhere.
    Has(&'a str),
    /// The text, at the end.
    EndsWith(&'a str),
}

pub use Expect::{EndsWith, Has};

impl Expect<'_> {
    #[track_caller]
    fn check(&self, stream: &str, output: &str) {
        let (holds, wanted, text) = match *self {
            Has(text) => (output.contains(text), "contain", text),
            EndsWith(text) => (output.ends_with(text), "end with", text),
        };
        assert!(holds, "{stream} should {wanted} {text:?}:\n{output}");
    }
}

/// A command for the `intune` binary with an empty environment (no GRAPH_* or AZURE_*
/// variables of the developer's, no proxies), killed if the test ends first.
pub fn command<I, S>(args: I) -> tokio::process::Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = tokio::process::Command::new(intune_bin());
    command.args(args).env_clear().kill_on_drop(true);
    // Windows needs these for sockets and temporary files.
    for name in ["SYSTEMROOT", "TEMP", "TMP"] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
}

/// Runs `intune` with `args`, an empty environment plus `env`, and `stdin` as input.
pub async fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
    let mut command = command(args);
    command.envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = command.spawn().expect("the intune binary starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input).await.expect("write stdin");
        drop(pipe);
    }
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("intune {args:?} did not finish within {RUN_TIMEOUT:?}"))
        .expect("wait for intune");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `intune` with `args` and no input.
pub async fn run(args: &[&str]) -> Run {
    run_with(args, &[], None).await
}

/// Runs `intune --base-url <emulator> --token <token> --output <format> <args…>`.
pub async fn run_at(emu: &RunningEmulator, format: &str, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let base_url = emu.base_url().to_string();
    let mut all = vec!["--base-url", &base_url, "--token", emu.token(), "--output", format];
    all.extend_from_slice(args);
    run_with(&all, &[], stdin).await
}

/// An emulator accepting [`TOKEN`].
pub async fn emulator() -> RunningEmulator {
    start(Emulator::new()).await
}

/// Starts `emulator` with [`TOKEN`].
pub async fn start(emulator: Emulator) -> RunningEmulator {
    emulator.token(TOKEN).start().await.expect("the emulator starts")
}

/// A client of `emu`, to read what the service really sends.
pub fn client(emu: &RunningEmulator) -> GraphClient {
    GraphClient::builder().base_url(emu.base_url().as_str()).bearer_token(emu.token()).build().unwrap()
}

/// The raw JSON of `GET …/deviceConfigurations/{id}`.
pub async fn raw_get(emu: &RunningEmulator, id: &str) -> Value {
    client(emu).get_json(&format!("{COLLECTION}/{id}")).await.unwrap()
}

/// Every item of the collection as raw JSON, over all pages.
pub async fn raw_list(emu: &RunningEmulator, query: &Query) -> Vec<Value> {
    client(emu).list_items::<Value>(COLLECTION, query).collect_all().await.unwrap()
}

/// What the crate makes of `raw`: decoded as a `DeviceConfiguration` and re-encoded (flag
/// sets come back in schema order; everything else as sent).
pub fn reencoded(raw: &Value) -> Value {
    let config: DeviceConfiguration = serde_json::from_value(raw.clone()).expect("decodes");
    serde_json::to_value(config).unwrap()
}

/// [`reencoded`] of every item.
pub fn reencoded_all(raw: &[Value]) -> Value {
    Value::Array(raw.iter().map(reencoded).collect())
}

/// A valid iOS SCEP profile create body.
pub fn scep_profile(name: &str) -> Value {
    json!({
        "@odata.type": SCEP,
        "displayName": name,
        "description": "CLI test",
        "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
        "keyUsage": "digitalSignature,keyEncipherment",
        "keySize": "size2048",
        "subjectNameFormat": "commonNameAsEmail",
        "certificateValidityPeriodValue": 1,
        "certificateValidityPeriodScale": "years",
        "renewalThresholdPercentage": 20,
        "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}],
        "certificateStore": "user"
    })
}

/// A trusted root profile as stored.
pub fn root_profile(name: &str) -> Value {
    json!({
        "@odata.type": ROOT,
        "displayName": name,
        "certFileName": "root.cer",
        "trustedRootCertificate": "MIIBszCCAVmgAwIBAgIUQ2xp"
    })
}

/// The repository's full SCEP fixture as stored by the service (no `@odata.context`).
pub fn scep_fixture() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scep-full-current.json"),
    )
    .expect("fixture");
    let mut value: Value = serde_json::from_str(&text).expect("fixture JSON");
    value.as_object_mut().unwrap().remove("@odata.context");
    value
}

/// `value` as bytes, for stdin.
pub fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The request-id named in an error line: `request-id <uuid>`.
pub fn request_id(stderr: &str) -> Option<uuid::Uuid> {
    let start = stderr.find("(request-id ")? + "(request-id ".len();
    let id: String = stderr[start..].chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    uuid::Uuid::parse_str(&id).ok()
}
