#!/usr/bin/env bash
# Instructions per decode of a `models` bench row, counted by callgrind: a figure that does
# not move with the machine's load, to compare two builds of the same bench when wall-clock
# differences are within the VM's noise. Needs valgrind.
#
#   cargo bench --bench models --no-run        # prints the bench binary's path
#   benches/decode_instructions.sh 'decode_page_100/typed_page$' target/release/deps/models-HASH [OTHER-BINARY…]
#
# Counts what runs inside criterion's timing loop (decode and drop of the result) and divides
# by the number of decodes (calls of `serde_json::de::from_trait`) in that loop.
set -eu  # no pipefail: the filters below stop reading at their first match

if [ $# -lt 2 ]; then
    echo "usage: $0 BENCH-FILTER BENCH-BINARY [BENCH-BINARY…]" >&2
    exit 2
fi
filter=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for binary in "$@"; do
    profile="$out/callgrind.out"
    valgrind --tool=callgrind --callgrind-out-file="$profile" --toggle-collect='*Bencher*iter*' \
        "$binary" --bench "$filter" --profile-time 1 --noplot >/dev/null 2>&1
    total=$(callgrind_annotate "$profile" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
    decodes=$(callgrind_annotate --tree=caller "$profile" |
        sed -nE '/=> .*serde_json::de::from_trait \(/ { s/.*\(([0-9]+)x\).*/\1/p; q }')
    if [ -z "$decodes" ] || [ "$decodes" -eq 0 ]; then
        echo "$binary: no decode counted (does '$filter' name one typed or Value decode row?)" >&2
        exit 1
    fi
    printf '%s  %s: %d instructions per decode (%d decodes)\n' "$filter" "$binary" $((total / decodes)) "$decodes"
done
