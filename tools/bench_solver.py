#!/usr/bin/env python3
"""Solve time of the deployment solver for synthetic chains of 2, 10 and 50 NFs.

Chains are random but seeded: each NF keys on a random non-empty subset of the
5-tuple, with random intensity, pointers, complexity; one series has ~15%
per-core-only NFs (kept consistent with a single stage so every run is
feasible), the other none.  Prints a table: NFs, per-core rate, stages allowed,
median/max solve time over the repetitions, stages used, plans returned, and
how many runs were proven optimal (a Z3 call hitting --timeout-ms is not).

    .venv/bin/python tools/bench_solver.py [--sizes 2,10,50] [--reps 3] [--cores 16] [--timeout-ms MS]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from flowmagec.artifacts import (KEY_FIELDS, Chain, Connection, Element, FeatureSet, NFFeatures,
                                 NICProfile)
from flowmagec.solver import solve
from flowmagec.solver.formulation import DEFAULT_TIMEOUT_MS

NIC = NICProfile(name="bench-generic", driver="generic", key_bytes=40, reta_size=128,
                 hashable_field_sets=[["src_ip", "dst_ip", "src_port", "dst_port"],
                                      ["src_ip", "dst_ip"]],
                 field_selection="none", key_settable=True)


def random_chain(n: int, seed: int, per_core_rate: float = 0.15) -> tuple[Chain, FeatureSet]:
    rng = random.Random(seed)
    elements, records = [], []
    for i in range(n):
        cls = f"NF{i}"
        key = [f for f in KEY_FIELDS if rng.random() < 0.5] or [rng.choice(KEY_FIELDS[:2])]
        per_core = rng.random() < per_core_rate
        if per_core:   # keep it feasible in one stage: per-core NFs always cover src_ip
            key = sorted(set(key) | {"src_ip"}, key=KEY_FIELDS.index)
        records.append(NFFeatures(name=cls, stateful=rng.random() < 0.8, key=key,
                                  intensity=rng.choice(["per-packet", "per-flow"]),
                                  pointer=rng.random() < 0.3,
                                  complexity=rng.choice([50, 100, 200, 400, 800]),
                                  sharing="per-core" if per_core else None))
        elements.append(Element(name=f"nf{i}", cls=cls))
    conns = [Connection(src=a.name, src_port=0, dst=b.name, dst_port=0)
             for a, b in zip(elements, elements[1:])]
    return Chain(framework="fastclick", path="bench.click", elements=elements,
                 connections=conns), FeatureSet(nfs=records)


def proven(plan) -> bool:
    return not any("not proven optimal" in w for w in plan.warnings)


def bench(sizes, reps, cores, timeout_ms=DEFAULT_TIMEOUT_MS):
    """Yields one row per (size, per-core rate, stages) as soon as it is measured."""
    rows = []
    for n, rate in [(n, r) for n in sizes for r in (0.15, 0.0)]:
        for stages in (1, 2):
            times, plan, optimal = [], None, 0
            for r in range(reps):
                chain, feats = random_chain(n, seed=1000 * n + r, per_core_rate=rate)
                t0 = time.perf_counter()
                plan = solve(chain, feats, NIC, cores=cores, stages=stages, timeout_ms=timeout_ms)
                times.append(time.perf_counter() - t0)
                optimal += proven(plan)
            row = (n, rate, stages, statistics.median(times), max(times), len(plan.stages),
                   len(plan.alternatives) + 1, f"{optimal}/{reps}")
            rows.append(row)
            yield row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2,10,50")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cores", type=int, default=16)
    ap.add_argument("--timeout-ms", type=int, default=DEFAULT_TIMEOUT_MS,
                    help="per Z3 call (0: none)")
    a = ap.parse_args()
    print(f"{'NFs':>4} {'per-core':>8} {'stages':>6} {'median s':>9} {'max s':>7} {'used':>5} "
          f"{'plans':>5} {'proven':>6}", flush=True)
    for n, rate, st, med, mx, used, plans, opt in bench([int(s) for s in a.sizes.split(",")],
                                                        a.reps, a.cores, a.timeout_ms):
        print(f"{n:>4} {rate:>8.2f} {st:>6} {med:>9.3f} {mx:>7.3f} {used:>5} {plans:>5} {opt:>6}",
              flush=True)


if __name__ == "__main__":
    main()
