#!/usr/bin/env python3
"""IR availability of ``flowmagec audit`` on stock framework checkouts, cold and warm.

    tools/bench_ir_availability.py --fastclick /path/to/fastclick --vpp /path/to/vpp [--jobs 2]

For each tree it runs ``flowmagec audit DIRS --src TREE --format json`` twice
with one fresh cache (cold: the tree is prepared -- configure / generated
headers -- and every file compiled; warm: everything from the cache), and
prints, from the JSON's ``stages.ir``: NFs whose IR is available (``ok``, or
``ok; partial`` when some files of a multi-file NF did not compile), the
ratio, the wall time of each run, and the most common reasons IR is
unavailable.  The trees are only read (``--src`` is never written).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FASTCLICK_DIRS = [f"elements/{d}" for d in
                  ("standard", "ip", "tcpudp", "flow", "analysis", "ethernet", "icmp",
                   "research", "ctx")]
VPP_DIRS = ["src/plugins", "src/vnet/ip/reass", "src/vnet/l2", "src/vnet/policer"]
TARGETS = {"fastclick": 0.95, "vpp": 0.85}


def flowmagec_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("flowmagec")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "flowmagec"]


def audit(tree: Path, dirs: list[str], cache: Path, jobs: int) -> tuple[dict, float]:
    paths = [str(tree / d) for d in dirs if (tree / d).is_dir()]
    cmd = [*flowmagec_cmd(), "audit", *paths, "--src", str(tree), "--format", "json",
           "--cache-dir", str(cache), "--jobs", str(jobs)]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"audit failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout), wall


def compile_only(tree: Path, dirs: list[str], cache: Path, jobs: int) -> tuple[dict, float]:
    """discover + compile in-process (the statuses ``audit`` reports as ``stages.ir``),
    without the analysis passes: for trees whose full audit takes long."""
    from flowmagec import adapters, compile as compile_mod
    start = time.monotonic()
    paths = [str(tree / d) for d in dirs if (tree / d).is_dir()]
    units = adapters.discover_paths(paths, src_dirs=[str(tree)])
    compile_mod.compile_units(units, cache_dir=str(cache), jobs=jobs)
    wall = time.monotonic() - start
    return {"nfs": [{"name": u.name, "stages": {"ir": _stage(u.ir_status, u.bitcode)}}
                    for u in units.units]}, wall


def _stage(status: str, bitcode) -> str:
    """``stages.ir`` as analysis.py words it when every IR pass ran."""
    if bitcode and not status.startswith("unavailable"):
        return "ok" if status == "ok" else f"ok; {status}"
    return status if status.startswith("unavailable") else f"unavailable: {status}"


def summarize(report: dict) -> dict:
    irs = [nf["stages"].get("ir", "") for nf in report["nfs"]]
    ok = sum(1 for s in irs if s == "ok")
    partial = sum(1 for s in irs if s.startswith("ok;"))
    reasons = collections.Counter(_reason(s) for s in irs if s.startswith("unavailable"))
    return {"nfs": len(irs), "ok": ok, "partial": partial,
            "available": ok + partial, "ratio": (ok + partial) / len(irs) if irs else 0.0,
            "reasons": reasons.most_common(8)}


def _reason(status: str) -> str:
    """The gist of an unavailable status: the message without its location."""
    m = re.search(r":\d+:\d+: (.*?)(?: \(in .*\))?$", status)
    return m.group(1) if m else status[:100]


def bench(name: str, tree: Path, dirs: list[str], jobs: int, keep_cache: Path | None,
          ir_only: bool = False) -> dict:
    cache = keep_cache or Path(tempfile.mkdtemp(prefix=f"flowmagec-bench-{name}-"))
    run = compile_only if ir_only else audit
    try:
        cold, cold_s = run(tree, dirs, cache, jobs)
        warm, warm_s = run(tree, dirs, cache, jobs)
    finally:
        if keep_cache is None:
            shutil.rmtree(cache, ignore_errors=True)
    out = summarize(warm)
    out.update(cold_s=cold_s, warm_s=warm_s, cold_available=summarize(cold)["available"])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fastclick", type=Path, help="stock FastClick checkout")
    ap.add_argument("--vpp", type=Path, help="stock VPP checkout")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cache-dir", type=Path,
                    help="use (and keep) this cache; default: a fresh temporary one")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--compile-only", action="store_true",
                    help="discover + compile only (same IR statuses, no analysis passes)")
    args = ap.parse_args(argv)
    runs = [(n, t, d) for n, t, d in (("fastclick", args.fastclick, FASTCLICK_DIRS),
                                      ("vpp", args.vpp, VPP_DIRS)) if t is not None]
    if not runs:
        ap.error("give --fastclick and/or --vpp")
    results = {}
    for name, tree, dirs in runs:
        results[name] = bench(name, tree.resolve(), dirs, args.jobs,
                              args.cache_dir / name if args.cache_dir else None,
                              ir_only=args.compile_only)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    mode = "discover+compile" if args.compile_only else "flowmagec audit --format json"
    print(f"{mode}; cores: {os.cpu_count()}, jobs: {args.jobs} "
          f"(wall times include waiting for a shared CPU)")
    for name, r in results.items():
        target = TARGETS[name]
        print(f"{name}: IR available {r['available']}/{r['nfs']} = {r['ratio']:.1%} "
              f"(ok {r['ok']}, partial {r['partial']}; target >= {target:.0%}: "
              f"{'met' if r['ratio'] >= target else 'NOT met'})  "
              f"cold {r['cold_s']:.1f}s  warm {r['warm_s']:.1f}s")
        for reason, n in r["reasons"]:
            print(f"    {n:4d} x unavailable: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
