"""`flowmagec calibrate`: micro-benchmarks behind the cost model's constants.

The C micro-benchmarks (templates/calibrate.c.j2, the chain benchmark's own
tables, hash and locks) measure cycles on this machine; ``constants_from``
turns them into ``CostConstants`` (solver/cost.py).  Which constant comes from
which measurement:

  clock_ghz               dependent add chain (one add a cycle)
  nf_fixed_cycles         hash + probe + per-packet update of a private table
  lock_cycles_per_packet  uncontended spin lock + unlock
  lock_cycles_per_flow    extra cycles of reading a shared table over a private one
  coherence_per_packet    cache-line transfer (ping-pong) / nf_fixed_cycles: a per-packet
                          write to a shared entry pulls its line once
  coherence_per_flow      shared-read extra / nf_fixed_cycles
  pointer_factor          pointer-chasing probe / flat probe - 1
  serial_fraction_per_packet  contended atomic on a hot line at the most threads,
                          per packet of work (the line moves once per packet)
  handoff_cycles          SPSC ring handoff (hash, enqueue, dequeue, line transfers)

Then (unless ``fit=False``) the chain benchmark itself runs one NF in each of its
forms (per-packet / per-flow writes, flat / pointer state, private / shared under
atomics) at every core count, and ``cost.calibrate`` fits the model's FITTED
constants (and the clock) to those measured Mpps, starting from the micro-benchmark
values: the plan's predicted ratios then follow what the benchmark measures.

Others keep their defaults (cycles_per_complexity: a property of NF code, not
the machine; stateless_element_cycles, serial_fraction_per_flow, unknown_intensity).
Needing two CPUs: coherence_per_packet, serial_fraction_per_packet, handoff_cycles.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..artifacts import Plan
from ..errors import AnalysisError
from ..solver.cost import (DEFAULT_CONSTANTS, MODE_NOTHING, MODE_SHARED, PER_FLOW,
                           PER_PACKET, CostConstants, Measurement, calibrate, fit_error)
from . import traces
from .program import (ATOMIC, CHAIN_DEPTH, ChainSpec, Configuration, ElementSpec, _environment,
                      build, capacity_for, compile_c)

FLOWS = 65536                      # table size of the probe benchmarks
CHASE_BYTES = 256 << 20            # pointer chase buffer: beyond any last-level cache
ITERATIONS = 2_000_000             # operations per measurement at --scale 1


@dataclass
class Calibration:
    constants: CostConstants
    calibrated: dict[str, str] = field(default_factory=dict)    # constant -> measured from
    measured: dict = field(default_factory=dict)

    @property
    def defaults(self) -> list[str]:
        return [f.name for f in dataclasses.fields(CostConstants) if f.name not in self.calibrated]

    def to_dict(self) -> dict:
        return {"constants": self.constants.to_dict(), "calibrated": self.calibrated,
                "defaults": self.defaults, "measured": self.measured}


def render(max_threads: int, iterations: int) -> str:
    capacity = capacity_for(FLOWS)
    return _environment().get_template("calibrate.c.j2").render(
        capacity=capacity, pool_size=capacity * CHAIN_DEPTH, chain_depth=CHAIN_DEPTH, flows=FLOWS,
        iterations=iterations, max_threads=max_threads, chase_bytes=CHASE_BYTES)


def measure(max_threads: int, iterations: int, workdir: Path) -> dict:
    binary, _ = compile_c({"calibrate.c": render(max_threads, iterations)}, workdir, "calibrate")
    done = subprocess.run([str(binary)], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise AnalysisError(f"calibration benchmark failed: {done.stderr.strip()[-1000:]}")
    return json.loads(done.stdout)


def constants_from(m: dict, start: CostConstants = DEFAULT_CONSTANTS) -> Calibration:
    """CostConstants from the micro-benchmarks' cycles (see the module docstring)."""
    fixed = max(1.0, m["probe_cycles"])
    shared_read, private_read = m["shared_read_cycles"][-1], m["private_read_cycles"][-1]
    read_extra = max(0.0, shared_read - private_read)
    values = {
        "clock_ghz": (m["clock_ghz"], "dependent add chain"),
        "nf_fixed_cycles": (fixed, "private table hash + probe + update"),
        "lock_cycles_per_packet": (m["lock_pair_cycles"], "uncontended spin lock + unlock"),
        "lock_cycles_per_flow": (max(1.0, read_extra), "shared vs private table read"),
        "coherence_per_flow": (read_extra / fixed, "shared vs private table read / probe"),
        "pointer_factor": (max(0.0, m["probe_pointer_cycles"] / fixed - 1.0),
                           "pointer-chasing probe / flat probe - 1"),
    }
    if "line_transfer_cycles" in m:
        hot = m["hot_atomic_cycles"]
        threads = m["threads"][-1]
        # with n threads on one line the server does one op per (per-thread cycles / n)
        serial = hot[-1] / threads
        values.update({
            "coherence_per_packet": (m["line_transfer_cycles"] / fixed,
                                     "cache-line ping-pong / probe"),
            "serial_fraction_per_packet": (min(1.0, serial / fixed),
                                           f"hot-line atomic on {threads} threads / probe"),
            # a re-dispatched packet: hash, ring slot, and its header line moved across cores
            "handoff_cycles": (m["ring_handoff_cycles"] + m["hash_cycles"]
                               + m["line_transfer_cycles"],
                               "SPSC ring per item + hash + cache-line transfer"),
        })
    consts = dataclasses.replace(start, **{k: round(float(v), 4) for k, (v, _) in values.items()})
    return Calibration(constants=consts, calibrated={k: why for k, (_, why) in values.items()},
                       measured=m)


# The fit's chains: one NF of complexity FIT_COMPLEXITY in every form the model costs.
FIT_COMPLEXITY = 100
FIT_FORMS = [(intensity, pointer, mode) for intensity in (PER_PACKET, PER_FLOW)
             for pointer in (False, True) for mode in (MODE_NOTHING, MODE_SHARED)]
FIT_PACKETS = 200_000
# What the fit moves: the constants no micro-benchmark isolates well (how much of a
# line transfer or a pointer walk a real packet pays); the clock absorbs the harness's
# fixed overhead.  Directly measured costs (probe, lock, handoff) stay as measured.
FIT_NAMES = ("coherence_per_packet", "coherence_per_flow", "pointer_factor",
             "serial_fraction_per_packet")


def core_counts(threads: int) -> list[int]:
    """1, 2, 4, ... and ``threads``."""
    out, n = [], 1
    while n < threads:
        out.append(n)
        n *= 2
    return out + [threads]


def fit_measurements(cores: list[int], packets: int, workdir: Path, reps: int = 3,
                     clock: str = "wall", log: Callable[[str], None] = lambda s: None
                     ) -> list[Measurement]:
    """Mpps of one-NF chains on the chain benchmark, as ``cost.Measurement`` records.

    Dispatch is on src_ip: the private form keys on src_ip (each core its own
    flows), the shared one on dst_ip (one table for all cores, atomics)."""
    trace = traces.synthetic("uniform", packets)
    trace_path = workdir / "fit-trace.bin"
    trace.write(str(trace_path))
    jobs = []
    for intensity, pointer, mode in FIT_FORMS:
        key = ("src_ip",) if mode == MODE_NOTHING else ("dst_ip",)
        spec = ChainSpec(elements=[ElementSpec("nf", "NF", stateful=True, key=key,
                                               intensity=intensity, pointer=pointer,
                                               complexity=FIT_COMPLEXITY)])
        for n in cores:
            plan = Plan(fields=["src_ip"], hash_input=["src_ip"], rss_via="software", cores=n)
            label = f"fit-{intensity}-{'pointer' if pointer else 'flat'}-{mode}"
            cfg = Configuration(label=label, plan=plan, modes={"nf": mode},
                                protection={"nf": ATOMIC} if mode == MODE_SHARED else {})
            jobs.append((spec, cfg, n, dict(complexity=FIT_COMPLEXITY, intensity=intensity,
                                            pointer=pointer, mode=mode)))
    log(f"calibrate: fitting on {len(jobs)} chain-benchmark runs")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        programs = list(pool.map(lambda j: build(j[0], j[1], j[2], trace.flows(), workdir), jobs))
    best: list[Optional[dict]] = [None] * len(programs)
    for _ in range(reps):                 # round the programs: load drift touches all alike
        for i, prog in enumerate(programs):
            res = prog.run(str(trace_path), 1, clock=clock)
            if best[i] is None or res["mpps"] > best[i]["mpps"]:
                best[i] = res
    out = []
    for (_, _, n, nf), res in zip(jobs, best):
        per_core = res["per_core"]
        imbalance = max(per_core) / (sum(per_core) / len(per_core)) if sum(per_core) else 1.0
        out.append(Measurement(cores=n, mpps=res["mpps"], nfs=[nf], imbalance=[imbalance]))
    return out


def fit(cal: Calibration, ms: list[Measurement], log: Callable[[str], None]) -> Calibration:
    """Refit the FITTED constants (and the clock) to chain measurements."""
    before = fit_error(ms, cal.constants)
    fitted = calibrate(ms, start=cal.constants, names=FIT_NAMES)
    after = fit_error(ms, fitted)
    log(f"calibrate: fit error {before:.4f} -> {after:.4f} (mean squared log Mpps error)")
    why = dict(cal.calibrated)
    for name in ("clock_ghz",) + FIT_NAMES:
        if abs(getattr(fitted, name) - getattr(cal.constants, name)) > 1e-9:
            why[name] = (f"fit to {len(ms)} chain-benchmark runs"
                         + (f" (micro-benchmark: {getattr(cal.constants, name):.4g})"
                            if name in cal.calibrated else ""))
    fitted = dataclasses.replace(fitted, **{n: round(getattr(fitted, n), 4)
                                            for n in ("clock_ghz",) + FIT_NAMES})
    measured = dict(cal.measured, fit={"error_before": before, "error_after": after,
                                       "runs": [dataclasses.asdict(m) for m in ms]})
    return Calibration(constants=fitted, calibrated=why, measured=measured)


def calibrate_machine(cores: Optional[int] = None, scale: float = 1.0, fit_chains: bool = True,
                      clock: str = "wall",
                      log: Callable[[str], None] = lambda s: None) -> Calibration:
    threads = max(1, cores or os.cpu_count() or 1)
    iterations = max(10_000, int(ITERATIONS * scale))
    log(f"calibrate: micro-benchmarks on 1..{threads} threads, {iterations} operations each")
    with tempfile.TemporaryDirectory(prefix="flowmagec-calibrate-") as tmp:
        cal = constants_from(measure(threads, iterations, Path(tmp)))
        if fit_chains:
            ms = fit_measurements(core_counts(threads), max(5_000, int(FIT_PACKETS * scale)),
                                  Path(tmp), clock=clock, log=log)
            cal = fit(cal, ms, log)
    return cal


def write(cal: Calibration, path: str) -> None:
    Path(path).write_text(json.dumps(cal.to_dict(), indent=2) + "\n")


def describe(cal: Calibration) -> list[str]:
    m = cal.measured
    lines = [f"machine: {m.get('cpus')} CPUs, {m['clock_ghz']:.2f} GHz (measured)",
             f"hash {m['hash_cycles']:.1f} cycles, probe {m['probe_cycles']:.1f}, pointer probe "
             f"{m['probe_pointer_cycles']:.1f}, miss {m['miss_cycles']:.1f} (hit "
             f"{m['hit_cycles']:.1f}), lock pair {m['lock_pair_cycles']:.1f}, atomic "
             f"{m['atomic_cycles']:.1f}"]
    lines.append("threads: " + ", ".join(map(str, m["threads"])))
    for name in ("hot_atomic_cycles", "hot_lock_cycles", "shared_atomic_table_cycles",
                 "shared_lock_table_cycles", "private_table_cycles"):
        lines.append(f"{name} by threads: " + ", ".join(f"{v:.1f}" for v in m[name]))
    if "line_transfer_cycles" in m:
        lines.append(f"cache-line transfer {m['line_transfer_cycles']:.1f} cycles, ring handoff "
                     f"{m['ring_handoff_cycles']:.1f}")
    c = cal.constants.to_dict()
    lines.append("calibrated: " + ", ".join(f"{k}={c[k]:g}" for k in cal.calibrated))
    lines.append("defaults: " + ", ".join(f"{k}={c[k]}" for k in cal.defaults))
    return lines
