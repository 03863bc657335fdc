#!/usr/bin/env python3
"""Clients side by side under `perf stat`, runs interleaved (rep 1 of every client, then rep 2...).

    python3 benches/load/perf_side.py --url http://127.0.0.1:18080/beta --mode seq --n 30000 --reps 7 \
        floor="benches/load/floor-reqwest/target/release/floor-reqwest --variant value" \
        intune-graph=target/release/examples/loadgen

Each client gets `--url --mode --n` appended (the harness's client contract) and runs under
`perf stat -e task-clock,user_time,system_time,context-switches,cpu-migrations,sched:sched_waking`.
Printed per client: task-clock (whole process) min/median, user and system time, context switches,
migrations and wake-ups per create (medians), the harness's own CPU µs per create (the timed loop)
min/median, and the ratios to the first client (of the mins, of the medians, and the median of the
per-rep ratios). `--json FILE` keeps every run. Needs `perf` (linux-perf) and the
`sched:sched_waking` tracepoint (root, or a low `kernel.perf_event_paranoid`).
"""
import argparse, json, os, re, shlex, statistics as st, subprocess, tempfile

EVENTS = "task-clock,user_time,system_time,context-switches,cpu-migrations,sched:sched_waking"


def run(cmd, args, stat_file):
    out = subprocess.run(["perf", "stat", "-x,", "-e", EVENTS, "-o", stat_file] + shlex.split(cmd)
                         + ["--url", args.url, "--mode", args.mode, "--n", str(args.n)],
                         capture_output=True, text=True, check=True).stdout
    run = {}
    for line in open(stat_file):
        cols = line.strip().split(",")
        if len(cols) > 3 and cols[0][:1].isdigit():
            run[cols[2].split(":")[-1]] = float(cols[0])
    run["cpu_us"] = float(re.search(r"cpu_us_per_req=([0-9.]+)", out).group(1))
    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--mode", choices=["seq", "conc"], required=True)
    p.add_argument("--n", type=int, default=30000)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--json")
    p.add_argument("clients", nargs="+", help="name=command")
    args = p.parse_args()
    clients = [c.split("=", 1) for c in args.clients]
    runs = {name: [] for name, _ in clients}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.reps):
            for name, cmd in clients:
                runs[name].append(run(cmd, args, os.path.join(tmp, "stat.csv")))
    if args.json:
        json.dump(runs, open(args.json, "w"))
    base = clients[0][0]
    col = lambda name, key: [r[key] for r in runs[name]]
    print(f"mode={args.mode} n={args.n} reps={args.reps}; per create: cs, migrations (whole run), wake-ups")
    print("client | task-clock ms min / med | user ms | sys ms | cs | migr | wake | cpu µs min / med | vs first: min, med, paired")
    for name, _ in clients:
        tc, cu = col(name, "task-clock"), col(name, "cpu_us")
        paired = st.median(a / b for a, b in zip(cu, col(base, "cpu_us")))
        print(f"{name} | {min(tc):.0f} / {st.median(tc):.0f} | {st.median(col(name, 'user_time')) / 1e6:.0f} | "
              f"{st.median(col(name, 'system_time')) / 1e6:.0f} | {st.median(col(name, 'context-switches')) / args.n:.2f} | "
              f"{st.median(col(name, 'cpu-migrations')):.0f} | {st.median(col(name, 'sched_waking')) / args.n:.2f} | "
              f"{min(cu):.1f} / {st.median(cu):.1f} | {min(cu) / min(col(base, 'cpu_us')):.2f}, "
              f"{st.median(cu) / st.median(col(base, 'cpu_us')):.2f}, {paired:.2f}")


if __name__ == "__main__":
    main()
