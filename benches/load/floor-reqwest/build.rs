//! With the `footprint-probe` feature: writes `probe.rs`, 1,024 small distinct functions
//! and a table of them (see `src/footprint_probe.rs`). Without it: an empty file, and the
//! floor is the floor.

use std::{env, fmt::Write, fs, path::Path};

/// As many functions as the probe can spread a create's extra code over.
const FUNCTIONS: u64 = 1024;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut code = String::new();
    if env::var_os("CARGO_FEATURE_FOOTPRINT_PROBE").is_some() {
        for i in 0..FUNCTIONS {
            // Distinct constants, so that no two functions are merged into one.
            let factor = 0x9E37_79B9_7F4A_7C15u64 ^ i.wrapping_mul(2_654_435_761);
            writeln!(
                code,
                "#[inline(never)] fn f{i}(x: u64) -> u64 {{ x.wrapping_mul({factor:#x}).rotate_left({}) }}",
                i % 63 + 1
            )
            .unwrap();
        }
        let names: Vec<String> = (0..FUNCTIONS).map(|i| format!("f{i}")).collect();
        writeln!(code, "pub(crate) static TABLE: [fn(u64) -> u64; {FUNCTIONS}] = [{}];", names.join(", "))
            .unwrap();
    }
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("probe.rs");
    fs::write(out, code).unwrap();
}
