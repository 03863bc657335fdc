#!/usr/bin/env bash
# run-peers.sh -- loopback benchmark of Microsoft Graph beta clients against a
# stub endpoint: the raw-reqwest FLOOR and the PEERS (msgraph-beta-sdk for
# Python, graph-rs-sdk for Rust), each creating an iosScepCertificateProfile
# (POST /beta/deviceManagement/deviceConfigurations -> 201 + JSON object).
#
# Steps: install what is missing (idempotent) -> start the nginx stub on
# 127.0.0.1 from a temp dir -> run every client in "seq" and "conc" mode REPS
# times (interleaved) -> stop the stub by its own pid -> print the table.
#
# Settings (environment variables):
#   N=2000          timed requests per run          REPS=3    runs per client+mode
#   CONC=16         requests in flight in conc mode WARMUP=20 untimed requests first
#   PORT=18080      stub port on 127.0.0.1          LIST_N=25 objects in the GET list page
#   PY_N=$N         N for the Python SDK only (it needs ~13 ms CPU per request)
#   RUN_TIMEOUT=300 seconds per client run (every loop is bounded)
#   CLIENTS="floor-reqwest-value floor-reqwest-discard intune-graph intune-graph-app"   the default;
#       the peers are optional: add graph-rs-sdk and/or msgraph-beta-sdk-py; floor-reqwest-typed
#       is the typed floor (a serde-derived model, nothing else; BENCHMARKS.md "What being typed costs")
#   EXTRA_CLIENTS="name=command args;name2=command2"   more clients, same CLI contract:
#       COMMAND --url BASE --mode seq|conc --n N --concurrency C --warmup W
#       printing one line "RESULT ... rps=.. cpu_us_per_req=.. cpu_us_per_req_total=..
#       peak_rss_kb=.. n=.. in_flight=.." (see rust-common/harness.rs); commands
#       run from this folder and are word-split (no quoting).
#   SKIP_INSTALL=1  do not install/build anything (fail if missing)
#
# Only 127.0.0.1 is ever contacted (installs use the package registries).

set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

N="${N:-2000}"
REPS="${REPS:-3}"
CONC="${CONC:-16}"
WARMUP="${WARMUP:-20}"
PORT="${PORT:-18080}"
LIST_N="${LIST_N:-25}"
PY_N="${PY_N:-$N}"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"
CLIENTS="${CLIENTS:-floor-reqwest-value floor-reqwest-discard intune-graph intune-graph-app}"
EXTRA_CLIENTS="${EXTRA_CLIENTS:-}"
SKIP_INSTALL="${SKIP_INSTALL:-0}"
FLOOR_CLIENT="floor-reqwest-value"

BASE_URL="http://127.0.0.1:${PORT}/beta"
CREATE_URL="${BASE_URL}/deviceManagement/deviceConfigurations"

log() { printf '[run-peers] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for v in N REPS CONC WARMUP PORT LIST_N PY_N RUN_TIMEOUT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (got '${!v}')"
done
(( N >= 1 && N <= 1000000 && PY_N >= 1 && PY_N <= 1000000 )) || die "N/PY_N must be in 1..1000000"
(( REPS >= 1 && REPS <= 50 )) || die "REPS must be in 1..50"

# ---------------------------------------------------------------- clients ----
declare -A CMD=(
    [floor-reqwest-value]="floor-reqwest/target/release/floor-reqwest --variant value"
    [floor-reqwest-discard]="floor-reqwest/target/release/floor-reqwest --variant discard"
    [floor-reqwest-typed]="floor-reqwest/target/release/floor-reqwest --variant typed"
    [graph-rs-sdk]="peer-graph-rs/target/release/peer-graph-rs"
    [msgraph-beta-sdk-py]=".venv/bin/python py-msgraph-beta/client.py"
    # This repository's client: examples/loadgen.rs on the floor's transport (no TLS, no HTTP/2).
    [intune-graph]="../../target/release/examples/loadgen"
    # The same client built as an application builds it (intune-graph/Cargo.toml): without the
    # repository's dev-dependencies, whose features (tokio's test-util, hyper's server and
    # HTTP/2 from wiremock) Cargo compiles into an example's transport but not into the floor's.
    [intune-graph-app]="intune-graph/target/release/loadgen"
)
ORDER=()
for name in $CLIENTS; do
    [[ -n "${CMD[$name]:-}" ]] || die "unknown client '$name' (known: ${!CMD[*]})"
    ORDER+=("$name")
done
if [[ -n "$EXTRA_CLIENTS" ]]; then
    IFS=';' read -r -a extras <<< "$EXTRA_CLIENTS"
    for spec in "${extras[@]}"; do
        [[ -z "${spec// /}" ]] && continue
        name="${spec%%=*}"; cmd="${spec#*=}"
        [[ "$name" != "$spec" && -n "$name" && -n "$cmd" ]] || die "bad EXTRA_CLIENTS entry '$spec' (want name=command)"
        CMD[$name]="$cmd"
        ORDER+=("$name")
    done
fi
wants() { local c; for c in "${ORDER[@]}"; do [[ "$c" == "$1" ]] && return 0; done; return 1; }

# ---------------------------------------------------------------- install ----
NGINX="$(command -v nginx || true)"
[[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx

install_all() {
    if [[ -z "$NGINX" ]]; then
        [[ "$(id -u)" == 0 ]] || die "nginx is missing; install it as root (apt-get install -y nginx)"
        log "installing nginx (Debian package)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
        NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
    fi
    if wants msgraph-beta-sdk-py; then
        if [[ ! -x .venv/bin/python ]]; then
            log "creating .venv"
            if ! python3 -m venv .venv; then
                [[ "$(id -u)" == 0 ]] || die "python3 -m venv failed; install python3-venv"
                rm -rf .venv
                apt-get update -qq
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
                python3 -m venv .venv
            fi
        fi
        local want have
        want="$(sed -n 's/^msgraph-beta-sdk==//p' py-msgraph-beta/requirements.txt)"
        have="$(.venv/bin/python -c 'from msgraph_beta._version import VERSION; print(VERSION)' 2>/dev/null || true)"
        if [[ "$have" != "$want" ]]; then
            log "installing msgraph-beta-sdk==$want into .venv (have: ${have:-none})"
            .venv/bin/pip install -q --disable-pip-version-check \
                -r py-msgraph-beta/requirements.txt -c py-msgraph-beta/constraints.txt
        fi
    fi
    # cargo is itself idempotent: a no-op when the binaries are up to date.
    if wants floor-reqwest-value || wants floor-reqwest-discard || wants floor-reqwest-typed; then
        log "cargo build --release floor-reqwest"
        cargo build -q --release --manifest-path floor-reqwest/Cargo.toml
    fi
    if wants intune-graph; then
        log "cargo build --release --example loadgen --no-default-features (this repository)"
        cargo build -q --release --locked --example loadgen --no-default-features --manifest-path ../../Cargo.toml
    fi
    if wants intune-graph-app; then
        log "cargo build --release intune-graph (examples/loadgen.rs as an application's build)"
        cargo build -q --release --manifest-path intune-graph/Cargo.toml
    fi
    if wants graph-rs-sdk; then
        log "cargo build --release peer-graph-rs (first build takes minutes: graph-rs-sdk is large)"
        cargo build -q --release --manifest-path peer-graph-rs/Cargo.toml
    fi
}

if [[ "$SKIP_INSTALL" == 1 ]]; then
    [[ -n "$NGINX" ]] || die "nginx not found and SKIP_INSTALL=1"
else
    install_all
fi

# ------------------------------------------------------------------- stub ----
STUB_DIR=""
STUB_PID=""
cleanup() {
    local rc=$?
    if [[ -n "$STUB_PID" ]] && kill -0 "$STUB_PID" 2>/dev/null; then
        log "stopping stub (pid $STUB_PID)"
        kill -TERM "$STUB_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$STUB_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$STUB_PID" 2>/dev/null && kill -KILL "$STUB_PID" 2>/dev/null || true
        wait "$STUB_PID" 2>/dev/null || true
    fi
    [[ -n "$STUB_DIR" && -d "$STUB_DIR" ]] && rm -rf -- "$STUB_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${PORT}/"; then
    die "something already listens on 127.0.0.1:${PORT}; set PORT=..."
fi

STUB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/graph-stub.XXXXXX")"
mkdir -p "$STUB_DIR/tmp" "$STUB_DIR/html/_stub"
sed "s/listen 127\.0\.0\.1:18080;/listen 127.0.0.1:${PORT};/" stub/nginx.conf > "$STUB_DIR/nginx.conf"
python3 stub/make_list.py "$LIST_N" > "$STUB_DIR/html/_stub/deviceConfigurations.json"
# nginx started as root drops its worker to 'nobody': let it read html/ and tmp/.
chmod 755 "$STUB_DIR"; chmod -R a+rX "$STUB_DIR"; chmod 777 "$STUB_DIR/tmp"

"$NGINX" -p "$STUB_DIR/" -c "$STUB_DIR/nginx.conf" -e "$STUB_DIR/error.log" -g 'daemon off;' &
STUB_PID=$!
log "stub: nginx pid $STUB_PID on 127.0.0.1:${PORT} (prefix $STUB_DIR)"

ready=0
for _ in $(seq 1 100); do
    kill -0 "$STUB_PID" 2>/dev/null || { cat "$STUB_DIR/error.log" >&2 || true; die "nginx exited"; }
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 -X POST \
        -H 'Content-Type: application/json' --data-binary @stub/request.json "$CREATE_URL" || true)"
    [[ "$code" == 201 ]] && { ready=1; break; }
    sleep 0.1
done
(( ready )) || die "stub did not answer 201 on $CREATE_URL"

# smoke check: POST body is the expected object, GET is a list page of LIST_N
curl -s --max-time 2 -X POST -H 'Content-Type: application/json' --data-binary @stub/request.json "$CREATE_URL" \
    | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["id"]=="0deb8dbf-8dbf-0deb-bf8d-eb0dbf8deb0d", o' \
    || die "POST smoke check failed"
curl -s --max-time 2 "$CREATE_URL" \
    | python3 -c 'import json,sys; p=json.load(sys.stdin); assert len(p["value"])=='"$LIST_N"' and "@odata.context" in p' \
    || die "GET list smoke check failed"

STUB_WORKER="$(ps -o pid= --ppid "$STUB_PID" | head -n1 | tr -d ' ')"
[[ -n "$STUB_WORKER" ]] || die "cannot find the nginx worker of pid $STUB_PID"
# Stub CPU: the worker's on-CPU time in ms from /proc/PID/sched (ns resolution);
# falls back to utime+stime clock ticks from /proc/PID/stat (10 ms resolution).
CLK_TCK="$(getconf CLK_TCK)"
if grep -q '^se.sum_exec_runtime' "/proc/$STUB_WORKER/sched" 2>/dev/null; then
    stub_cpu_ms() { awk '/^se.sum_exec_runtime/ {print $3; exit}' "/proc/$STUB_WORKER/sched"; }
else
    stub_cpu_ms() { awk -v hz="$CLK_TCK" '{printf "%.3f", ($14 + $15) * 1000 / hz}' "/proc/$STUB_WORKER/stat"; }
fi

# --------------------------------------------------------------- versions ----
lock_ver() { awk -v p="$2" '$0=="name = \""p"\"" {getline; gsub(/version = |"/,""); print; exit}' "$1" 2>/dev/null; }
{
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(nproc) cores, $(uname -sr)"
    echo "# settings: N=$N PY_N=$PY_N REPS=$REPS CONC=$CONC WARMUP=$WARMUP LIST_N=$LIST_N"
    echo "# stub: $("$NGINX" -v 2>&1 | sed 's/.*: //') (worker_processes 1)"
    echo "# rust: $(rustc --version 2>/dev/null || echo '?')"
    echo "# floor: reqwest $(lock_ver floor-reqwest/Cargo.lock reqwest), hyper $(lock_ver floor-reqwest/Cargo.lock hyper), tokio $(lock_ver floor-reqwest/Cargo.lock tokio)"
    echo "# graph-rs-sdk $(lock_ver peer-graph-rs/Cargo.lock graph-rs-sdk) (graph-http $(lock_ver peer-graph-rs/Cargo.lock graph-http), reqwest $(lock_ver peer-graph-rs/Cargo.lock reqwest))"
    if [[ -x .venv/bin/python ]]; then
        echo "# python: $(.venv/bin/python -c 'import sys; print(sys.version.split()[0])'), $(.venv/bin/pip list --disable-pip-version-check 2>/dev/null \
            | awk '$1=="msgraph-beta-sdk"||$1=="msgraph-core"||$1=="microsoft-kiota-http"||$1=="httpx"{printf "%s %s, ", $1, $2}' | sed 's/, $//')"
    fi
} > "$STUB_DIR/header.txt"
# (printed once more with the table at the end)

# ------------------------------------------------------------------- runs ----
mkdir -p results
RESULTS="results/run-$(date -u +%Y%m%d-%H%M%S).txt"
cp "$STUB_DIR/header.txt" "$RESULTS"
failures=0
for rep in $(seq 1 "$REPS"); do
    for name in "${ORDER[@]}"; do
        n="$N"; [[ "$name" == msgraph-beta-sdk-py ]] && n="$PY_N"
        for mode in seq conc; do
            t0="$(stub_cpu_ms)"
            # shellcheck disable=SC2086  # commands are word-split on purpose
            if ! out="$(timeout "$RUN_TIMEOUT" ${CMD[$name]} --url "$BASE_URL" --mode "$mode" \
                    --n "$n" --concurrency "$CONC" --warmup "$WARMUP" 2>"$STUB_DIR/client.err")"; then
                log "FAILED: $name $mode rep $rep"; tail -n 5 "$STUB_DIR/client.err" >&2 || true
                failures=$((failures + 1)); continue
            fi
            t1="$(stub_cpu_ms)"
            line="$(grep '^RESULT ' <<< "$out" | tail -n1 || true)"
            [[ -n "$line" ]] || { log "FAILED: $name $mode rep $rep printed no RESULT line"; failures=$((failures + 1)); continue; }
            stub_us="$(awk -v a="$t0" -v b="$t1" -v r="$((n + WARMUP))" 'BEGIN{printf "%.1f", (b - a) * 1000 / r}')"
            echo "name=$name rep=$rep stub_cpu_us_per_req=$stub_us ${line#RESULT }" >> "$RESULTS"
            log "rep $rep/$REPS $name $mode: $(grep -o 'rps=[^ ]*' <<< "$line") $(grep -o ' cpu_us_per_req=[^ ]*' <<< "$line")"
        done
    done
done

# stop the stub now (by its own pid), before printing
cleanup_stub_only() {
    kill -TERM "$STUB_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$STUB_PID" 2>/dev/null || break; sleep 0.1; done
    wait "$STUB_PID" 2>/dev/null || true
    log "stub stopped (pid $STUB_PID)"
    STUB_PID=""
}
cleanup_stub_only

echo
grep '^# ' "$RESULTS" | sed 's/^# //'
echo
python3 summarize.py "$RESULTS" "$FLOOR_CLIENT" | tee "results/latest-table.md"
echo
echo "raw results: $RESULTS"
(( failures == 0 )) || die "$failures client run(s) failed"
