#!/usr/bin/env python3
"""Per-core / thread-safe element families that the FastClick emitter finds in a source tree.

    tools/fastclick_families.py [/tmp/fc] [--check]

Prints, for every element class that has a family, its mode and the class the
emitter would swap to for a shared-nothing (per-core) and a shared
(thread-safe) placement, with the evidence.  ``--check`` asserts the facts we
verified by reading FastClick's code (docs: /work/shared/REFERENCES.md) and exits 1
if one fails.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flowmagec.emitters.fastclick_variants import ClassVariants   # noqa: E402

# (element, expected mode, expected per-core variant, expected thread-safe variant); None = none
KNOWN = [
    ("AggregateCounter", "unsafe", "AggregateCounterIMP", None),
    ("AggregateCounterIMP", "per-core", "AggregateCounterIMP", None),
    ("AverageCounter", "unsafe", "AverageCounterIMP", "AverageCounterMP"),
    ("AverageCounterMP", "thread-safe", "AverageCounterIMP", "AverageCounterMP"),
    ("AverageCounterIMP", "per-core", "AverageCounterIMP", "AverageCounterMP"),
    ("Counter", "unsafe", "CounterMP", "CounterAtomic"),
    ("CounterMP", "per-core", "CounterMP", "CounterAtomic"),     # MP name, per-thread code
    ("FlowIPManager_CuckooPP", "per-core", "FlowIPManager_CuckooPP", None),
    ("FlowIPManagerMP", "thread-safe", None, "FlowIPManagerMP"),
    ("IPRewriter", "per-core", "IPRewriter", None),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", nargs="?", default="/tmp/fc")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    dirs = [os.path.join(args.tree, d) for d in ("elements", "include") if os.path.isdir(os.path.join(args.tree, d))]
    if not dirs:
        print(f"{args.tree}: no elements/ or include/ directory", file=sys.stderr)
        return 2
    t0 = time.time()
    v = ClassVariants(dirs)
    scan = time.time() - t0
    elements = sorted(v.idx.elements)
    modes = Counter(v.mode(e) for e in elements)
    with_family = 0
    for e in elements:
        members, how = v.family(e)
        if not members:
            continue
        with_family += 1
        pc, why_pc = v.variant(e, "per-core")
        ts, why_ts = v.variant(e, "thread-safe")
        print(f"{e:32} {v.mode(e):12} per-core: {pc or '-':28} thread-safe: {ts or '-':24} [{how}]")
    print(f"\n{len(elements)} element classes scanned in {scan:.1f}s: "
          + ", ".join(f"{n} {m}" for m, n in modes.most_common())
          + f"; {with_family} have a family")
    if not args.check:
        return 0
    failed = 0
    for e, mode, pc, ts in KNOWN:
        got = (v.mode(e), v.variant(e, "per-core")[0], v.variant(e, "thread-safe")[0])
        if got != (mode, pc, ts):
            failed += 1
            print(f"CHECK FAILED {e}: expected {(mode, pc, ts)}, got {got}")
    print(f"{len(KNOWN) - failed}/{len(KNOWN)} known families as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
