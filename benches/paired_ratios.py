#!/usr/bin/env python3
"""Paired CPU ratios from a run-peers.sh raw results file.

usage: python3 benches/paired_ratios.py RESULTS_FILE [FLOOR_NAME]

run-peers.sh interleaves its clients (rep 1 runs every client, then rep 2, ...), so a
client's run and the floor's run of the same rep and mode saw the same machine. The ratio
of each such pair (client CPU µs per request / floor CPU µs per request) cancels most of
the drift between reps; this prints the median, minimum and maximum of those ratios per
client and mode. The harness's own table divides medians instead; both are reported in
BENCHMARKS.md. Standard library only.
"""
import statistics
import sys

if len(sys.argv) < 2:
    sys.exit(__doc__)
floor = sys.argv[2] if len(sys.argv) > 2 else "floor-reqwest-value"

runs = {}  # (client, mode) -> {rep: cpu µs per request}
with open(sys.argv[1]) as results:
    for line in results:
        if not line.startswith("name="):
            continue
        fields = dict(item.split("=", 1) for item in line.split())
        runs.setdefault((fields["name"], fields["mode"]), {})[fields["rep"]] = float(fields["cpu_us_per_req"])

print(f"{'client':30} {'mode':5} {'pairs':>5} {'median':>8} {'min':>8} {'max':>8}")
for (client, mode), reps in sorted(runs.items(), key=lambda item: (item[0][1] != "seq", item[0][0])):
    base = runs.get((floor, mode), {})
    ratios = [reps[rep] / base[rep] for rep in reps if rep in base]
    if client == floor or not ratios:
        continue
    print(
        f"{client:30} {mode:5} {len(ratios):5d} {statistics.median(ratios):7.3f}x"
        f" {min(ratios):7.3f}x {max(ratios):7.3f}x"
    )
