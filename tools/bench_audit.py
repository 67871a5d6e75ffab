#!/usr/bin/env python3
"""Benchmark `flowmagec audit` over every element of a configured FastClick tree.

    tools/bench_audit.py SRC [--jobs N] [--sample N] [--cache-dir DIR]

Prints the number of NFs, NFs per second (discover + compile + analyze +
fuse, cold cache unless --cache-dir is reused), the share with IR
available, peak memory of the Python process and of the largest clang, and
the most common compile errors.
"""
from __future__ import annotations

import argparse
import collections
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from flowmagec import adapters, analysis, compile as compile_mod, fusion
from flowmagec.adapters.fastclick import FastClickAdapter, elementmap_index
from flowmagec.artifacts import NFUnits


def configured_elements(src: Path) -> NFUnits:
    """Units for the classes of share/click/elementmap.xml (what configure enabled), else
    every EXPORT_ELEMENT under elements/."""
    adapter = FastClickAdapter([str(src)])
    if (src / "share" / "click" / "elementmap.xml").is_file():
        names = sorted(elementmap_index(src / "share" / "click" / "elementmap.xml", src))
        found = adapter.find_classes(names)
        return NFUnits(units=[found[n] for n in names if n in found],
                       unresolved=[n for n in names if n not in found])
    return adapters.discover_paths([str(src / "elements")], framework="fastclick",
                                   src_dirs=[str(src)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", help="configured FastClick tree (include/click/config.h present)")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--sample", type=int, default=0,
                    help="audit only N elements, evenly spread over the sorted list")
    ap.add_argument("--cache-dir", help="reuse a cache (default: a fresh temporary one)")
    args = ap.parse_args(argv)

    src = Path(args.src)
    if not (src / "include" / "click" / "config.h").is_file():
        print(f"note: {src} is not configured; expect most elements to lack IR", file=sys.stderr)
    cache = args.cache_dir or tempfile.mkdtemp(prefix="flowmagec-bench-")
    t0 = time.perf_counter()
    units = configured_elements(src)
    if args.sample and args.sample < len(units.units):
        stride = len(units.units) / args.sample
        units.units = [units.units[int(i * stride)] for i in range(args.sample)]
    t1 = time.perf_counter()
    compile_mod.compile_units(units, cache_dir=cache, jobs=args.jobs)
    t2 = time.perf_counter()
    facts = analysis.analyze(units)
    t3 = time.perf_counter()
    features = fusion.fuse(facts, units)
    t4 = time.perf_counter()
    if not args.cache_dir:
        shutil.rmtree(cache, ignore_errors=True)

    n = len(units.units)
    ir_ok = sum(1 for u in units.units if u.bitcode)
    stateful = sum(1 for f in features.nfs if f.stateful)
    crashed = sum(1 for f in facts for v in f.stages.values() if v.startswith("crashed"))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"elements: {n} (stateful {stateful}; {len(units.unresolved)} map entries without "
          f"source)")
    print(f"time: discover {t1 - t0:.1f}s, compile {t2 - t1:.1f}s, analyze {t3 - t2:.1f}s, "
          f"fuse {t4 - t3:.2f}s; total {t4 - t0:.1f}s = {n / max(t4 - t0, 1e-9):.2f} NFs/s")
    print(f"IR available: {ir_ok}/{n} = {100 * ir_ok / max(n, 1):.1f}%")
    print(f"pass crashes: {crashed}")
    print(f"peak memory: python {self_mb:.0f} MiB, largest clang {child_mb:.0f} MiB")
    errors = collections.Counter(
        re.sub(r"^.*?error: ", "", u.ir_status) for u in units.units if not u.bitcode)
    for msg, count in errors.most_common(5):
        print(f"  {count:4d} x {msg[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
