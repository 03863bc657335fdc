//! The footprint probe (feature `footprint-probe`): extra code run per create, to tell
//! what a create's CPU time owes to the instructions it executes from what it owes to
//! the code it spreads them over.
//!
//! `FOOTPRINT_PROBE=distinct:N` calls N different small functions per create, each on a
//! 64-byte line of its own when built with `RUSTFLAGS="-C llvm-args=-align-all-functions=6"`:
//! N more lines of code per create. `FOOTPRINT_PROBE=same:N` calls the first of them N
//! times: the same instructions, one line. Unset or `off`: nothing. Same binary for all three, so
//! the difference between `distinct` and `same` is the cost of the N lines alone.

use std::hint::black_box;

include!(concat!(env!("OUT_DIR"), "/probe.rs"));

/// What the probe runs per create.
#[derive(Clone, Copy)]
pub(crate) enum Probe {
    Off,
    Distinct(usize),
    Same(usize),
}

impl Probe {
    /// From `FOOTPRINT_PROBE` (`distinct:N`, `same:N`; unset or `off`: off).
    pub(crate) fn from_env() -> Probe {
        let spec = std::env::var("FOOTPRINT_PROBE").unwrap_or_default();
        if spec.is_empty() || spec == "off" {
            return Probe::Off;
        }
        let (kind, n) = spec.split_once(':').expect("FOOTPRINT_PROBE=distinct:N or same:N");
        let n: usize = n.parse().expect("FOOTPRINT_PROBE count");
        assert!(n <= TABLE.len(), "FOOTPRINT_PROBE count is at most {}", TABLE.len());
        match kind {
            "distinct" => Probe::Distinct(n),
            "same" => Probe::Same(n),
            _ => panic!("FOOTPRINT_PROBE=distinct:N or same:N"),
        }
    }

    /// Runs the probe's calls (the same loop, and so the same instructions, either way).
    pub(crate) fn run(self) {
        let (n, stride) = match self {
            Probe::Off => return,
            Probe::Distinct(n) => (n, 1),
            Probe::Same(n) => (n, 0),
        };
        let mut x = black_box(7u64);
        for i in 0..n {
            x = black_box(TABLE[i * stride])(x);
        }
        black_box(x);
    }
}
