#!/usr/bin/env python3
"""Calls per create of the runtime's timer, task and park functions, from callgrind profiles.

    for c in floor client; do valgrind --tool=callgrind --callgrind-out-file=cg-$c.out \
        <command of $c> --url http://127.0.0.1:18080/beta --mode seq --n 3000; done
    python3 benches/load/call_counts.py 3020 cg-floor.out cg-client.out

The first argument is the creates each run made (N plus the 20 warm-up creates). Counts are
every call in the run divided by it, so start-up adds a few hundredths.
"""
import collections, re, sys

COUNTED = [
    ("timer wheel insert (Wheel::insert)", r"time::wheel::Wheel::insert$"),
    ("timer wheel remove (Wheel::remove)", r"time::wheel::Wheel::remove$"),
    ("timer entry dropped (TimerEntry)", r"Drop for tokio::runtime::time::entry::TimerEntry>::drop$"),
    ("clock reads (clock_gettime)", r"^(__)?clock_gettime|__vdso_clock_gettime"),
    ("task wake-ups (waker::wake_by_val/ref)", r"tokio::runtime::task::waker::wake_by_(val|ref)$"),
    ("task schedules (raw::schedule)", r"^tokio::runtime::task::raw::schedule$"),
    ("worker parks (Context::park_internal)", r"worker::Context::park_internal$"),
    ("worker unparks (Unparker::unpark)", r"park::Unparker::unpark$"),
    ("epoll_wait", r"^epoll_wait$"),
    ("malloc", r"^malloc$"),
]


def calls(path):
    """Calls per function name, summed over every call site."""
    names, counted, callee = {}, collections.Counter(), None
    for line in open(path, errors="replace"):
        if line.startswith(("fn=", "cfn=")):
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.strip())
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                callee = m.group(1) if line.startswith("cfn=") else None
        elif line.startswith("calls=") and callee:
            counted[names.get(callee, "")] += int(line.split("=")[1].split()[0])
            callee = None
    return counted


def main():
    creates = float(sys.argv[1])
    profiles = [(path, calls(path)) for path in sys.argv[2:]]
    print("per create | " + " | ".join(path for path, _ in profiles))
    for label, pattern in COUNTED:
        rx = re.compile(pattern)
        row = [sum(n for name, n in c.items() if rx.search(name)) / creates for _, c in profiles]
        print(f"{label} | " + " | ".join(f"{v:.2f}" for v in row))


if __name__ == "__main__":
    main()
