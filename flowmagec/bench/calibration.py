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

from ..errors import AnalysisError
from ..solver.cost import DEFAULT_CONSTANTS, CostConstants
from .program import CHAIN_DEPTH, _environment, capacity_for, compile_c

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
        threads = len(hot)
        # with n threads on one line the server does one op per (per-thread cycles / n)
        serial = hot[-1] / threads
        values.update({
            "coherence_per_packet": (m["line_transfer_cycles"] / fixed,
                                     "cache-line ping-pong / probe"),
            "serial_fraction_per_packet": (min(1.0, serial / fixed),
                                           f"hot-line atomic on {threads} threads / probe"),
            "handoff_cycles": (m["ring_handoff_cycles"], "SPSC ring handoff with hash"),
        })
    consts = dataclasses.replace(start, **{k: round(float(v), 4) for k, (v, _) in values.items()})
    return Calibration(constants=consts, calibrated={k: why for k, (_, why) in values.items()},
                       measured=m)


def calibrate_machine(cores: Optional[int] = None, scale: float = 1.0,
                      log: Callable[[str], None] = lambda s: None) -> Calibration:
    threads = max(1, cores or os.cpu_count() or 1)
    iterations = max(10_000, int(ITERATIONS * scale))
    log(f"calibrate: micro-benchmarks on 1..{threads} threads, {iterations} operations each")
    with tempfile.TemporaryDirectory(prefix="flowmagec-calibrate-") as tmp:
        m = measure(threads, iterations, Path(tmp))
    return constants_from(m)


def write(cal: Calibration, path: str) -> None:
    Path(path).write_text(json.dumps(cal.to_dict(), indent=2) + "\n")


def describe(cal: Calibration) -> list[str]:
    m = cal.measured
    lines = [f"machine: {m.get('cpus')} CPUs, {m['clock_ghz']:.2f} GHz (measured)",
             f"hash {m['hash_cycles']:.1f} cycles, probe {m['probe_cycles']:.1f}, pointer probe "
             f"{m['probe_pointer_cycles']:.1f}, miss {m['miss_cycles']:.1f} (hit "
             f"{m['hit_cycles']:.1f}), lock pair {m['lock_pair_cycles']:.1f}, atomic "
             f"{m['atomic_cycles']:.1f}"]
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
