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

    python3 benches/load/code_footprint.py --parts 2020 floor.out typed.out client.out

With `--parts`: the lines of each profile summed per part of a create (decode, encode,
validation, timer, the call's own path, the harness, transport and runtime), one column a
profile. Functions are sorted into parts by name (`PARTS`), so the split is approximate
where a function holds inlined code of another part; the totals are exact.
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


# The parts of a create, tried in order: the first pattern a function's name matches wins.
PARTS = [
    ("timer", r"tokio::time|runtime::time|pipeline::timer|Sleep|time::clock"),
    ("validation", r"intune_graph::.*(validation|::check|resolve_binds|origin::|null_problems|validate)"),
    ("decode", r"Deserializ|serde_json::de|serde_json::read|de::impls|Visitor|decode|Timestamp::parse"
               r"|chrono::(format::(parse|scan|parsed)|naive|offset)|from_wire|::parse$|add_name"
               r"|restore_order|RawJson|btree|serde_json::value|drop_in_place<(intune_graph::models"
               r"|floor_reqwest::typed|core::option::Option<(alloc::vec::Vec<)?intune_graph::models)"),
    ("encode", r"Serializ|serde_core::ser|serde_json::ser|encode|JsonObject|WriteRaw|write_json"
               r"|chrono::format::formatting|fmt::Display|extra_key_is_writable"),
    ("the call's path", r"intune_graph|tracing|uuid|fastrand"),
    ("harness", r"loadgen|floor_reqwest|harness"),
]


def part(function):
    for name, pattern in PARTS:
        if re.search(pattern, function):
            return name
    return "transport and runtime"


def parts(profiles):
    names = [name for name, _ in PARTS] + ["transport and runtime"]
    totals = []
    for per in profiles:
        sums = collections.Counter()
        for function, n in lines_per_function(per).items():
            sums[part(function)] += n
        totals.append(sums)
    print("lines per create, per part (one column a profile, in the order given)")
    for name in names + ["total"]:
        cells = "".join(f"{(sum(t.values()) if name == 'total' else t[name]):8}" for t in totals)
        print(f"{name:24}{cells}")


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the output quietly
    if len(sys.argv) >= 4 and sys.argv[1] == "--parts":
        creates = int(sys.argv[2])
        parts([hot(path, creates) for path in sys.argv[3:]])
        return
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    creates = int(sys.argv[1])
    if len(sys.argv) == 3:
        summary(hot(sys.argv[2], creates))
    else:
        compare(hot(sys.argv[2], creates), hot(sys.argv[3], creates))


if __name__ == "__main__":
    main()
