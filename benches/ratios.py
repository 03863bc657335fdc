#!/usr/bin/env python3
"""Ratios from the last `cargo bench --bench models` run (criterion's estimates).

usage: python3 benches/ratios.py [TARGET_DIR]     (default: target)

For each group, every row's median time and its throughput relative to the group's
`ignored_any_scan` row (the floor: > 1 would be faster than scanning) and to its `value`
row (`serde_json::Value` from the same bytes; `value_to_vec` in the encode group).
Standard library only.
"""
import json
import os
import sys

target = sys.argv[1] if len(sys.argv) > 1 else "target"
root = os.path.join(target, "criterion")
if not os.path.isdir(root):
    sys.exit(f"no criterion results under {root}: run `cargo bench --bench models` first")


def median_ns(group, row):
    path = os.path.join(root, group, row, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


GROUPS = ("encode_create", "decode_201", "decode_page_100", "decode_100_scep", "decode_100_trusted_root",
          "decode_100_pkcs", "decode_100_unmodelled")
for group in GROUPS:
    gdir = os.path.join(root, group)
    if not os.path.isdir(gdir):
        continue
    rows = sorted(r for r in os.listdir(gdir) if os.path.isfile(os.path.join(gdir, r, "new", "estimates.json")))
    times = {r: median_ns(group, r) for r in rows}
    scan = times.get("ignored_any_scan")
    # The `serde_json::Value` row of the group: decoding (`value`) or encoding (`value_to_vec`).
    value = times.get("value", times.get("value_to_vec"))
    print(f"\n{group}")
    print(f"  {'row':32} {'median':>12}  {'thrpt vs IgnoredAny':>20}  {'thrpt vs Value':>15}")
    for row in rows:
        t = times[row]
        shown = f"{t / 1000:.2f} us" if t >= 1000 else f"{t:.0f} ns"
        vs_scan = f"{scan / t:.3f}x" if scan else "-"
        vs_value = f"{value / t:.3f}x" if value else "-"
        print(f"  {row:32} {shown:>12}  {vs_scan:>20}  {vs_value:>15}")
