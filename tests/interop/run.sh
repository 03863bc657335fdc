#!/usr/bin/env bash
# Interop: Microsoft's Python Graph beta SDK (msgraph-beta-sdk) against the emulator.
#
#   bash tests/interop/run.sh          # from anywhere; needs Rust and python3
#
# 1. Creates (or reuses) the venv target/interop-venv and installs the pinned SDK into it
#    (requirements.txt + constraints.txt). A venv whose stamp matches both files and the
#    interpreter is reused as it is.
# 2. Builds and starts the standalone emulator (examples/emulator_server.rs) on a free
#    loopback port and waits (bounded) for its base_url= line.
# 3. Runs msgraph_beta_sdk.py against it, always stops the emulator, and exits with the
#    script's status.
#
# Knobs: PYTHON (default python3), INTEROP_VENV (default target/interop-venv),
# INTEROP_START_TIMEOUT (seconds to wait for the started emulator, default 120).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

PYTHON="${PYTHON:-python3}"
VENV="${INTEROP_VENV:-$root/target/interop-venv}"
START_TIMEOUT="${INTEROP_START_TIMEOUT:-120}"
t0=$(date +%s)

log() { printf '[interop %3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
die() {
    printf '[interop] error: %s\n' "$*" >&2
    exit 2
}

# --- 1. the venv -------------------------------------------------------------------------------

ensure_venv_module() {
    if "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
        return
    fi
    # Debian/Ubuntu ship venv/ensurepip separately.
    [[ "$(id -u)" == 0 ]] || die "$PYTHON has no working venv module; install python3-venv"
    command -v apt-get >/dev/null || die "$PYTHON has no working venv module and there is no apt-get"
    log "installing python3-venv (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -c 'import venv, ensurepip' || die "python3-venv installed, but $PYTHON still has no venv"
}

command -v "$PYTHON" >/dev/null || die "$PYTHON not found"
stamp_file="$VENV/.interop-stamp"
stamp="$(
    "$PYTHON" -c 'import sys; print(sys.version)'
    cat "$here/requirements.txt" "$here/constraints.txt"
)"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import msgraph_beta' 2>/dev/null &&
    [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    log "reusing $VENV ($("$VENV/bin/python" -c 'from msgraph_beta._version import VERSION; print("msgraph-beta-sdk", VERSION)'))"
else
    if ! [[ -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        ensure_venv_module
        rm -rf "$VENV"
        log "creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    rm -f "$stamp_file"
    log "installing the pinned SDK (requirements.txt + constraints.txt)"
    (cd "$here" && "$VENV/bin/pip" install --disable-pip-version-check -q -r requirements.txt -c constraints.txt)
    printf '%s' "$stamp" >"$stamp_file"
    log "installed $("$VENV/bin/python" -c 'from msgraph_beta._version import VERSION; print("msgraph-beta-sdk", VERSION)')"
fi

# --- 2. the emulator ---------------------------------------------------------------------------

log "building examples/emulator_server.rs"
cargo build --quiet --locked --example emulator_server

tmp="$(mktemp -d)"
emu_pid=""
cleanup() {
    local status=$?
    # Closing our end of its stdin ends the emulator by itself; the signal makes sure.
    exec 3>&- 2>/dev/null || true
    if [[ -n "$emu_pid" ]] && kill -0 "$emu_pid" 2>/dev/null; then
        kill -TERM "$emu_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$emu_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$emu_pid" 2>/dev/null || true
    fi
    [[ -n "$emu_pid" ]] && wait "$emu_pid" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The emulator runs until its stdin closes: it reads a FIFO whose only writer is fd 3 of
# this script, so it also goes away if this script is killed outright.
mkfifo "$tmp/stdin"
: >"$tmp/stdout"
: >"$tmp/stderr"
cargo run --quiet --locked --example emulator_server -- --addr 127.0.0.1:0 \
    <"$tmp/stdin" >"$tmp/stdout" 2>"$tmp/stderr" &
emu_pid=$!
exec 3>"$tmp/stdin"

base_url="" token=""
deadline=$(($(date +%s) + START_TIMEOUT))
while :; do
    base_url="$(sed -n 's/^base_url=//p' "$tmp/stdout")"
    token="$(sed -n 's/^token=//p' "$tmp/stdout")"
    [[ -n "$base_url" && -n "$token" ]] && break
    if ! kill -0 "$emu_pid" 2>/dev/null; then
        cat "$tmp/stderr" >&2
        die "the emulator exited before printing base_url= and token="
    fi
    if (($(date +%s) >= deadline)); then
        cat "$tmp/stderr" >&2
        die "no base_url= line from the emulator within ${START_TIMEOUT}s"
    fi
    sleep 0.1
done
log "emulator pid $emu_pid at $base_url"

# --- 3. the SDK --------------------------------------------------------------------------------

set +e
"$VENV/bin/python" "$here/msgraph_beta_sdk.py" --base-url "$base_url" --token "$token" 3>&-
status=$?
set -e
if ! kill -0 "$emu_pid" 2>/dev/null; then
    echo "[interop] the emulator died during the run; its stderr:" >&2
    cat "$tmp/stderr" >&2
    ((status != 0)) || status=1
fi
log "done (exit $status)"
exit "$status"
