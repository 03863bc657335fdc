//! Loopback load driver: creates iOS SCEP certificate profiles through the full client, for
//! the benchmark in `shared/bench` (see BENCHMARKS.md).
//!
//! It speaks that harness's client contract:
//!
//! ```sh
//! cargo build --release --example loadgen --no-default-features   # plain HTTP, like the floor
//! target/release/examples/loadgen --url http://127.0.0.1:18080/beta --mode seq|conc \
//!     --n 20000 --concurrency 16 --warmup 20
//! ```
//!
//! The floor is reqwest without TLS features; `--no-default-features` builds the client on
//! the same transport. A default build (rustls compiled in, unused on `http://`) is the row
//! an application with TLS sees; BENCHMARKS.md shows both.
//!
//! and prints one line
//! `RESULT client=… mode=… n=… in_flight=… wall_s=… rps=… cpu_us_per_req=… cpu_us_per_req_total=… peak_rss_kb=…`.
//!
//! Every request takes the path an application's would: a typed
//! [`IosScepCertificateProfile`] (valid, and the same size on the wire as the harness's seed
//! body) → validation → write encoding → origin check → throttle gate → write-rate limiter →
//! token from the credential through the client's token cache → send with the default retry
//! policy and retry budget → bounded body read → typed decode of the `201 Created` object.
//! Each response is checked: the create must succeed, the object must decode as an
//! `iosScepCertificateProfile` (the typed decode refuses another `@odata.type`) and carry the
//! id the stub returns.
//!
//! The one setting changed from the defaults is the write-rate limit: Intune's 95 writes per
//! 20 s would cap the run at about 5 creates a second, so the limiter gets a window that
//! never fills (4096 per ms) and still does its bookkeeping on every write.
//!
//! Like the harness, the runtime is tokio's multi-thread runtime (one worker per core) and
//! the timed loop runs inside `tokio::spawn` (`BENCH_BLOCK_ON=1` runs it on `block_on`'s
//! thread instead). `--print-body` prints the create body the client sends and exits.
//! `--transport floor` (diagnosis only) gives the client a reqwest client configured like the
//! floor's (no request timeout), to separate what the client adds from what its transport
//! settings cost. `--variant raw` (diagnosis only) sends the same bytes through the client's raw escape hatch
//! and parses the reply into a `serde_json::Value`, as the floor does. `LOADGEN_TRACE=1` prints
//! the client's spans and events (slow; never for measured runs).

#[path = "../benches/load_profile.rs"]
mod load_profile;

use std::{
    hint::black_box,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use intune_graph::{
    Bytes, GraphClient, Method, RateLimit, StatusCode,
    api::DeviceConfigurations,
    models::{GraphEntity, IosScepCertificateProfile},
};
use serde_json::Value;

/// The id the stub returns in its 201 body.
const EXPECTED_ID: &str = "0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d";
/// The bearer token sent to the stub (it does not check it).
const DUMMY_TOKEN: &str = "dummy-token-for-loopback-benchmark";

struct Args {
    base_url: String,
    mode: String,
    n: usize,
    concurrency: usize,
    warmup: usize,
    variant: Variant,
    transport: Transport,
    print_body: bool,
}

/// The reqwest client under the client.
#[derive(Clone, Copy, PartialEq)]
enum Transport {
    /// The one the client builds (100 s request timeout, Graph-only redirects).
    Default,
    /// Diagnosis only: a reqwest client configured like the floor's (reqwest's defaults: no
    /// request timeout, so no timer per request), with redirects off as the client requires.
    /// Built with `--no-default-features` (no TLS, no HTTP/2), this is the floor's transport
    /// exactly, and the row measures what the client itself adds.
    Floor,
}

/// What each request does.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    /// The typed create (the benchmark).
    Typed,
    /// Diagnosis only: the same bytes through the client's raw escape hatch
    /// (`request_raw`), the response parsed into a `serde_json::Value`. This is the floor's
    /// work on the client's send path, so `typed` − `raw` is the cost of the typed layer
    /// (validation, encoding, typed decode) and `raw` − floor that of the send path.
    Raw,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args {
            base_url: std::env::var("BENCH_BASE_URL")
                .unwrap_or_else(|_| "http://127.0.0.1:18080/beta".into()),
            mode: "seq".into(),
            n: 2000,
            concurrency: 16,
            warmup: 20,
            variant: Variant::Typed,
            transport: Transport::Default,
            print_body: false,
        };
        let usage = || -> ! {
            eprintln!(
                "usage: loadgen [--url BASE] [--mode seq|conc] [--n N] [--concurrency C] [--warmup W] [--variant typed|raw] [--transport default|floor] [--print-body]"
            );
            std::process::exit(2)
        };
        let mut argv = std::env::args().skip(1);
        while let Some(key) = argv.next() {
            if key == "--print-body" {
                args.print_body = true;
                continue;
            }
            let Some(value) = argv.next() else { usage() };
            let number = |v: &str| v.parse::<usize>().unwrap_or_else(|_| usage());
            match key.as_str() {
                "--url" => args.base_url = value,
                "--mode" => args.mode = value,
                "--n" => args.n = number(&value),
                "--concurrency" => args.concurrency = number(&value),
                "--warmup" => args.warmup = number(&value),
                "--variant" => {
                    args.variant = match value.as_str() {
                        "typed" => Variant::Typed,
                        "raw" => Variant::Raw,
                        _ => usage(),
                    }
                }
                "--transport" => {
                    args.transport = match value.as_str() {
                        "default" => Transport::Default,
                        "floor" => Transport::Floor,
                        _ => usage(),
                    }
                }
                _ => usage(),
            }
        }
        if !(args.mode == "seq" || args.mode == "conc") || args.n == 0 || args.concurrency == 0 {
            usage();
        }
        // Every loop stays bounded.
        if args.n > 1_000_000 {
            eprintln!("--n is capped at 1000000");
            std::process::exit(2);
        }
        args
    }

    fn in_flight(&self) -> usize {
        if self.mode == "seq" { 1 } else { self.concurrency }
    }
}

struct Ctx {
    client: GraphClient,
    configurations: DeviceConfigurations,
    profile: IosScepCertificateProfile,
    variant: Variant,
    body: Bytes,
}

async fn one(ctx: &Ctx) {
    if ctx.variant == Variant::Raw {
        let path = "deviceManagement/deviceConfigurations";
        let response = match ctx.client.request_raw(Method::POST, path, Some(ctx.body.clone())).await {
            Ok(response) => response,
            Err(e) => panic!("create failed: {e}"),
        };
        assert_eq!(response.status(), StatusCode::CREATED);
        let value: Value = serde_json::from_slice(response.body()).expect("json");
        assert_eq!(value["id"].as_str(), Some(EXPECTED_ID), "unexpected id");
        black_box(value);
        return;
    }
    let created = match ctx.configurations.create(&ctx.profile).await {
        Ok(created) => created,
        Err(e) => panic!("create failed: {e}"),
    };
    assert_eq!(created.base.id.as_deref(), Some(EXPECTED_ID), "unexpected id");
    black_box(created);
}

async fn run_n(ctx: Arc<Ctx>, n: usize, in_flight: usize) {
    if in_flight <= 1 {
        for _ in 0..n {
            one(&ctx).await;
        }
        return;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..in_flight)
        .map(|_| {
            let (ctx, next) = (ctx.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    one(&ctx).await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker panicked");
    }
}

fn main() {
    let args = Args::parse();
    if std::env::var_os("LOADGEN_TRACE").is_some() {
        // Debugging only: the client's spans and events on stderr (costs CPU; not for runs).
        tracing_subscriber::fmt().with_max_level(tracing::Level::DEBUG).with_writer(std::io::stderr).init();
    }
    let profile = load_profile::profile();
    if args.print_body {
        let body = profile.to_write_json().expect("encode");
        println!("{}", String::from_utf8_lossy(&body));
        eprintln!("{} bytes", body.len());
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let bench = async move {
        let mut builder = GraphClient::builder()
            .base_url(args.base_url.as_str())
            .bearer_token(DUMMY_TOKEN)
            // The default write limit (95 per 20 s, Intune's quota) would make this a test of
            // the limiter's patience; a window that never fills keeps its code on the path.
            .write_rate_limit(Some(RateLimit::new(4096, Duration::from_millis(1))));
        if args.transport == Transport::Floor {
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build();
            builder = builder.http_client(http.expect("reqwest client"));
        }
        let client = builder.build().expect("client");
        let body = Bytes::from(profile.to_write_json().expect("encode"));
        let ctx = Arc::new(Ctx {
            configurations: client.device_configurations(),
            client,
            profile,
            variant: args.variant,
            body,
        });
        run_n(ctx.clone(), args.warmup, args.in_flight()).await;
        let (cpu0, _) = rusage::now();
        let start = Instant::now();
        run_n(ctx, args.n, args.in_flight()).await;
        let wall = start.elapsed().as_secs_f64();
        let (cpu1, peak_rss_kb) = rusage::now();
        println!(
            "RESULT client=intune-graph{}{} mode={} n={} in_flight={} wall_s={:.4} rps={:.1} cpu_us_per_req={:.2} cpu_us_per_req_total={:.2} peak_rss_kb={}",
            if args.variant == Variant::Raw { "-raw" } else { "" },
            if args.transport == Transport::Floor { "-floor-transport" } else { "" },
            args.mode,
            args.n,
            args.in_flight(),
            wall,
            args.n as f64 / wall,
            (cpu1 - cpu0) as f64 / args.n as f64,
            cpu1 as f64 / (args.n + args.warmup) as f64,
            peak_rss_kb
        );
    };
    if std::env::var_os("BENCH_BLOCK_ON").is_some_and(|v| v == "1") {
        runtime.block_on(bench);
    } else {
        runtime.block_on(async move { tokio::spawn(bench).await.expect("benchmark task panicked") });
    }
}

/// `getrusage(RUSAGE_SELF)` without a `libc` dependency.
mod rusage {
    /// (user + system CPU time of the process in µs, peak RSS in KiB)
    #[cfg(target_os = "linux")]
    pub fn now() -> (u64, u64) {
        use std::os::raw::{c_int, c_long};
        #[repr(C)]
        struct Timeval {
            tv_sec: c_long,
            tv_usec: c_long,
        }
        #[repr(C)]
        struct Rusage {
            ru_utime: Timeval,
            ru_stime: Timeval,
            ru_maxrss: c_long,
            _rest: [c_long; 13],
        }
        unsafe extern "C" {
            fn getrusage(who: c_int, usage: *mut Rusage) -> c_int;
        }
        const RUSAGE_SELF: c_int = 0;
        let mut usage = std::mem::MaybeUninit::<Rusage>::zeroed();
        // SAFETY: `Rusage` has the layout of Linux's `struct rusage`, and the call only
        // writes into it.
        let rc = unsafe { getrusage(RUSAGE_SELF, usage.as_mut_ptr()) };
        assert_eq!(rc, 0, "getrusage failed");
        // SAFETY: zero-initialised and filled in by a successful call.
        let usage = unsafe { usage.assume_init() };
        let micros = |t: &Timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
        (micros(&usage.ru_utime) + micros(&usage.ru_stime), usage.ru_maxrss as u64)
    }

    /// Not measured on this platform.
    #[cfg(not(target_os = "linux"))]
    pub fn now() -> (u64, u64) {
        (0, 0)
    }
}
