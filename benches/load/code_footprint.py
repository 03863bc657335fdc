#!/usr/bin/env python3
"""The code a create runs, as distinct cache lines and pages, from a callgrind profile.

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=cgi.out \
        <client> --url http://127.0.0.1:18080/beta --mode seq --n 3000
    python3 benches/load/code_footprint.py 3020 cgi.out

The first argument is the creates the run made (N plus the 20 warm-up creates). An
instruction counts as the create's when it ran at least 0.9 times per create; printed per
object file: those instructions, the 64-byte lines and the 4 KiB pages they lie on. Two
clients that execute as many instructions can differ here, and a larger footprint costs
instruction-cache and TLB misses that instruction counts do not show.
"""
import collections, re, sys


def executed(path):
    """Instructions executed, per (object file, address)."""
    names, counts, obj, last, after_call = {}, collections.Counter(), "?", 0, False
    for line in open(path, errors="replace"):
        m = re.match(r"(c?ob)=\((\d+)\)(?: (.*))?", line.strip())
        if m:
            if m.group(3):
                names[m.group(2)] = m.group(3).split("/")[-1]
            if m.group(1) == "ob":
                obj = names.get(m.group(2), "?")
            continue
        if line.startswith("calls="):
            after_call = True  # the next cost line is the callee's inclusive cost
            continue
        fields = line.split()
        if not fields or line[0] not in "0123456789+-*":
            continue
        position = fields[0]
        if position.startswith("0x"):
            last = int(position, 16)
        elif position[0] in "+-":
            step = int(position[1:], 16) if position[1:].startswith("0x") else int(position[1:])
            last += step if position[0] == "+" else -step
        elif position != "*":
            last = int(position)
        if after_call:
            after_call = False
            continue
        if len(fields) >= 3:
            counts[(obj, last)] += int(fields[2])
    return counts


def main():
    creates = int(sys.argv[1])
    per_object = collections.defaultdict(list)
    for (obj, address), count in executed(sys.argv[2]).items():
        if count >= 0.9 * creates:
            per_object[obj].append(address)
    total_lines = total_pages = 0
    for obj, addresses in sorted(per_object.items(), key=lambda kv: -len(kv[1])):
        lines, pages = {a >> 6 for a in addresses}, {a >> 12 for a in addresses}
        total_lines, total_pages = total_lines + len(lines), total_pages + len(pages)
        print(f"{obj}: {len(addresses)} instructions, {len(lines)} lines ({len(lines) * 64 / 1024:.0f} KiB), {len(pages)} pages")
    print(f"total: {total_lines} lines ({total_lines * 64 / 1024:.0f} KiB), {total_pages} pages")


if __name__ == "__main__":
    main()
