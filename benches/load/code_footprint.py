#!/usr/bin/env python3
"""The code a create runs, as distinct cache lines and pages, from a callgrind profile.

    valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file=cgi.out \
        <client> --url http://127.0.0.1:18080/beta --mode seq --n 3000
    python3 benches/load/code_footprint.py 3020 cgi.out
    python3 benches/load/code_footprint.py 3020 floor.out client.out   # where they differ

The first argument is the creates the run made (N plus the 20 warm-up creates). An
instruction counts as the create's when it ran at least 0.9 times per create; printed per
object file: those instructions, the 64-byte lines and the 4 KiB pages they lie on. Two
clients that execute as many instructions can differ here, and a larger footprint costs
instruction-cache and TLB misses that instruction counts do not show (BENCHMARKS.md,
"What a line of code costs": about 22 ns per line per create on the benchmark machine).

With two profiles (the first the reference, e.g. the floor): the lines each runs, per crate
and per function, largest differences first, to show where the second's extra lines are.
"""
import collections, re, signal, sys


def executed(path):
    """Instructions executed, per (object file, function, address)."""
    names, functions, counts = {}, {}, collections.Counter()
    obj, function, last, after_call = "?", "?", 0, False
    for line in open(path, errors="replace"):
        m = re.match(r"(c?ob|c?fn)=\((\d+)\)(?: (.*))?", line.strip())
        if m:
            kind, key, name = m.groups()
            table = names if kind.endswith("ob") else functions
            if name:
                table[key] = name.split("/")[-1] if table is names else name
            if kind == "ob":
                obj = names.get(key, "?")
            elif kind == "fn":
                function = functions.get(key, "?")
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
            counts[(obj, function, last)] += int(fields[2])
    return counts


def hot(path, creates):
    """The addresses that ran at least 0.9 times per create, per (object file, function)."""
    per = collections.defaultdict(set)
    for (obj, function, address), count in executed(path).items():
        if count >= 0.9 * creates:
            per[(obj, function)].add(address)
    return per


def summary(per):
    per_object = collections.defaultdict(set)
    for (obj, _), addresses in per.items():
        per_object[obj] |= addresses
    total_lines = total_pages = 0
    for obj, addresses in sorted(per_object.items(), key=lambda kv: -len(kv[1])):
        lines, pages = {a >> 6 for a in addresses}, {a >> 12 for a in addresses}
        total_lines, total_pages = total_lines + len(lines), total_pages + len(pages)
        print(f"{obj}: {len(addresses)} instructions, {len(lines)} lines ({len(lines) * 64 / 1024:.0f} KiB), {len(pages)} pages")
    print(f"total: {total_lines} lines ({total_lines * 64 / 1024:.0f} KiB), {total_pages} pages")


def lines_per_function(per):
    lines = collections.Counter()
    for (_, function), addresses in per.items():
        lines[function] += len({a >> 6 for a in addresses})
    return lines


def crate(function):
    """The crate a symbol belongs to, as far as its name says (`<a::B as c::D>` is `a`)."""
    name = re.sub(r"^(?:<|&mut |&)+", "", function)
    return re.split(r"::|<| as |\[", name)[0] or "?"


def per_crate(lines):
    totals = collections.Counter()
    for function, n in lines.items():
        totals[crate(function)] += n
    return totals


def compare(base, other, top=40):
    a, b = lines_per_function(base), lines_per_function(other)
    # Summed per function: a line two functions share counts for each (a few dozen).
    print(f"lines per create: first {sum(a.values())}, second {sum(b.values())} ({sum(b.values()) - sum(a.values()):+})")
    by_crate_a, by_crate_b = per_crate(a), per_crate(b)
    print("\nper crate: first, second, difference")
    crates = sorted(set(by_crate_a) | set(by_crate_b), key=lambda c: -abs(by_crate_b[c] - by_crate_a[c]))
    for c in crates[:top]:
        if by_crate_a[c] != by_crate_b[c]:
            print(f"{by_crate_a[c]:6} {by_crate_b[c]:6} {by_crate_b[c] - by_crate_a[c]:+6}  {c}")
    print("\nper function: first, second, difference")
    functions = sorted(set(a) | set(b), key=lambda f: -abs(b[f] - a[f]))
    for f in functions[:top]:
        print(f"{a[f]:6} {b[f]:6} {b[f] - a[f]:+6}  {f[:150]}")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    creates = int(sys.argv[1])
    if len(sys.argv) == 3:
        summary(hot(sys.argv[2], creates))
    else:
        compare(hot(sys.argv[2], creates), hot(sys.argv[3], creates))


if __name__ == "__main__":
    main()
