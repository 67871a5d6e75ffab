"""Cost model: predicted time per packet of a chain deployed on N cores.

Units are CPU cycles per packet.  Every constant lives in ``CostConstants``
(documented in docs/cost-model.md) and can be loaded from JSON or fitted to
measurements with ``calibrate``.  The Z3 formulation encodes exactly the
formula of ``predict``; it takes its per-NF numbers from ``NFCost`` so both
agree by construction (a test checks the solver's objective against
``predict``).

    work_i    = nf_fixed_cycles + cycles_per_complexity * complexity_i
    shared_i  = work_i * (1 + coherence(I) * (N-1)/N * (1 + pointer_factor*P)) + lock(I)
    serial_i  = serial_fraction(I) * work_i * (1 + pointer_factor*P)
    T(plan)   = max( sum_s imbalance(r_s) * stage_work_s / N ,  sum_{shared i} serial_i )

The first term is the work spread over the cores (the busiest core sets the
pace, hence the imbalance factor); the second is the serialisation bound: the
part of a shared NF's per-packet work that no two cores can do at once.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Optional

from ..errors import InputError, read_json

PER_PACKET = "per-packet"
PER_FLOW = "per-flow"

MODE_NOTHING = "shared-nothing"
MODE_SHARED = "shared"
MODE_STATELESS = "stateless"


@dataclass(frozen=True)
class CostConstants:
    """All tunable numbers of the model (cycles unless said otherwise)."""
    cycles_per_complexity: float = 1.0      # complexity = IR instructions on the packet path
    nf_fixed_cycles: float = 50.0           # element call, header access, table probe
    stateless_element_cycles: float = 20.0  # element without a feature record
    coherence_per_packet: float = 1.0       # extra work fraction: every write may pull the line
    coherence_per_flow: float = 0.1         # reads share the line; writes only at flow setup
    pointer_factor: float = 0.5             # irregular accesses: more lines touched per packet
    lock_cycles_per_packet: float = 60.0    # lock+unlock (or atomic RMW pair), uncontended
    lock_cycles_per_flow: float = 10.0      # reader-side cost (RCU / rwlock read)
    serial_fraction_per_packet: float = 0.25  # share of work done under mutual exclusion
    serial_fraction_per_flow: float = 0.01
    handoff_cycles: float = 150.0           # software re-dispatch: hash + ring + remote misses
    clock_ghz: float = 3.0                  # only to print Mpps
    unknown_intensity: str = PER_PACKET     # stateful NF whose intensity is unknown

    @classmethod
    def from_dict(cls, data: Mapping) -> "CostConstants":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise InputError(f"unknown cost constant(s): {', '.join(sorted(unknown))}")
        return cls(**{k: (str(v) if k == "unknown_intensity" else float(v))
                      for k, v in data.items()})

    @classmethod
    def load(cls, path: str) -> "CostConstants":
        """Constants from a JSON object (``{"constants": {...}}`` or the bare mapping)."""
        data = read_json(path, "cost measurements")
        return cls.from_dict(data.get("constants", data))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


DEFAULT_CONSTANTS = CostConstants()


# --------------------------------------------------------------------------
# Per-NF costs
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class NFCost:
    """The three numbers the model needs for one NF instance on N cores."""
    work: float       # cycles/packet when its state is private to the core
    shared: float     # cycles/packet when its state is shared by all cores
    serial: float     # cycles/packet that cannot overlap across cores when shared


def effective_intensity(intensity: Optional[str], c: CostConstants) -> str:
    return intensity if intensity in (PER_PACKET, PER_FLOW) else c.unknown_intensity


def nf_cost(complexity: float, intensity: Optional[str], pointer: bool, cores: int,
            c: CostConstants = DEFAULT_CONSTANTS) -> NFCost:
    """Costs of a stateful NF (see the module docstring for the formulas)."""
    work = c.nf_fixed_cycles + c.cycles_per_complexity * max(0.0, float(complexity))
    per_packet = effective_intensity(intensity, c) == PER_PACKET
    coherence = c.coherence_per_packet if per_packet else c.coherence_per_flow
    lock = c.lock_cycles_per_packet if per_packet else c.lock_cycles_per_flow
    serial_fraction = c.serial_fraction_per_packet if per_packet else c.serial_fraction_per_flow
    irregular = 1.0 + (c.pointer_factor if pointer else 0.0)
    remote = (cores - 1) / cores          # chance the line was last written by another core
    shared = work * (1.0 + coherence * remote * irregular) + lock
    serial = serial_fraction * work * irregular if cores > 1 else 0.0
    return NFCost(work=work, shared=shared, serial=serial)


def stateless_cost(complexity: Optional[float], c: CostConstants = DEFAULT_CONSTANTS) -> float:
    """Per-packet work of a stateless element (no record: a fixed small cost)."""
    if complexity is None:
        return c.stateless_element_cycles
    return c.nf_fixed_cycles + c.cycles_per_complexity * max(0.0, float(complexity))


# --------------------------------------------------------------------------
# Chain prediction
# --------------------------------------------------------------------------

@dataclass
class Prediction:
    time: float                   # cycles per packet for the whole server (lower is better)
    parallel: float               # the work term (already divided by cores)
    serial: float                 # the serialisation bound
    stage_work: list[float] = field(default_factory=list)   # per stage, before imbalance
    imbalance: list[float] = field(default_factory=list)    # per stage

    @property
    def bound(self) -> str:
        return "serialisation" if self.serial > self.parallel else "work"

    def mpps(self, c: CostConstants = DEFAULT_CONSTANTS) -> float:
        return c.clock_ghz * 1e3 / self.time if self.time > 0 else math.inf


@dataclass(frozen=True)
class CostedElement:
    """One chain element as the cost model sees it: fixed costs plus its chosen mode."""
    name: str
    cost: Optional[NFCost]        # None for stateless elements
    stateless_work: float = 0.0


def predict(elements: Iterable[CostedElement], modes: Mapping[str, str],
            stage_of: Mapping[str, int], imbalance: list[float], cores: int,
            c: CostConstants = DEFAULT_CONSTANTS) -> Prediction:
    """Predicted time per packet of a plan.

    ``imbalance[s]`` is max/mean core load of stage s's dispatch fields; a
    second stage (if any element is in it) pays ``handoff_cycles`` per packet.
    """
    nstages = len(imbalance)
    work = [0.0] * nstages
    serial = 0.0
    for e in elements:
        s = stage_of.get(e.name, 0)
        if e.cost is None:
            work[s] += e.stateless_work
        elif modes[e.name] == MODE_NOTHING:
            work[s] += e.cost.work
        else:
            work[s] += e.cost.shared
            serial += e.cost.serial
    if nstages > 1 and any(s > 0 for s in stage_of.values()):
        work[1] += c.handoff_cycles
    parallel = sum(w * imb for w, imb in zip(work, imbalance)) / cores
    return Prediction(time=max(parallel, serial), parallel=parallel, serial=serial,
                      stage_work=work, imbalance=list(imbalance))


# --------------------------------------------------------------------------
# Calibration from measurements
# --------------------------------------------------------------------------

# Constants the fit may move (the others are structural or only for display).
FITTED = ("nf_fixed_cycles", "coherence_per_packet", "coherence_per_flow", "pointer_factor",
          "lock_cycles_per_packet", "serial_fraction_per_packet", "handoff_cycles")


@dataclass
class Measurement:
    """One measured run: a chain of NFs with their modes, a core count and Mpps.

    JSON: ``{"cores": 8, "mpps": 12.5, "stages": 1, "imbalance": [1.0],
    "nfs": [{"complexity": 200, "intensity": "per-packet", "pointer": false,
    "mode": "shared", "stage": 0}, ...]}``
    """
    cores: int
    mpps: float
    nfs: list[dict]
    imbalance: list[float] = field(default_factory=lambda: [1.0])

    def predicted_mpps(self, c: CostConstants) -> float:
        elements, modes, stage_of = [], {}, {}
        for i, nf in enumerate(self.nfs):
            name = f"nf{i}"
            if nf.get("mode", MODE_SHARED) == MODE_STATELESS:
                elements.append(CostedElement(name, None, stateless_cost(nf.get("complexity"), c)))
            else:
                elements.append(CostedElement(name, nf_cost(nf.get("complexity", 0.0),
                                                            nf.get("intensity"),
                                                            bool(nf.get("pointer")),
                                                            self.cores, c)))
            modes[name] = nf.get("mode", MODE_SHARED)
            stage_of[name] = int(nf.get("stage", 0))
        imb = list(self.imbalance)
        while len(imb) <= max(stage_of.values(), default=0):
            imb.append(1.0)
        return predict(elements, modes, stage_of, imb, self.cores, c).mpps(c)


def load_measurements(path: str) -> list[Measurement]:
    data = read_json(path, "cost measurements")
    rows = data.get("measurements", data) if isinstance(data, dict) else data
    try:
        return [Measurement(cores=int(r["cores"]), mpps=float(r["mpps"]), nfs=list(r["nfs"]),
                            imbalance=list(r.get("imbalance", [1.0]))) for r in rows]
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"{path}: bad measurement record ({e})") from None


def fit_error(ms: list[Measurement], c: CostConstants) -> float:
    """Mean squared log error between predicted and measured Mpps."""
    return sum(math.log(m.predicted_mpps(c) / m.mpps) ** 2 for m in ms) / max(1, len(ms))


def calibrate(ms: list[Measurement], start: CostConstants = DEFAULT_CONSTANTS,
              rounds: int = 30, log: Callable[[str], None] = lambda s: None,
              names: Iterable[str] = FITTED) -> CostConstants:
    """Fit the ``names`` constants (default FITTED, and the clock) to measurements.

    Coordinate descent on a log scale: each round tries scaling every constant
    up/down by a shrinking step and keeps what lowers ``fit_error``.  The model
    has few parameters and is cheap to evaluate, so this is enough and keeps us
    free of a numerical-optimisation dependency.
    """
    if not ms:
        raise InputError("calibration needs at least one measurement")
    best, err = start, fit_error(ms, start)
    names = ("clock_ghz",) + tuple(n for n in names if n != "clock_ghz")
    step = 2.0
    for r in range(rounds):
        improved = False
        for name in names:
            for factor in (step, 1.0 / step):
                trial = dataclasses.replace(best, **{name: getattr(best, name) * factor})
                e = fit_error(ms, trial)
                if e < err - 1e-12:
                    best, err, improved = trial, e, True
        log(f"round {r}: step {step:.3f} error {err:.5f}")
        if not improved:
            step = math.sqrt(step)
            if step < 1.001:
                break
    return best
