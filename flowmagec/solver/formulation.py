"""Z3 formulation of the deployment problem (docs/cost-model.md has the full story).

Decision variables (Booleans; costs are constants they select):
  sel[s][c]   stage s dispatches on candidate field set c (exactly one per stage)
  split[k]    stateful NFs k.. run in the second stage (exactly one; k == m: one stage)
  nothing[i]  stateful NF i runs shared-nothing (else shared)
  sym[s]      stage s uses a symmetric hash

Constraints:
  nothing[i] <-> its stage's fields are a subset of key_i (symmetric-capable when
                 NF i is symmetric and traffic bidirectional)
  per-core / unsafe NF i -> nothing[i]            (tracked: unsat cores explain conflicts)
  sel[s][c] & split[k]   -> work_s = W_s[c][k] & serial_s = S_s[c][k]   (cost.py numbers)
  time >= (work_0 + work_1) / N,  time >= serial_0 + serial_1
Stage 0 candidates are the field sets the NIC can hash; stage 1 (software
re-dispatch) may use any non-empty subset of the 5-tuple.

Objective (lexicographic): time, then total work, then a deterministic tie-break
(later split, then stage 0's then stage 1's fields in canonical KEY_FIELDS order,
so source-side fields win ties).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from dataclasses import field as dataclasses_field
from fractions import Fraction
from typing import Optional

import z3

from ..artifacts import KEY_FIELDS, Span
from .cost import MODE_NOTHING, MODE_SHARED, MODE_STATELESS, CostConstants, NFCost

DEFAULT_TIMEOUT_MS = 10_000
EPS = 1e-6                         # cost comparisons (Z3 sees 1e-6-rounded constants)

SWAP = {"src_ip": "dst_ip", "dst_ip": "src_ip", "src_port": "dst_port",
        "dst_port": "src_port", "protocol": "protocol"}
MUST_BE_PRIVATE = {"per-core": "keeps per-core state (correct only if all packets of an entry "
                               "reach one core)",
                   "unsafe": "has unprotected state (no lock or atomic): it must not be shared"}


def must_be_private_why(n: "NFModel") -> str:
    if n.sharing in MUST_BE_PRIVATE:
        return MUST_BE_PRIVATE[n.sharing]
    return f"cannot be shared safely ({n.shared_why or 'no thread-safe form'})"


class SolverTimeout(Exception):
    """Every Z3 call that could have found a plan hit the time limit first."""


def all_field_sets() -> list[tuple[str, ...]]:
    """Every non-empty subset of KEY_FIELDS, canonical order inside each set,
    sorted by the documented tie-break rank (field indices compared lexicographically)."""
    subsets = [c for n in range(1, len(KEY_FIELDS) + 1)
               for c in itertools.combinations(KEY_FIELDS, n)]
    return sorted(subsets, key=lambda c: [KEY_FIELDS.index(f) for f in c])


def swap_closed(fields) -> bool:
    """A hash of these fields can be direction-invariant (src/dst pairs both present)."""
    fs = set(fields)
    return all(SWAP[f] in fs for f in fs)


@dataclass
class NFModel:
    """One chain element as the solver sees it."""
    element: str
    cls: str
    position: int
    has_record: bool = False             # a feature record exists for its class
    stateful: bool = False
    key: frozenset = frozenset()
    key_other: tuple = ()
    symmetric: bool = False
    intensity: Optional[str] = None
    pointer: bool = False
    sharing: Optional[str] = None
    cost: Optional[NFCost] = None        # stateful NFs
    stateless_work: float = 0.0          # stateless elements
    span: Optional[Span] = None
    unknown: bool = False                # no features: stateful, key unknown
    rewrites: frozenset = frozenset()    # header fields it writes
    # Realisable placements (solver/placement.py): how each is realised, None if not.
    private_as: Optional[str] = "as-is"
    shared_as: Optional[str] = "as-is"
    private_why: str = ""
    shared_why: str = ""
    variants: tuple = (None, None)       # classes realising (private, shared) as a VARIANT
    # Directions (solver/directions.py): ingress devices, fields translated before
    # it and on any path through it.
    ingress: tuple = ()
    translated_up: frozenset = frozenset()
    translated_around: frozenset = frozenset()

    @property
    def must_be_private(self) -> bool:
        """Sharing it is not realisable safely, but a private placement is."""
        return self.stateful and self.shared_as is None and self.private_as is not None

    def one_entry_both_ways(self) -> bool:
        """One state entry serves both directions of a connection: a symmetric key,
        or a translator (it must see the replies to undo its rewrite)."""
        return self.stateful and (self.symmetric or bool(self.rewrites & set(KEY_FIELDS)))

    def sees_both_directions(self, bidirectional: bool) -> bool:
        return self.one_entry_both_ways() and (bidirectional or len(self.ingress) >= 2)

    def label(self) -> str:
        return f"{self.element} ({self.cls})" if self.element != self.cls else self.element


@dataclass(frozen=True)
class Candidate:
    fields: tuple[str, ...]
    imbalance: float
    symmetric_ok: bool                  # can be hashed so both directions meet
    rank: int                           # tie-break order (lower first)
    software: bool = False              # stage 0 only: the NIC cannot, a core re-dispatches
    # Stage 0 on a two-device chain: the fields of each device (Problem.devices order);
    # empty: every device hashes ``fields``.
    port_fields: tuple = ()
    # The second device hashes the swapped fields of the first with the same function,
    # so a reply arriving there meets its request (Maestro's cross-port constraint).
    meets: bool = False

    def fields_on(self, device: str, devices: list[str]) -> tuple[str, ...]:
        if self.port_fields and device in devices:
            return self.port_fields[devices.index(device)]
        return self.fields

    def all_fields(self) -> list[tuple[str, ...]]:
        return list(self.port_fields) or [self.fields]


@dataclass
class Problem:
    nfs: list[NFModel]                  # all chain elements, in chain order
    cores: int
    stages: int                          # 1 or 2
    nic_candidates: list[Candidate]      # stage 0 (NIC RSS)
    soft_candidates: list[Candidate]     # stage 1 (software re-dispatch)
    bidirectional: bool
    constants: CostConstants
    devices: list = dataclasses_field(default_factory=list)   # ingress devices (directions.py)
    # Per Z3 call; when it triggers, the best model found so far is used and the
    # Solution says it is not proven optimal.  0 disables the limit.
    timeout_ms: int = DEFAULT_TIMEOUT_MS

    @property
    def stateful(self) -> list[NFModel]:
        return [n for n in self.nfs if n.stateful]


@dataclass
class Solution:
    fields: list[tuple[str, ...]]       # per stage in use
    modes: dict[str, str]
    stage_of: dict[str, int]
    symmetric: list[bool]
    time: float
    work: float
    imbalance: list[float]
    order: tuple = ()                   # (time, work, tie-break): the lexicographic objective
    proven: bool = True                 # False: a Z3 time limit cut the search short
    split: Optional[int] = None         # index of the first second-stage stateful NF (m: none)
    cands: list = dataclasses_field(default_factory=list)   # the chosen Candidate per stage

    @property
    def stages_used(self) -> int:
        return 1 + any(s > 0 for s in self.stage_of.values())

    def signature(self) -> tuple:
        if self.cands:
            return tuple((c.fields, c.port_fields) for c in self.cands[: self.stages_used])
        return tuple(self.fields[: self.stages_used])


def private_under(n: NFModel, cand: Candidate, bidirectional: bool,
                  devices: Optional[list[str]] = None) -> bool:
    """NF n keeps private state when its stage dispatches on ``cand``: it can be
    realised private, the fields of every device that feeds it are part of its key
    and reach it untranslated, and, when one entry serves both directions that both
    arrive, they meet: a symmetric hash, or the swapped fields on the other device,
    over fields no NF on the way rewrites."""
    if n.private_as is None or not n.key:
        return False
    devices = devices or []
    seen = {cand.fields_on(d, devices) for d in n.ingress} if cand.port_fields and n.ingress \
        else set(cand.all_fields())
    for fields in map(set, seen):
        if not fields <= n.key or fields & n.translated_up:
            return False
    if n.sees_both_directions(bidirectional):
        first = set(cand.fields_on(n.ingress[0], devices) if n.ingress else cand.fields)
        if first & n.translated_around:
            return False
        if cand.meets and len(n.ingress) >= 2:
            return True
        return cand.symmetric_ok and len(seen) == 1
    return True


def dominant(cands: list[Candidate], problem: Problem,
             nfs: Optional[list[NFModel]] = None) -> list[Candidate]:
    """Drop candidates another one beats on every count (an exact reduction).

    Two field sets that make exactly the same NFs private (symmetry included)
    cost the same except for load imbalance, so only the best-spreading one
    (ties: lower rank) of each pattern can be optimal."""
    if nfs is not None and not nfs:     # an unused stage: only the tie-break rank matters
        return sorted(cands, key=lambda c: c.rank)
    best: dict[tuple, Candidate] = {}
    for c in cands:
        pattern = (c.software, c.meets) + tuple(private_under(n, c, problem.bidirectional,
                                                              problem.devices)
                                        for n in (problem.stateful if nfs is None else nfs))
        cur = best.get(pattern)
        if cur is None or (c.imbalance, c.rank) < (cur.imbalance, cur.rank):
            best[pattern] = c
    return sorted(best.values(), key=lambda c: c.rank)


def pareto(rows: list[tuple[float, float, int]], depth: int = 1) -> list[int]:
    """Indices of the rows (work, serial, rank) that fewer than ``depth`` other rows
    match or beat on all three.

    Given the split, time = max((w0 + w1) / N, q0 + q1), total work and the
    tie-break are all monotone in each stage's (work, serial, rank).  A
    candidate dominated by ``depth`` others is beaten, stage by stage, by
    ``depth`` plans with other fields, so it is in no top-``depth`` list:
    dropping it is exact for the best ``depth`` plans.  Costs are compared as
    Z3 sees them (rounded to 1e-6)."""
    key = [(_micro(w), _micro(q), r) for w, q, r in rows]
    return [i for i, a in enumerate(key)
            if sum(j != i and b[0] <= a[0] and b[1] <= a[1] and b[2] <= a[2]
                   for j, b in enumerate(key)) < depth]


def _worse(bound: tuple[float, float], sol: "Solution") -> bool:
    """A split whose (time, work) lower bound exceeds ``sol`` cannot hold the optimum."""
    if math.isinf(bound[0]):
        return True
    time, work = _micro(bound[0]), _micro(bound[1])
    best_time, best_work = _micro(sol.order[0]), _micro(sol.order[1])
    slack = 2                     # Z3 sums 1e-6-rounded constants; the bound sums floats
    return time > best_time + slack or (abs(time - best_time) <= slack and work > best_work + slack)


def _micro(x: float) -> int:
    return round(x * 1_000_000)


def _real(x: float) -> z3.ArithRef:
    # Rounded to 1e-6 so equal inputs give exactly equal rationals (stable ties).
    return z3.RealVal(Fraction(_micro(x), 1_000_000))


def _value(model: z3.ModelRef, term) -> float:
    v = model.eval(term, model_completion=True)
    if z3.is_int_value(v):
        return float(v.as_long())
    return float(v.as_fraction()) if z3.is_rational_value(v) else float(v.as_decimal(12).rstrip("?"))


class Formulation:
    """Builds the Z3 model of a Problem; ``best(k)`` returns the top-k plans."""

    def __init__(self, problem: Problem, split: Optional[int] = None, prune: int = 0):
        """``split`` fixes the split point; ``prune`` = k > 0 (fixed split only) also
        drops candidates that k others dominate in that split: exact for the
        best k plans (``pareto``), so use it with ``best(k)`` or smaller."""
        self.p = problem
        self.nstages = problem.stages
        # With a fixed split only the NFs of a stage tell its candidates apart.
        sf = problem.stateful
        cut = len(sf) if self.nstages == 1 else split
        self.cands = [dominant(problem.nic_candidates, problem,
                               sf[:cut] if cut is not None else None)]
        if self.nstages > 1:
            self.cands.append(dominant(problem.soft_candidates, problem,
                                       sf[cut:] if cut is not None else None))
        self.sym = [z3.Bool(f"sym{s}") for s in range(self.nstages)]
        self.nothing = {n.element: z3.Bool(f"nothing[{n.element}]") for n in problem.stateful}
        # split[k]: stateful NFs k.. run in the second stage (k == m: one stage).
        # The split falls right before a stateful NF; stateless elements ride with
        # the stateful NF before them (they cost the same in any mode).
        self.m = len(problem.stateful)
        splits = ([self.m] if self.nstages == 1 else
                  range(self.m + 1) if split is None else [split])
        self.split = {k: z3.Bool(f"split{k}") for k in splits}
        self.order = {n.element: i for i, n in enumerate(problem.stateful)}
        self.anchor = self._anchors()
        self.timed_out = False            # a Z3 call hit problem.timeout_ms
        self.pruned = prune if len(splits) == 1 else 0
        self.tables = [self.stage_tables(s) for s in range(self.nstages)]
        if prune and len(self.split) == 1:
            self._prune(prune)
        self.sel = [[z3.Bool(f"sel{s}_{i}_{'+'.join(c.fields)}") for i, c in enumerate(cs)]
                    for s, cs in enumerate(self.cands)]
        self.tracked: dict[str, tuple[z3.BoolRef, NFModel, str]] = {}
        self.structure: list[z3.BoolRef] = []
        self._built = False

    def _build(self):
        """The Z3 constraints, built on first use: branch and bound skips most
        splits on their bound alone, and building is the costly part."""
        if not self._built:
            self._build_structure()
            self._build_tracked()
            self._build_cost()
            self._built = True

    # ---- helpers ---------------------------------------------------------
    def _prune(self, depth: int):
        """Keep each stage's candidates that its must-be-private NFs allow and,
        among those, the ones fewer than ``depth`` others dominate in this split."""
        (k,) = self.split
        for s in range(self.nstages):
            work, serial = self.tables[s]
            strict = [n for n in self.p.stateful
                      if n.must_be_private and (self.anchor[n.element] >= k) == (s == 1)]
            allowed = [i for i, c in enumerate(self.cands[s])
                       if all(self.private_under(n, c) for n in strict)]
            front = pareto([(work[i][k], serial[i][k], self.cands[s][i].rank) for i in allowed],
                           depth)
            keep = [allowed[i] for i in front]
            self.cands[s] = [self.cands[s][i] for i in keep]
            self.tables[s] = ([work[i] for i in keep], [serial[i] for i in keep])

    def lower_bound(self) -> tuple[float, float]:
        """(time, work) no plan with this formulation's split(s) can beat: each
        stage at its cheapest candidate independently (the stages only interact
        through the sum and max of their costs)."""
        best_w = best_q = 0.0
        for work, serial in self.tables:
            if not work:
                return math.inf, math.inf
            best_w += min(min(row.values()) for row in work)
            best_q += min(min(row.values()) for row in serial)
        return max(best_w / self.p.cores, best_q), best_w

    def _anchors(self) -> dict[str, int]:
        """Element -> index of the stateful NF whose stage it shares (-1: always stage 0)."""
        out, last = {}, -1
        for n in self.p.nfs:
            last = self.order.get(n.element, last)
            out[n.element] = last
        return out

    def in_second(self, n: NFModel) -> z3.BoolRef:
        a = self.anchor[n.element]
        return z3.Or([v for k, v in self.split.items() if k <= a] or [z3.BoolVal(False)])

    def in_stage(self, n: NFModel, s: int) -> z3.BoolRef:
        return self.in_second(n) if s == 1 else z3.Not(self.in_second(n))

    def any_second(self) -> z3.BoolRef:
        return z3.Or([v for k, v in self.split.items() if k < self.m] or [z3.BoolVal(False)])

    def private_under(self, n: NFModel, cand: Candidate) -> bool:
        return private_under(n, cand, self.p.bidirectional, self.p.devices)

    # ---- constraints -----------------------------------------------------
    def _build_structure(self):
        c = self.structure
        for vs in self.sel:
            c.append(z3.PbEq([(v, 1) for v in vs], 1))
        c.append(z3.PbEq([(v, 1) for v in self.split.values()], 1))
        # Shared-nothing iff the stage's fields are a subset of the key (and, for a
        # symmetric NF on bidirectional traffic, the stage hashes symmetrically).
        # Private is never costlier than shared, so the mode is defined, not free.
        for n in self.p.stateful:
            fits = [z3.And(self.in_stage(n, s),
                           z3.Or([v for v, cand in zip(self.sel[s], self.cands[s])
                                  if self.private_under(n, cand)] or [z3.BoolVal(False)]))
                    for s in range(self.nstages)]
            c.append(self.nothing[n.element] == z3.Or(fits))
        # A stage hashes symmetrically exactly when one of its private NFs needs it.
        for s in range(self.nstages):
            # (a candidate whose devices meet by swapped fields needs no symmetric hash)
            plain = z3.Or([v for v, cand in zip(self.sel[s], self.cands[s]) if not cand.meets]
                          or [z3.BoolVal(False)])
            needs = [z3.And(self.nothing[n.element], self.in_stage(n, s), plain)
                     for n in self.p.stateful if n.sees_both_directions(self.p.bidirectional)]
            c.append(self.sym[s] == z3.Or(needs or [z3.BoolVal(False)]))

    def _build_tracked(self):
        """Hard constraints stemming from one NF, tracked to explain infeasibility."""
        for n in self.p.stateful:
            if n.must_be_private:
                self.tracked[f"private:{n.element}"] = (self.nothing[n.element], n,
                                                       must_be_private_why(n))

    # ---- cost ------------------------------------------------------------
    def stage_tables(self, s: int) -> tuple[list[dict[int, float]], list[dict[int, float]]]:
        """(work, serial)[c][k]: stage s's cycles/packet (imbalance-weighted) and
        serial cycles when it dispatches on candidate c and the split is at k
        (for the splits this formulation allows)."""
        work, serial = [], []
        for cand in self.cands[s]:
            w_row, s_row = {}, {}
            for k in self.split:
                w = q = 0.0
                for n in self.p.nfs:
                    if (self.anchor[n.element] >= k) != (s == 1):
                        continue
                    if n.cost is None:
                        w += n.stateless_work
                    elif self.private_under(n, cand):
                        w += n.cost.work
                    else:
                        w, q = w + n.cost.shared, q + n.cost.serial
                if (s == 1 and k < self.m) or (s == 0 and cand.software):
                    w += self.p.constants.handoff_cycles
                w_row[k] = w * cand.imbalance
                s_row[k] = q
            work.append(w_row)
            serial.append(s_row)
        return work, serial

    def _build_cost(self):
        """Each (candidate, split) pair fixes a stage's work and serial cycles, so
        they are constants selected by Booleans: a tight linear encoding."""
        self.time = z3.Real("time")
        works, serials = [], []
        for s in range(self.nstages):
            w, q = z3.Real(f"work{s}"), z3.Real(f"serial{s}")
            works.append(w)
            serials.append(q)
            wt, st = self.tables[s]
            for ci, v in enumerate(self.sel[s]):
                for k, sp in self.split.items():
                    self.structure.append(z3.Implies(z3.And(v, sp), z3.And(
                        w == _real(wt[ci][k]), q == _real(st[ci][k]))))
            self.structure += [w >= 0, q >= 0]
        self.work = z3.Sum(works)
        self.serial = z3.Sum(serials)
        self.structure.append(self.time >= self.work / self.p.cores)
        self.structure.append(self.time >= self.serial)
        # Deterministic tie-break (one integer objective): later split (fewer NFs
        # in the second stage), then stage 0's fields earlier in canonical order,
        # then stage 1's.
        width = max([len(all_field_sets())] + [c.rank for cs in self.cands for c in cs]) + 1
        terms = [z3.If(v, (self.m - k) * width * width, 0) for k, v in self.split.items()]
        for s, weight in zip(range(self.nstages), (width, 1)):
            terms += [z3.If(v, c.rank * weight, 0) for v, c in zip(self.sel[s], self.cands[s])]
        self.tiebreak = z3.Sum(terms)

    # ---- solving ---------------------------------------------------------
    def optimizer(self) -> z3.Optimize:
        self._build()
        opt = z3.Optimize()
        opt.set(priority="lex")
        if self.p.timeout_ms:
            opt.set("timeout", int(self.p.timeout_ms))
        opt.add(self.structure)
        opt.add([expr for expr, _, _ in self.tracked.values()])
        opt.minimize(self.time)
        opt.minimize(self.work)
        opt.minimize(self.tiebreak)
        return opt

    def best(self, k: int = 1) -> list[Solution]:
        """The optimum and up to k-1 runner-ups with different dispatch fields.

        Two-stage problems are solved per split point by branch and bound: each
        split's lower bound (``lower_bound``) orders the search, splits whose
        bound is worse than the best plan found so far are skipped, and the
        rest are solved on their Pareto-pruned candidates.  All of it is exact;
        runner-ups come from the best split (pruned to depth k, exact for its
        top k) and the other solved splits' optima.  One Optimize over all splits at once is correct too
        but far slower on 50-NF chains (tools/bench_solver.py)."""
        if len(self.split) == 1:
            (split,) = self.split
            f = self if self.pruned >= k else Formulation(self.p, split=split, prune=k)
            sols = f._best_fixed_split(k)
            self.timed_out |= f.timed_out
            if not sols and self.timed_out:
                raise SolverTimeout()
            return sols
        per_split = [Formulation(self.p, split=sp, prune=1) for sp in self.split]
        bounds = {id(f): f.lower_bound() for f in per_split}
        found: list[Solution] = []
        incumbent: Optional[Solution] = None
        for f in sorted(per_split, key=lambda f: (bounds[id(f)], -next(iter(f.split)))):
            if incumbent is not None and _worse(bounds[id(f)], incumbent):
                continue
            sols = f._best_fixed_split(1)
            self.timed_out |= f.timed_out
            if sols:
                found.append(sols[0])
                if incumbent is None or sols[0].order < incumbent.order:
                    incumbent = sols[0]
        if incumbent is None:
            if self.timed_out:
                raise SolverTimeout()
            return []
        runner_ups = Formulation(self.p, split=incumbent.split, prune=k)
        found += runner_ups._best_fixed_split(k)[1:]
        self.timed_out |= runner_ups.timed_out
        merged: dict[tuple, Solution] = {}
        for sol in found:
            sig = sol.signature()
            if sig not in merged or sol.order < merged[sig].order:
                merged[sig] = sol
        ranked = sorted(merged.values(), key=lambda x: x.order)[:k]
        if self.timed_out:          # a skipped or cut-short split may hide a better plan
            ranked[0].proven = False
        return ranked

    def _best_fixed_split(self, k: int) -> list[Solution]:
        opt = self.optimizer()
        out: list[Solution] = []
        while len(out) < k:
            status = opt.check()
            if status == z3.unsat:
                break
            proven = status == z3.sat
            self.timed_out |= not proven
            try:
                model = opt.model()           # on a timeout: the best model found so far
            except z3.Z3Exception:
                model = None
            if model is None or not self._complete(model):
                break
            sol = self._decode(model)
            sol.proven = proven
            out.append(sol)
            if not proven:
                break
            opt.add(z3.Not(self._signature_expr(sol)))
        return out

    def _complete(self, m: z3.ModelRef) -> bool:
        """A timed-out model may not satisfy the constraints yet: check it does."""
        return all(z3.is_true(m.eval(c, model_completion=True))
                   for c in self.structure + [e for e, _, _ in self.tracked.values()])

    def _signature_expr(self, sol: Solution) -> z3.BoolRef:
        parts = [self.sel[0][self._cand_index(0, sol.cands[0] if sol.cands else sol.fields[0])]]
        if self.nstages > 1:
            if sol.stages_used > 1:
                parts += [self.any_second(), self.sel[1][self._cand_index(
                    1, sol.cands[1] if sol.cands else sol.fields[1])]]
            else:
                parts.append(z3.Not(self.any_second()))
        return z3.And(parts)

    def _cand_index(self, s: int, which) -> int:
        if isinstance(which, Candidate):
            return next(i for i, c in enumerate(self.cands[s]) if c == which)
        return next(i for i, c in enumerate(self.cands[s]) if c.fields == tuple(which))

    def _decode(self, m: z3.ModelRef) -> Solution:
        chosen = [next(c for v, c in zip(self.sel[s], self.cands[s]) if z3.is_true(m.eval(v, True)))
                  for s in range(self.nstages)]
        stage_of = {n.element: int(z3.is_true(m.eval(self.in_second(n), True))) for n in self.p.nfs}
        modes = {}
        for n in self.p.nfs:
            if not n.stateful:
                modes[n.element] = MODE_STATELESS
            else:
                modes[n.element] = (MODE_NOTHING if z3.is_true(m.eval(self.nothing[n.element], True))
                                    else MODE_SHARED)
        return Solution(fields=[c.fields for c in chosen], modes=modes, stage_of=stage_of,
                        cands=chosen,
                        symmetric=[z3.is_true(m.eval(v, True)) for v in self.sym],
                        time=_value(m, self.time), work=_value(m, self.work),
                        imbalance=[c.imbalance for c in chosen],
                        split=next((k for k, v in self.split.items() if z3.is_true(m.eval(v, True))),
                                   None),
                        order=(_value(m, self.time), _value(m, self.work),
                               _value(m, self.tiebreak)))

    # ---- infeasibility ---------------------------------------------------
    def conflict(self) -> list[tuple[NFModel, str]]:
        """A minimal set of NF requirements that cannot hold together (empty if feasible)."""
        self._build()
        s = z3.Solver()
        s.set("core.minimize", True)
        s.add(self.structure)
        lits = {}
        for name, (expr, n, why) in self.tracked.items():
            lit = z3.Bool(f"track:{name}")
            s.add(z3.Implies(lit, expr))
            lits[lit] = (n, why)
        if s.check(list(lits)) != z3.unsat:
            return []
        core = s.unsat_core()
        return [lits[c] for c in lits if any(z3.eq(c, x) for x in core)]
