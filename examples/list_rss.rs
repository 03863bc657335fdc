//! Memory of a long paged listing: streams every device configuration of an emulator
//! seeded with N objects through `list_all` and reports this process's peak RSS. The
//! emulator runs in a child process, so its store (all N objects) is not counted.
//!
//! ```sh
//! cargo run --release --example list_rss                 # 10,000 and 100,000 objects
//! cargo run --release --example list_rss -- measure --n 100000 --page-size 100
//! ```
//!
//! Without arguments it runs `measure` three times for 10,000 and three times for 100,000
//! objects, each in a fresh process (peak RSS is per process), and prints the lines and a
//! `SUMMARY` of the median peaks. `measure` starts
//! `list_rss serve --n N --page-size P` (this program again) as the emulator, streams the
//! items through the full client (token cache, send path, typed page decode), checks that
//! every seeded id arrives exactly once, and prints one line:
//!
//! `RSS n=… page_size=… pages=… page_bytes=… rss_kb_first_page=… peak_rss_kb=… rss_kb_every_10k=[…]`
//!
//! `page_bytes` is the wire size of one page (measured on the first page); peak RSS should
//! not grow with N by more than a page or two. The seeded objects mix SCEP, trusted root and
//! PKCS profiles with unmodelled Windows types, in the proportions of the `models` bench.
//!
//! Hostile answers (a server that sends what Graph never does):
//!
//! ```sh
//! cargo run --release --example list_rss -- hostile page    # one 63 MB page of tiny objects
//! cargo run --release --example list_rss -- hostile batch   # one 63 MB $batch answer of them
//! cargo run --release --example list_rss -- hostile base    # the same process, nothing read
//! ```
//!
//! `hostile` starts `list_rss hostile-serve` (a bare HTTP server, in its own process) that
//! answers every request with ~63 MB of 3.1 million `{"@odata.type":"#x"}`: as one
//! `deviceConfigurations` page (`page`), or as one `$batch` answer of 20 `get` steps
//! whose bodies each hold a twentieth of them in an unmodelled property (`batch`: the
//! reads an export makes). It prints `HOSTILE kind=… body_bytes=… peak_rss_kb=… outcome=…`.

use std::{
    io::{BufRead, BufReader, Read, Write},
    process::{Child, Command, ExitCode, Stdio},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use intune_graph::{GraphClient, emulator::Emulator, odata::Query};
use serde_json::{Value, json};

/// The longest a `serve` child lives, whatever happens to its parent.
const SERVE_LIMIT: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().unwrap_or_else(|_| usage()))
    };
    let (n, page_size) = (flag("--n", 100_000), flag("--page-size", 100));
    if n == 0 || n > 1_000_000 || page_size == 0 || page_size > 1000 {
        usage();
    }
    match args.first().map(String::as_str) {
        None => both(page_size),
        Some("measure") => measure(n, page_size),
        Some("serve") => serve(n, page_size),
        Some("hostile") => hostile::measure(args.get(1).map_or("page", String::as_str)),
        Some("hostile-serve") => hostile::serve(args.get(1).map_or("page", String::as_str)),
        Some(_) => usage(),
    }
}

fn usage() -> ! {
    eprintln!("usage: list_rss [measure|serve] [--n N (1..=1000000)] [--page-size P (1..=1000)]");
    eprintln!("       list_rss hostile [page|batch|base]");
    std::process::exit(2)
}

/// Runs `measure` three times each for 10k and 100k objects, each run in its own process,
/// then compares the median peaks.
fn both(page_size: usize) -> ExitCode {
    let exe = std::env::current_exe().expect("own path");
    let mut medians = Vec::new();
    let mut page_bytes = 0u64;
    for n in [10_000, 100_000] {
        let mut peaks = Vec::new();
        for _ in 0..3 {
            let output = Command::new(&exe)
                .args(["measure", "--n", &n.to_string(), "--page-size", &page_size.to_string()])
                .stderr(Stdio::inherit())
                .output()
                .expect("run measure");
            let line = String::from_utf8_lossy(&output.stdout).into_owned();
            print!("{line}");
            if !output.status.success() {
                return ExitCode::FAILURE;
            }
            let field = |name: &str| {
                line.split_whitespace()
                    .find_map(|w| w.strip_prefix(name)?.strip_prefix('=')?.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            peaks.push(field("peak_rss_kb"));
            page_bytes = field("page_bytes");
        }
        peaks.sort_unstable();
        medians.push((n, peaks[1]));
    }
    let ((n1, p1), (n2, p2)) = (medians[0], medians[1]);
    let growth_kb = p2 as i64 - p1 as i64;
    println!(
        "SUMMARY median peak RSS: {n1} objects {p1} KiB, {n2} objects {p2} KiB; growth {growth_kb} KiB = {:.2} pages of {} KiB on the wire",
        growth_kb as f64 * 1024.0 / page_bytes.max(1) as f64,
        page_bytes / 1024
    );
    ExitCode::SUCCESS
}

/// Current resident set size in KiB (from `/proc/self/statm`; 0 where there is none).
fn current_rss_kb() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
    pages * 4
}

/// Runs this program again with `args` (a server in a process of its own, `what`) and reads
/// the line it prints once it listens: `READY` and two words, returned with the child. On
/// any other line, says so and stops the child.
fn start_child(args: &[&str], what: &str) -> Option<(Child, [String; 2])> {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start the {what}: {e:?}"));
    let mut ready = String::new();
    BufReader::new(child.stdout.take().expect("child stdout"))
        .read_line(&mut ready)
        .unwrap_or_else(|e| panic!("the {what}'s first line: {e:?}"));
    if let ["READY", first, second, ..] = ready.split_whitespace().collect::<Vec<_>>()[..] {
        return Some((child, [first.to_owned(), second.to_owned()]));
    }
    eprintln!("the {what} did not start: {ready:?}");
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn measure(n: usize, page_size: usize) -> ExitCode {
    let serve = ["serve", "--n", &n.to_string(), "--page-size", &page_size.to_string()];
    let Some((mut child, [base_url, token])) = start_child(&serve, "emulator process") else {
        return ExitCode::FAILURE;
    };

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let outcome = runtime.block_on(async move {
        let client = GraphClient::builder().base_url(base_url).bearer_token(token).build()?;
        let configurations = client.device_configurations();
        // One page's wire size, read through the raw page API once, before the measurement.
        let first = configurations.list(&Query::new()).await?;
        let page_bytes = serde_json::to_vec(&json!({ "value": first.items })).map_or(0, |v| v.len());
        drop(first);

        let started = Instant::now();
        let mut items = configurations.list_all(&Query::new());
        // One bit per seeded object (12.5 KiB for 100k), so the check itself does not grow RSS.
        let mut seen = vec![0u64; n.div_ceil(64)];
        let mut listed = 0usize;
        let mut every_10k = Vec::new();
        let mut rss_first_page = 0;
        while let Some(item) = items.next().await {
            let item = item?;
            let id = item.id().unwrap_or_default();
            // Ids are "list-<index>".
            let index = id.strip_prefix("list-").and_then(|i| i.parse::<usize>().ok()).filter(|i| *i < n);
            let Some(index) = index else { return Err(format!("unexpected id {id:?}").into()) };
            let (word, bit) = (index / 64, 1u64 << (index % 64));
            if seen[word] & bit != 0 {
                return Err(format!("id {id:?} listed twice").into());
            }
            seen[word] |= bit;
            listed += 1;
            if listed == page_size {
                rss_first_page = current_rss_kb();
            }
            if listed % 10_000 == 0 {
                every_10k.push(current_rss_kb());
            }
        }
        if listed != n {
            return Err(format!("listed {listed} of {n} objects").into());
        }
        let pages = items.pages().pages_read();
        Ok::<_, Box<dyn std::error::Error>>((pages, page_bytes, rss_first_page, every_10k, started.elapsed()))
    });
    // Closing its stdin stops the emulator process.
    drop(child.stdin.take());
    let _ = child.wait();
    match outcome {
        Ok((pages, page_bytes, rss_first_page, every_10k, elapsed)) => {
            let peak = peak_rss_kb();
            println!(
                "RSS n={n} page_size={page_size} pages={pages} page_bytes={page_bytes} rss_kb_first_page={rss_first_page} peak_rss_kb={peak} rss_kb_every_10k={every_10k:?} list_s={:.2}",
                elapsed.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The emulator process: seeds `n` objects, prints `READY <base url> <token>`, serves until
/// its stdin closes (or `SERVE_LIMIT` passes).
fn serve(n: usize, page_size: usize) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let emulator = Emulator::new().page_size(page_size).start().await.expect("start the emulator");
        let certificate = base64_blob(1000);
        for i in 0..n {
            emulator.state().insert_raw(object(i, &certificate));
        }
        println!("READY {} {}", emulator.base_url(), emulator.token());
        std::io::stdout().flush().expect("stdout");
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        });
        let _ = tokio::time::timeout(SERVE_LIMIT, stdin_closed).await;
        emulator.shutdown().await;
    });
    ExitCode::SUCCESS
}

/// Object `i`: per 10, 5 SCEP, 2 trusted root, 2 PKCS and 1 unmodelled Windows Wi-Fi profile.
fn object(i: usize, certificate: &str) -> Value {
    let common = json!({
        "id": format!("list-{i}"),
        "roleScopeTagIds": ["0"],
        "supportsScopeTags": true,
        "deviceManagementApplicabilityRuleOsEdition": null,
        "deviceManagementApplicabilityRuleOsVersion": null,
        "deviceManagementApplicabilityRuleDeviceMode": null,
        "description": "Seeded by examples/list_rss.rs",
        "version": 1,
    });
    let specific = match i % 10 {
        0 | 1 | 4 | 5 | 8 => json!({
            "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
            "displayName": format!("iOS SCEP - Corporate Wi-Fi {i}"),
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonNameAsEmail",
            "subjectAlternativeNameType": "userPrincipalName",
            "certificateValidityPeriodValue": 1,
            "certificateValidityPeriodScale": "years",
            "scepServerUrls": ["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
            "subjectNameFormatString": null,
            "keyUsage": "keyEncipherment,digitalSignature",
            "keySize": "size2048",
            "extendedKeyUsages": [{
                "@odata.type": "microsoft.graph.extendedKeyUsage",
                "name": "Client Authentication",
                "objectIdentifier": "1.3.6.1.5.5.7.3.2"
            }],
            "subjectAlternativeNameFormatString": null,
            "certificateStore": "user",
            "customSubjectAlternativeNames": []
        }),
        2 | 6 => json!({
            "@odata.type": "#microsoft.graph.iosTrustedRootCertificate",
            "displayName": format!("Contoso Root CA {i}"),
            "trustedRootCertificate": certificate,
            "certFileName": "contoso-root-ca.cer"
        }),
        3 | 7 => json!({
            "@odata.type": "#microsoft.graph.iosPkcsCertificateProfile",
            "displayName": format!("iOS PKCS - VPN {i}"),
            "renewalThresholdPercentage": 20,
            "subjectNameFormat": "commonNameAsEmail",
            "certificateValidityPeriodValue": 2,
            "certificateValidityPeriodScale": "years",
            "certificationAuthority": "ca01.contoso.com",
            "certificationAuthorityName": "Contoso Issuing CA 01",
            "certificateTemplateName": "IntuneUserPkcs",
            "certificateStore": "user",
            "customSubjectAlternativeNames": [{
                "@odata.type": "microsoft.graph.customSubjectAlternativeName",
                "sanType": "userPrincipalName",
                "name": "{{UserPrincipalName}}"
            }]
        }),
        _ => json!({
            "@odata.type": "#microsoft.graph.windowsWifiConfiguration",
            "displayName": format!("Windows Wi-Fi - Guest {i}"),
            "wifiSecurityType": "wpa2Personal",
            "ssid": "Contoso-Guest",
            "networkName": "Contoso Guest",
            "connectAutomatically": true,
            "proxySetting": "none",
            "proxyManualAddress": null,
            "meteredConnectionLimit": "unrestricted"
        }),
    };
    let (Value::Object(mut object), Value::Object(specific)) = (common, specific) else { unreachable!() };
    object.extend(specific);
    Value::Object(object)
}

/// Base64 of `len` pseudo-random bytes (a DER certificate's stand-in).
fn base64_blob(len: usize) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = (0..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut out = String::with_capacity(len.div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// `getrusage(RUSAGE_SELF).ru_maxrss` in KiB, without a `libc` dependency.
#[cfg(target_os = "linux")]
fn peak_rss_kb() -> u64 {
    use std::os::raw::{c_int, c_long};
    #[repr(C)]
    struct Rusage {
        ru_utime: [c_long; 2],
        ru_stime: [c_long; 2],
        ru_maxrss: c_long,
        _rest: [c_long; 13],
    }
    unsafe extern "C" {
        fn getrusage(who: c_int, usage: *mut Rusage) -> c_int;
    }
    let mut usage = std::mem::MaybeUninit::<Rusage>::zeroed();
    // SAFETY: `Rusage` has the layout of Linux's `struct rusage`; the call only writes it.
    let rc = unsafe { getrusage(0, usage.as_mut_ptr()) };
    // SAFETY: zero-initialised and filled in by the call.
    if rc == 0 { unsafe { usage.assume_init() }.ru_maxrss as u64 } else { 0 }
}

/// Not measured on this platform.
#[cfg(not(target_os = "linux"))]
fn peak_rss_kb() -> u64 {
    0
}

/// Answers that cost memory out of proportion to their bytes, from a server in its own
/// process; the client's peak RSS against the bytes it was sent.
mod hostile {
    use std::{io::Write, process::ExitCode, time::Duration};

    use intune_graph::{GraphClient, odata::Query};
    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpListener,
    };

    /// The tiny object, 3.1 million times.
    const TINY: &str = r##"{"@odata.type":"#x"}"##;
    const COUNT: usize = 3_100_000;
    /// The steps of the batch answer: one envelope's worth.
    const STEPS: usize = 20;

    /// `n` tiny objects, comma-separated.
    fn tiny_array(n: usize) -> String {
        let mut out = String::with_capacity(n * (TINY.len() + 1) + 2);
        out.push('[');
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            out.push_str(TINY);
        }
        out.push(']');
        out
    }

    /// The body the server sends for `kind`.
    fn body(kind: &str) -> String {
        if kind == "batch" {
            let array = tiny_array(COUNT / STEPS);
            let steps: Vec<String> = (0..STEPS)
                .map(|i| {
                    format!(
                        r##"{{"id":"{i}","status":200,"headers":{{"Content-Type":"application/json"}},"body":{{"@odata.type":"#microsoft.graph.windowsWifiConfiguration","id":"p{i}","displayName":"p{i}","junk":{array}}}}}"##
                    )
                })
                .collect();
            format!(r#"{{"responses":[{}]}}"#, steps.join(","))
        } else {
            format!(r#"{{"value":{}}}"#, tiny_array(COUNT))
        }
    }

    /// The server: prints `READY <port> <body bytes>`, answers every request with the body
    /// until its stdin closes (or a minute passes).
    pub fn serve(kind: &str) -> ExitCode {
        let body = body(kind);
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let port = listener.local_addr().expect("address").port();
            println!("READY {port} {}", body.len());
            std::io::stdout().flush().expect("stdout");
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            let served = async {
                loop {
                    let Ok((mut socket, _)) = listener.accept().await else { return };
                    let (head, body) = (head.clone(), body.clone());
                    tokio::spawn(async move {
                        let mut request = vec![0u8; 64 * 1024];
                        let _ = socket.read(&mut request).await;
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(body.as_bytes()).await;
                    });
                }
            };
            let stdin_closed = tokio::task::spawn_blocking(|| {
                let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
            });
            tokio::select! {
                () = served => {}
                _ = stdin_closed => {}
                () = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        });
        ExitCode::SUCCESS
    }

    /// Reads the hostile answer of `kind` through the client and prints the peak RSS.
    pub fn measure(kind: &str) -> ExitCode {
        let Some((mut child, [port, bytes])) = super::start_child(&["hostile-serve", kind], "server") else {
            return ExitCode::FAILURE;
        };
        let base = format!("http://127.0.0.1:{port}/beta");
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        let outcome = runtime.block_on(async move {
            let client = GraphClient::builder()
                .base_url(base)
                .bearer_token("t")
                .retry_policy(intune_graph::RetryPolicy::none())
                .build()
                .expect("client");
            let configurations = client.device_configurations();
            match kind {
                "batch" => {
                    let ids: Vec<String> = (0..20).map(|i| format!("p{i}")).collect();
                    match configurations.get_many(&ids).await {
                        Ok(results) => {
                            let ok = results.iter().filter(|r| r.is_ok()).count();
                            format!("steps_ok={ok}/{}", results.len())
                        }
                        Err(e) => format!("error={e}"),
                    }
                }
                "page" => match configurations.list(&Query::new()).await {
                    Ok(page) => format!("items={}", page.len()),
                    Err(e) => format!("refused={:?}", e.to_string()),
                },
                _ => "nothing_read".to_owned(),
            }
        });
        drop(child.stdin.take());
        let _ = child.wait();
        println!(
            "HOSTILE kind={kind} body_bytes={bytes} peak_rss_kb={} outcome={outcome}",
            super::peak_rss_kb()
        );
        ExitCode::SUCCESS
    }
}
