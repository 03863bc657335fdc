#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after another for a fixed time each, and prints per
# target the executions, the seconds and whether it crashed.
#
#   fuzz/run.sh [SECONDS] [TARGET...] [-- LIBFUZZER_ARGS...]
#
# SECONDS defaults to 60; no TARGET means every target. Needs the nightly toolchain;
# installs cargo-fuzz if it is missing. Corpora grow in fuzz/corpus/TARGET (not committed)
# and start from the committed seeds in fuzz/seeds/TARGET; a crash leaves its input in
# fuzz/artifacts/TARGET. FUZZ_SANITIZER=address turns AddressSanitizer on (off by default:
# the crate forbids unsafe code, and without it a target runs about twice as fast).
# Exits 1 when any target crashed.
set -euo pipefail
cd "$(dirname "$0")"

seconds=60
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi
targets=()
while [[ $# -gt 0 && $1 != -- ]]; do
    targets+=("$1")
    shift
done
[[ ${1:-} == -- ]] && shift
extra=("$@")

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

sanitizer=${FUZZ_SANITIZER:-none}
cargo +nightly fuzz build --sanitizer "$sanitizer"

mkdir -p logs
summary=()
crashed=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    seeds=()
    [[ -d seeds/$target ]] && seeds=("seeds/$target")
    log="logs/$target.log"
    echo "== $target: ${seconds}s" >&2
    status=0
    cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/.*Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
    if [[ $status -eq 0 ]]; then
        verdict="no crash"
    else
        verdict="CRASHED (exit $status; see fuzz/$log and fuzz/artifacts/$target)"
        crashed=1
    fi
    summary+=("$(printf '%-12s %14s executions %6ss  %s' "$target" "${execs:-?}" "${took:-?}" "$verdict")")
done

printf '\n%s\n' "${summary[@]}"
exit "$crashed"
