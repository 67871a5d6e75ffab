#!/usr/bin/env python3
"""Measured plans across chains and traces: calibrate, then `flowmagec bench` each.

Runs ``flowmagec calibrate`` (unless --no-calibrate), then for every chain and
trace ``flowmagec bench ... --calibration`` and prints, per core count, the
pick's Mpps, the fastest configuration, the all-shared (vanilla) Mpps, the
pick's speed-up over it, regret, and how far the model's predicted ratios are
from the measured ones (ratios measured in one run).

    .venv/bin/python tools/bench_chain.py --cores 1,2,4,8,16 --out DIR
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSUME = ["--assume", "Classifier=stateless", "--assume", "MarkIPHeader=stateless"]
CHAINS = {
    "demo": "examples/demo/chain.click",                     # the paper's Figure 7 chain
    "figure4": "flowmagec/bench/chains/figure4.click",
    "scan-tally": "flowmagec/bench/chains/scan-tally.click",
    "pairs": "flowmagec/bench/chains/pairs.click",
}


def flowmagec(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowmagec", *args], cwd=ROOT,
                          capture_output=True, text=True)


def summarise(chain: str, trace: str, data: dict) -> list[str]:
    lines = []
    for n in sorted({r["cores"] for r in data["rows"]}):
        rows = [r for r in data["rows"] if r["cores"] == n]
        pick = next(r for r in rows if "plan" in r["names"])
        best = max((r for r in rows if r["safe"] or "plan" in r["names"]),
                   key=lambda r: r["mpps"])      # racing configurations are no option
        vanilla = next((r for r in rows if "all-shared-5tuple" in r["names"]), None)
        errors = [abs(math.log((pick["predicted_cycles"] / r["predicted_cycles"])
                               / (r["mpps"] / pick["mpps"])))
                  for r in rows if r is not pick and r.get("predicted_cycles")
                  and pick.get("predicted_cycles") and r["mpps"] and pick["mpps"]]
        model = (f"  model ratio error {math.exp(sum(errors) / len(errors)):.2f}x"
                 if errors else "")
        lines.append(f"{chain:<11} {trace:<9} {n:>3}  pick {pick['mpps']:7.2f}  best "
                     f"{best['mpps']:7.2f} ({'/'.join(best['names'])})  all-shared "
                     f"{vanilla['mpps'] if vanilla else float('nan'):7.2f}  speed-up "
                     f"{pick['mpps'] / vanilla['mpps'] if vanilla and vanilla['mpps'] else float('nan'):5.2f}x"
                     f"  regret {best['mpps'] / pick['mpps']:.2f}{model}")
    return lines


RUN_ALL = """#!/bin/sh
# Every prepared chain x trace, then the calibration micro-benchmarks; results in $OUT.
set -e
cd "$(dirname "$0")"
start=$(date +%s)
for d in */run.sh; do sh "$d"; echo "$d done at $(( $(date +%s) - start )) s"; done
cc -O2 -pthread -Wall -Wextra -o calibrate/calibrate calibrate/calibrate.c
./calibrate/calibrate > "${OUT:-.}/calibrate-measured.json"
echo "all done in $(( $(date +%s) - start )) s"
"""


def prepare(args) -> int:
    sys.path.insert(0, str(ROOT))
    from flowmagec.bench import calibration
    root = Path(args.prepare)
    root.mkdir(parents=True, exist_ok=True)
    for chain in args.chains.split(","):
        for trace in args.traces.split(","):
            done = flowmagec("bench", CHAINS.get(chain, chain), "--src", "corpus/fastclick",
                             *ASSUME, "--cores", args.cores, "--trace", trace,
                             "--packets", str(args.packets), "--reps", str(args.reps),
                             "--prepare", str(root / f"{chain}-{trace}"))
            if done.returncode != 0:
                print(f"{chain} {trace}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                return 1
            print(f"prepared {chain}-{trace}")
    most = max(int(c) for c in args.cores.split(","))
    (root / "calibrate").mkdir(exist_ok=True)
    (root / "calibrate" / "calibrate.c").write_text(
        calibration.render(most, int(calibration.ITERATIONS * args.calibration_scale)))
    (root / "run-all.sh").write_text(RUN_ALL)
    print(f"on the machine: OUT=... sh {root}/run-all.sh; here: "
          f"tools/bench_chain.py --results $OUT")
    return 0


def results(args) -> int:
    summary = []
    for d in sorted(Path(args.results).iterdir()):
        if not (d / "manifest.json").exists():
            continue
        js = d / "bench.json"
        done = flowmagec("bench", "--results", str(d), "--clock", args.clock, "--json", str(js),
                         "--plot", str(d / "curves.png"))
        print(done.stdout + done.stderr, end="")
        if done.returncode == 0:
            chain = next((c for c in sorted(CHAINS, key=len, reverse=True)
                          if d.name.startswith(c + "-")), d.name)
            trace = d.name[len(chain) + 1:]
            summary += summarise(chain, trace, json.loads(js.read_text()))
    measured = Path(args.results) / "calibrate-measured.json"
    if measured.exists():
        sys.path.insert(0, str(ROOT))
        from flowmagec.bench import calibration
        cal = calibration.constants_from(json.loads(measured.read_text()))
        print("\n".join(calibration.describe(cal)))
    print("\nchain       trace     cores  Mpps")
    print("\n".join(summary))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", default="1,2")
    ap.add_argument("--chains", default="demo,figure4,scan-tally,pairs")
    ap.add_argument("--traces", default="uniform,zipf,few-dst")
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    ap.add_argument("--calibration-scale", type=float, default=0.1)
    ap.add_argument("--no-calibrate", action="store_true")
    ap.add_argument("--out", default=os.environ.get("OUT", "bench-out"))
    ap.add_argument("--prepare", metavar="DIR",
                    help="measure elsewhere: prepare every chain x trace under DIR with "
                         "DIR/run-all.sh (needs only cc and sh; results under $OUT)")
    ap.add_argument("--results", metavar="DIR",
                    help="summarise the results run-all.sh copied to DIR (its $OUT)")
    args = ap.parse_args()
    if args.prepare:
        return prepare(args)
    if args.results:
        return results(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.time()
    extra = []
    if not args.no_calibrate:
        cal = out / "calibration.json"
        done = flowmagec("calibrate", "-o", str(cal), "--force", "--clock", args.clock,
                         "--scale", str(args.calibration_scale))
        print(done.stdout, end="")
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        extra = ["--calibration", str(cal)]
    summary = []
    for chain in args.chains.split(","):
        for trace in args.traces.split(","):
            js = out / f"{chain}-{trace}.json"
            done = flowmagec("bench", CHAINS.get(chain, chain), "--src", "corpus/fastclick",
                             *ASSUME, *extra, "--cores", args.cores, "--trace", trace,
                             "--packets", str(args.packets), "--reps", str(args.reps),
                             "--clock", args.clock, "--json", str(js),
                             "--plot", str(out / f"{chain}-{trace}.png"))
            (out / f"{chain}-{trace}.txt").write_text(done.stdout + done.stderr)
            if done.returncode != 0:
                print(f"{chain} {trace}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            print(done.stdout, end="")
            summary += summarise(chain, trace, json.loads(js.read_text()))
            print(f"[{time.time() - start:.0f} s]", flush=True)
    print("\nchain       trace     cores  Mpps")
    print("\n".join(summary))
    (out / "summary.txt").write_text("\n".join(summary) + "\n")
    print(f"total {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
