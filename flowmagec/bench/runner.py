"""One bench run: build every configuration at every core count, measure, compare.

Builds run in parallel (one compiler per CPU); measurements run one at a time
(each uses the cores it benchmarks).  The result is a ``BenchResult``: Mpps per
configuration and core count, the solver's pick at each core count, regret.
"""
from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .configs import PLAN, Inputs, chain_spec, configurations, trace_profile
from .program import ChainSpec, Configuration, Program, build
from .traces import Trace


@dataclass
class Row:
    """One measured configuration at one core count."""
    cores: int
    config: Configuration
    description: str
    predicted_cost: Optional[float]       # model's cycles/packet (plan and alternatives)
    result: dict

    @property
    def mpps(self) -> float:
        return self.result["mpps"]


@dataclass
class BenchResult:
    trace: str
    packets: int
    flows: int
    clock: str = "wall"
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def at(self, cores: int) -> list[Row]:
        return [r for r in self.rows if r.cores == cores]

    def core_counts(self) -> list[int]:
        return sorted({r.cores for r in self.rows})

    def pick(self, cores: int) -> Row:
        return next(r for r in self.at(cores) if PLAN in r.config.names)

    def fastest(self, cores: int, unsafe: bool = False) -> Row:
        """The fastest configuration; unless ``unsafe``, among those whose shared
        state is synchronised (a racing one is no deployment the solver may pick)."""
        rows = [r for r in self.at(cores) if unsafe or r.config.safe or PLAN in r.config.names]
        return max(rows, key=lambda r: r.mpps)

    def regret_at(self, cores: int, unsafe: bool = False) -> float:
        pick = self.pick(cores).mpps
        return self.fastest(cores, unsafe).mpps / pick if pick else float("inf")

    def regret(self, unsafe: bool = False) -> float:
        """The worst over core counts: best measured Mpps / the solver's pick's."""
        return max(self.regret_at(n, unsafe) for n in self.core_counts())


def planned(inputs: Inputs, spec: ChainSpec, cores_list: list[int], profile,
            symmetric: Optional[bool], notes: list[str]
            ) -> list[tuple[int, Configuration, Optional[float]]]:
    """(cores, configuration, predicted cycles) of every program to measure."""
    todo = []
    for n in cores_list:
        configs, more = configurations(inputs, spec, n, profile, symmetric)
        notes += more
        todo += [(n, c, c.predicted) for c in configs]
    return todo


def run_bench(inputs: Inputs, trace: Trace, cores_list: list[int], reps: int = 3,
              workdir: Optional[str] = None, symmetric: Optional[bool] = None,
              clock: str = "wall", log: Callable[[str], None] = lambda s: None) -> BenchResult:
    spec: ChainSpec = chain_spec(inputs)
    profile = trace_profile(trace)
    flows = trace.flows()
    result = BenchResult(trace=trace.name, packets=len(trace), flows=flows, clock=clock)
    ncpu = os.cpu_count() or 1
    if max(cores_list) > ncpu:
        result.notes.append(f"this machine has {ncpu} CPUs: runs on more cores share CPUs "
                            f"(oversubscribed, not a scaling measurement)")
    tmp = tempfile.TemporaryDirectory(prefix="flowmagec-bench-") if workdir is None else None
    root = Path(workdir or tmp.name)
    try:
        trace_path = root / "trace.bin"
        root.mkdir(parents=True, exist_ok=True)
        trace.write(str(trace_path))
        todo = planned(inputs, spec, cores_list, profile, symmetric, result.notes)
        log(f"bench: building {len(todo)} programs")
        with ThreadPoolExecutor(max_workers=ncpu) as pool:
            programs: list[Program] = list(pool.map(
                lambda t: build(spec, t[1], t[0], flows, root), todo))
        # Repetitions go round the configurations, so a drift of the machine's load
        # touches every configuration alike; each keeps its best run.
        best: list[Optional[dict]] = [None] * len(programs)
        for rep in range(reps):
            log(f"bench: round {rep + 1} of {reps}, {len(programs)} programs")
            for i, prog in enumerate(programs):
                res = prog.run(str(trace_path), 1, clock=clock)
                times = (best[i]["times"] if best[i] else []) + res["times"]
                if best[i] is None or res["mpps"] > best[i]["mpps"]:
                    best[i] = res
                best[i]["times"] = times
        for (n, c, cost), res in zip(todo, best):
            result.rows.append(Row(cores=n, config=c, description=c.describe(spec),
                                   predicted_cost=cost, result=res))
        return result
    finally:
        if tmp is not None:
            tmp.cleanup()
