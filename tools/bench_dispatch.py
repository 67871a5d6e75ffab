#!/usr/bin/env python3
"""Benchmark the generated dispatcher: table-driven Toeplitz vs bit-by-bit.

Renders a dispatcher for a plan (``--fields``, ``--cores``, ``--key``), builds
``tests/c/bench_dispatch.c`` against it (and against DPDK's ``rte_softrss`` when
``pkg-config libdpdk`` works), runs it on one core and prints Mpps per method
and the table/bitwise ratio, for parse+hash and for the hash alone.

    .venv/bin/python tools/bench_dispatch.py [--frames 1000000] [--reps 5]
"""
from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowmagec.artifacts import Plan  # noqa: E402
from flowmagec.emitters.dispatcher import render_dispatcher  # noqa: E402

BENCH_C = ROOT / "tests" / "c" / "bench_dispatch.c"


def dpdk_cflags() -> list[str]:
    if not shutil.which("pkg-config"):
        return []
    proc = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True, text=True)
    return ["-DWITH_RTE_SOFTRSS", *shlex.split(proc.stdout)] if proc.returncode == 0 else []


def build(plan: Plan, workdir: Path, cc: str, opt: list[str], with_dpdk: bool) -> Path:
    source, header = render_dispatcher(plan)
    (workdir / "dispatch.c").write_text(source)
    (workdir / "dispatch.h").write_text(header)
    exe = workdir / "bench_dispatch"
    extra = dpdk_cflags() if with_dpdk else []
    cmd = [cc, "-std=gnu11", *opt, *extra, "-I", str(workdir), str(BENCH_C),
           str(workdir / "dispatch.c"), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    return exe


def run(exe: Path, frames: int, reps: int, cpu: int | None) -> dict[str, dict]:
    cmd = [str(exe), str(frames), str(reps)]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {row["method"]: row for row in map(json.loads, out.splitlines())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--fields", default="src_ip,dst_ip,src_port,dst_port",
                    help="hash input fields, comma-separated (default: the 4-tuple)")
    ap.add_argument("--key", default="", help="RSS key in hex (default: the Microsoft key)")
    ap.add_argument("--cores", type=int, default=8)
    ap.add_argument("--frames", type=int, default=1 << 16,
                    help="distinct frames (default fits in cache, like frames fresh from the NIC)")
    ap.add_argument("--reps", type=int, default=30, help="timed passes; the best is reported")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--opt", default="-O2", help="optimisation flags (e.g. '-O3 -march=native')")
    ap.add_argument("--cpu", type=int, default=None, help="pin to this CPU with taskset")
    ap.add_argument("--no-dpdk", action="store_true", help="skip the rte_softrss comparison")
    ap.add_argument("--min-ratio", type=float, default=0.0,
                    help="exit 1 if the parse+hash speed-up is below this")
    args = ap.parse_args(argv)

    plan = Plan(fields=args.fields.split(","), rss_key=args.key, cores=args.cores)
    with tempfile.TemporaryDirectory(prefix="flowmage-bench-") as tmp:
        exe = build(plan, Path(tmp), args.cc, shlex.split(args.opt), not args.no_dpdk)
        rows = run(exe, args.frames, args.reps, args.cpu)

    print(f"fields {args.fields}; {args.frames} frames (7/8 IPv4, 1/8 IPv6), best of {args.reps}, "
          f"{args.cc} {args.opt}")
    for method, row in rows.items():
        print(f"  {method:24s} {row['mpps']:8.2f} Mpps  {row['ns_per_frame']:6.2f} ns/frame")
    ratio = rows["table"]["mpps"] / rows["bitwise"]["mpps"]
    ratio_hash = rows["table_hash_only"]["mpps"] / rows["bitwise_hash_only"]["mpps"]
    print(f"  speed-up table/bitwise: {ratio:.2f}x with parsing, {ratio_hash:.2f}x hash only")
    if "rte_softrss_hash_only" in rows:
        print(f"  speed-up table/rte_softrss (hash only): "
              f"{rows['table_hash_only']['mpps'] / rows['rte_softrss_hash_only']['mpps']:.2f}x")
    return 1 if ratio < args.min_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
