//! The Graph emulator as a standalone process, for clients in other languages (the
//! interop tests in `tests/interop/` point Microsoft's Python beta SDK at it).
//!
//! ```sh
//! cargo run --example emulator_server -- --addr 127.0.0.1:0
//! ```
//!
//! Once it listens it prints, and flushes, two lines on stdout:
//!
//! ```text
//! base_url=http://127.0.0.1:41234/beta
//! token=emulator-token
//! ```
//!
//! Send `Authorization: Bearer <token>` with every `/beta` request. The process runs
//! until it gets SIGINT or SIGTERM, or until its standard input reaches end-of-file, so
//! a parent that holds the other end of a pipe cannot leave it behind by dying.
//! `--ignore-stdin` turns the last off (for a shell's `&`, whose stdin is `/dev/null`).

use std::io::{Read, Write};
use std::net::SocketAddr;

use clap::Parser;
use intune_graph::emulator::{DEFAULT_TOKEN, Emulator};

/// Serve the Microsoft Graph beta emulator on loopback.
#[derive(Parser, Debug)]
struct Args {
    /// Address to bind; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// The static bearer token `/beta` accepts.
    #[arg(long, default_value = DEFAULT_TOKEN)]
    token: String,
    /// Page size of the list route when `$top` is absent.
    #[arg(long)]
    page_size: Option<usize>,
    /// Answer PATCH with 200 and the entity instead of 204.
    #[arg(long)]
    patch_returns_entity: bool,
    /// Keep running when stdin reaches end-of-file.
    #[arg(long)]
    ignore_stdin: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut emulator =
        Emulator::new().addr(args.addr).token(args.token).patch_returns_entity(args.patch_returns_entity);
    if let Some(n) = args.page_size {
        emulator = emulator.page_size(n);
    }
    let running = emulator.start().await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "base_url={}", running.base_url())?;
        writeln!(out, "token={}", running.token())?;
        out.flush()?;
    }

    let stdin_closed = async {
        if args.ignore_stdin {
            std::future::pending::<()>().await;
        }
        // Reads (and discards) stdin on a blocking thread until end-of-file or an error.
        let _ = tokio::task::spawn_blocking(|| {
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin().lock();
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
        })
        .await;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated() => {}
        () = stdin_closed => {}
    }
    running.shutdown().await;
    // The blocking stdin reader may still be parked in read(2); do not wait for it.
    std::process::exit(0);
}

/// Resolves on SIGTERM (never where there is no such signal).
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut sigterm) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        sigterm.recv().await;
        return;
    }
    std::future::pending::<()>().await;
}
