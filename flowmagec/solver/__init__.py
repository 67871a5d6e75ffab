"""Deployment solver: Chain + NFFeatures + NIC profile (+ traffic) -> Plan.

``solve`` builds a ``formulation.Problem`` (per-NF costs from ``cost``, load
imbalance per candidate field set from ``traffic``, what the NIC can hash from
``rss`` when available), lets Z3 pick the dispatch fields, the per-NF mode and
the optional second stage, and fills the Plan (RSS realisation, RETA,
placements, baselines, alternatives, explanation).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

from ..artifacts import (KEY_FIELDS, Alternative, Chain, FeatureSet, NFPlacement, NICProfile,
                         Plan, PortDispatch, Stage, canonical_fields)
from ..errors import AnalysisError, InputError
from ..chain_knowledge import is_io_element
from . import directions
from . import traffic as traffic_mod
from .placement import (AS_IS, HANDOFF, PER_CORE_CODE, RACE, UNKNOWN, UNVERIFIED, AssumedRealiser,
                        Realiser, realiser_for)
from .cost import (DEFAULT_CONSTANTS, MODE_NOTHING, MODE_SHARED, MODE_STATELESS, PER_PACKET,
                   CostConstants, CostedElement, Prediction, effective_intensity, nf_cost,
                   predict, stateless_cost)
from .formulation import (DEFAULT_TIMEOUT_MS, MUST_BE_PRIVATE, SWAP, Candidate, must_be_private_why,
                          private_under, Formulation, NFModel,
                          Problem, Solution, SolverTimeout, all_field_sets, swap_closed)

DEFAULT_RSS = ("src_ip", "dst_ip", "src_port", "dst_port")   # what FastClick/VPP hash by default
# The configuration as written under the NIC's default 5-tuple RSS: NFs whose code
# keeps per-core state run per core, plugins that hand off pay their handoff, every
# other stateful NF shares one state (what FastClick and VPP really run).
BASELINE_DEFAULT = "stock-5tuple"
BASELINE_RANK = "flowmage-rank-rule"
ALTERNATIVES = 5


def solve(chain: Chain, features: FeatureSet, nic: NICProfile, cores: int = 8, stages: int = 1,
          traffic=None, symmetric=None, *, constants: Optional[CostConstants] = None,
          top_k: int = ALTERNATIVES, ipv6: Optional[bool] = None,
          timeout_ms: int = DEFAULT_TIMEOUT_MS, realiser: Optional[Realiser] = None,
          element_features: Optional[dict] = None) -> Plan:
    """The best deployment of ``chain`` on ``cores`` cores behind ``nic``.

    ``traffic``: None, a .pcap/.pcapng/.json path, a dict of cardinalities or a
    TrafficProfile.  ``symmetric``: traffic is bidirectional (True also asks
    for a symmetric hash whenever the chosen fields allow one); None infers it
    from the chain (any symmetric stateful NF).  ``ipv6``: IPv6 traffic is
    present (None: as the traffic profile says); the RSS key then serves both
    families.  ``timeout_ms`` bounds each Z3 call (0: none).  ``realiser``
    says which placements the emitted config can realise per NF (the driver
    passes the framework's; the default assumes the caller realises any
    placement the features allow).  ``element_features`` overrides the class record
    per chain element (keys resolved from upstream, ``chain_features``).  Raises
    AnalysisError when no deployment satisfies the NFs' hard constraints.
    """
    if cores < 1:
        raise InputError(f"cores must be at least 1, got {cores}")
    if stages not in (1, 2):
        raise InputError(f"stages must be 1 or 2, got {stages}")
    c = constants or DEFAULT_CONSTANTS
    profile = traffic_mod.load(traffic)
    nfs = chain_models(chain, features, cores, c, realiser or AssumedRealiser(), element_features)
    notes: list[str] = []
    bidir = _bidirectional(nfs, symmetric, notes)
    setting = RssSetting.for_chain(chain, _wants_ipv6(ipv6, profile))
    devices = directions.analyse(chain, features).devices
    problem = Problem(nfs=nfs, cores=cores, stages=stages,
                      nic_candidates=nic_candidates(nic, profile, cores, setting, devices),
                      soft_candidates=software_candidates(profile, cores),
                      bidirectional=bidir, constants=c, timeout_ms=timeout_ms,
                      devices=list(devices))
    if not problem.nic_candidates:
        problem.nic_candidates = software_candidates(profile, cores, stage0=True)
        notes.append(f"NIC '{nic.name}' can dispatch on no 5-tuple field set{setting.limits()}: "
                     f"stage 0 dispatches in software (+{c.handoff_cycles:.0f} cycles/packet)")
    try:
        solutions = _solve_realisable(problem, nic, top_k, setting)
    except SolverTimeout:
        raise AnalysisError(f"no plan found within the time limit ({timeout_ms} ms per Z3 call)",
                            notes=("raise the limit (solve(..., timeout_ms=...)) or allow one "
                                   "stage only",)) from None
    if not solutions:
        raise infeasible_error(problem, nic)
    return PlanBuilder(chain, problem, nic, profile, solutions, notes, setting,
                       requested_symmetric=bool(symmetric)).build()


# --------------------------------------------------------------------------
# Problem construction
# --------------------------------------------------------------------------

def chain_order(chain: Chain) -> list:
    """Elements in packet order: a topological order of the graph (ties: file order)."""
    import networkx as nx
    g = chain.graph()
    index = {e.name: i for i, e in enumerate(chain.elements)}
    try:
        names = list(nx.lexicographical_topological_sort(g, key=lambda n: index.get(n, len(index))))
    except nx.NetworkXUnfeasible:        # cycles (e.g. ARP loops): keep file order
        names = [e.name for e in chain.elements]
    by_name = {e.name: e for e in chain.elements}
    return [by_name[n] for n in names if n in by_name]


def chain_models(chain: Chain, features: FeatureSet, cores: int,
                 c: CostConstants = DEFAULT_CONSTANTS,
                 realiser: Optional[Realiser] = None,
                 element_features: Optional[dict] = None) -> list[NFModel]:
    """One NFModel per element; features are matched by record name == element class.

    An element with no record is ``unknown`` (stateful, key unknown: it can be
    neither private nor safely shared) unless it is framework I/O."""
    realiser = realiser or AssumedRealiser()
    records = features.by_name()
    ways = directions.analyse(chain, features)
    out = []
    for pos, e in enumerate(chain_order(chain)):
        f = (element_features or {}).get(e.name) or records.get(e.cls)
        m = NFModel(element=e.name, cls=e.cls, position=pos, has_record=f is not None,
                    span=e.decl_span or e.class_span, ingress=ways.ingress.get(e.name, ()),
                    translated_up=ways.translated_up.get(e.name, frozenset()),
                    translated_around=ways.translated_around.get(e.name, frozenset()))
        if f is None and is_io_element(chain.framework, e.cls):
            m.stateless_work = stateless_cost(None, c)
        elif f is not None and not f.unknown and not f.stateful:
            m.stateless_work = stateless_cost(f.complexity, c)
        else:
            m.stateful = True
            m.unknown = f is None or f.unknown
            if not m.unknown:
                m.key = frozenset(k for k in f.key if k in KEY_FIELDS)
                m.key_other = tuple(f.key_other)
                m.symmetric, m.intensity, m.pointer, m.sharing = (f.symmetric, f.intensity,
                                                                  f.pointer, f.sharing)
                m.rewrites = ways.rewrites.get(e.name, frozenset())
            m.cost = nf_cost(f.complexity if f else 1.0, m.intensity, m.pointer, cores, c)
        opts = realiser.options(e, f)
        m.private_as, m.shared_as = opts.private, opts.shared
        if opts.shared == HANDOFF and m.cost is not None:
            # shared through the plugin's own handoff: one transfer, no contention
            m.cost = dataclasses.replace(m.cost, shared=m.cost.work + c.handoff_cycles, serial=0.0)
        m.private_why, m.shared_why = opts.private_why, opts.shared_why
        m.variants = (opts.variant_private, opts.variant_shared)
        out.append(m)
    return out


def _bidirectional(nfs: list[NFModel], symmetric: Optional[bool], notes: list[str]) -> bool:
    if symmetric is not None:
        return bool(symmetric)
    sym = [n.label() for n in nfs if n.stateful and n.symmetric]
    if sym:
        notes.append(f"traffic assumed bidirectional because {', '.join(sym)} "
                     f"map{'s' if len(sym) == 1 else ''} both directions to one entry")
    return bool(sym)


def _rss():
    """The RSS realisation module, once a colleague's rss.py exists."""
    try:
        from . import rss
        return rss
    except ImportError:
        return None


# RSS mechanisms the NIC itself offers (software dispatch is our second stage).
NIC_MECHANISMS = ("port", "key", "rte_flow")
# What each framework can configure, when less than the NIC offers: VPP's dpdk
# plugin takes no RSS key from its CLI or startup.conf (soft-rss only from v26.02).
FRAMEWORK_MECHANISMS = {"vpp": ("port", "rte_flow")}
IPV4_INPUT, DUAL_STACK_INPUT = "ipv4-l4", "ipv4-l4,ipv6-l4"


@dataclass(frozen=True)
class RssSetting:
    """What the deployment lets the NIC use: mechanisms (framework) and hash input (traffic)."""
    framework: str = "fastclick"
    mechanisms: tuple[str, ...] = NIC_MECHANISMS
    input: str = IPV4_INPUT

    @classmethod
    def for_chain(cls, chain: Chain, ipv6: bool) -> "RssSetting":
        return cls(framework=chain.framework,
                   mechanisms=FRAMEWORK_MECHANISMS.get(chain.framework, NIC_MECHANISMS),
                   input=DUAL_STACK_INPUT if ipv6 else IPV4_INPUT)

    @property
    def dual_stack(self) -> bool:
        return self.input == DUAL_STACK_INPUT

    def limits(self) -> str:
        """Why fewer mechanisms than the NIC offers, as a clause ('' if none)."""
        lost = [m for m in NIC_MECHANISMS if m not in self.mechanisms]
        return f" with {self.framework} (which cannot use: {', '.join(lost)})" if lost else ""

    def realise(self, fields, nic: NICProfile, symmetric: bool):
        """The rss.realise result, falling back to software dispatch."""
        return _rss().realise(list(fields), nic, symmetric=symmetric, reta_size=nic.reta_size,
                              input=self.input, mechanisms=self.mechanisms + ("software",))


DEFAULT_SETTING = RssSetting()


def _wants_ipv6(ipv6: Optional[bool], profile) -> bool:
    return bool(ipv6) if ipv6 is not None else bool(getattr(profile, "has_ipv6", False))


def nic_can_hash(fields, nic: NICProfile, setting: RssSetting = DEFAULT_SETTING) -> bool:
    rss = _rss()
    if rss is not None and hasattr(rss, "hashable"):
        return bool(rss.hashable(list(fields), nic, input=setting.input,
                                 mechanisms=setting.mechanisms))
    # Fallback from the profile: an exact hashable set, or a subset of one when
    # the NIC selects fields (L3/L4_*_ONLY) or its key is settable (zeroed bits).
    fs = set(fields)
    for hs in map(set, nic.hashable_field_sets):
        if fs == hs or (fs <= hs and (nic.key_settable or nic.field_selection != "none")):
            return True
    return False


def nic_can_hash_symmetric(fields, nic: NICProfile, setting: RssSetting = DEFAULT_SETTING) -> bool:
    rss = _rss()
    if rss is not None and hasattr(rss, "hashable"):
        return swap_closed(fields) and bool(rss.hashable(list(fields), nic, symmetric=True,
                                                         input=setting.input,
                                                         mechanisms=setting.mechanisms))
    return swap_closed(fields) and (nic.key_settable or "symmetric_toeplitz" in nic.hash_functions)


def nic_candidates(nic: NICProfile, profile, cores: int,
                   setting: RssSetting = DEFAULT_SETTING, devices=()) -> list[Candidate]:
    singles = [Candidate(fields=fs, imbalance=profile.imbalance(fs, cores),
                         symmetric_ok=nic_can_hash_symmetric(fs, nic, setting), rank=rank)
               for rank, fs in enumerate(all_field_sets()) if nic_can_hash(fs, nic, setting)]
    if len(devices) != 2 or _rss() is None:
        return singles
    return port_pairs(singles, nic, setting)


def port_pairs(singles: list[Candidate], nic: NICProfile, setting: RssSetting) -> list[Candidate]:
    """Stage-0 candidates for a chain fed by two devices: each device its own fields.

    Only pairs the NIC realises in hardware are offered.  A pair whose second device
    hashes the swapped fields of the first ``meets`` (a reply on the second device
    gets the hash its request got on the first) when both are hashed by field
    selection alone (L3/L4 *_ONLY: the hash input is exactly the selected fields,
    in the same order, under the same key); a synthesised key cannot give that."""
    realised = {}
    for c in singles:
        r = setting.realise(c.fields, nic, False)
        if r.feasible and r.via != "software":
            realised[c.fields] = r
    width = len(all_field_sets()) + 1
    out = []
    for a in singles:
        ra = realised.get(a.fields)
        if ra is None:
            continue
        for b in singles:
            rb = realised.get(b.fields)
            if rb is None:
                continue
            same = a.fields == b.fields
            meets = (not same and b.fields == swapped(a.fields) and _selected(ra, a.fields)
                     and _selected(rb, b.fields) and ra.key_hex == rb.key_hex
                     and ra.hash_function == rb.hash_function)
            out.append(Candidate(fields=a.fields, imbalance=max(a.imbalance, b.imbalance),
                                 symmetric_ok=same and a.symmetric_ok,
                                 rank=a.rank * width + (0 if same else 1 + b.rank),
                                 port_fields=(a.fields, b.fields), meets=meets))
    return out


def swapped(fields) -> tuple[str, ...]:
    return tuple(canonical_fields(SWAP[f] for f in fields))


def _selected(r, fields) -> bool:
    """The NIC hashes exactly these fields (field selection, no synthesised key)."""
    return r.via in ("port", "rte_flow") and list(r.hash_input) == canonical_fields(fields)


def software_candidates(profile, cores: int, stage0: bool = False) -> list[Candidate]:
    """Any field set, hashed by a core; ``stage0``: that core first receives every
    packet from the NIC, so the candidate pays the handoff."""
    return [Candidate(fields=fs, imbalance=profile.imbalance(fs, cores),
                      symmetric_ok=swap_closed(fs), rank=rank, software=stage0)
            for rank, fs in enumerate(all_field_sets())]


def _solve_realisable(problem: Problem, nic: NICProfile, k: int,
                      setting: RssSetting = DEFAULT_SETTING) -> list[Solution]:
    """Solve; a stage-0 candidate the RSS realiser can only dispatch in software is
    re-costed with the handoff, one it cannot realise at all is dropped; re-solve."""
    rss = _rss()
    for _ in range(2 * len(problem.nic_candidates) + 1):
        sols = Formulation(problem).best(k)
        if not sols or rss is None or not hasattr(rss, "realise"):
            return sols
        best = sols[0]
        cand = best.cands[0] if best.cands else \
            next(c for c in problem.nic_candidates if c.fields == best.fields[0])
        if cand.software or cand.port_fields:      # pairs are realised when offered
            return sols
        r = setting.realise(best.fields[0], nic, best.symmetric[0])
        if r.feasible and r.via != "software":
            return sols
        problem.nic_candidates = [c for c in problem.nic_candidates if c is not cand]
        if r.feasible:
            problem.nic_candidates.append(dataclasses.replace(
                cand, software=True, symmetric_ok=swap_closed(cand.fields)))
        if not problem.nic_candidates:
            return []
    return []


# --------------------------------------------------------------------------
# Infeasibility
# --------------------------------------------------------------------------

def _fmt(fields) -> str:
    return "{" + ", ".join(canonical_fields(fields)) + "}" if fields else "{}"


def requirement(n: NFModel, bidirectional: bool) -> str:
    """What NF n needs from the dispatch, naming its key, its ports and the fields
    that reach it translated."""
    why = must_be_private_why(n)
    key = _fmt(n.key)
    if not n.key:
        need = "its key has no 5-tuple field" + (f" (keys on {', '.join(n.key_other)})"
                                                 if n.key_other else "") + ", so no dispatch keeps it private"
    else:
        need = f"keyed on {key}: the dispatch fields of its stage must be a subset of {key}"
    if n.translated_up & n.key:
        need += (f" and not rewritten before it ({_fmt(n.translated_up & n.key)} are rewritten "
                 f"upstream)")
    if n.sees_both_directions(bidirectional):
        ports = (f"its traffic arrives on {' and '.join(n.ingress)}" if len(n.ingress) >= 2
                 else "traffic is bidirectional")
        how = ("the second device hashing the swapped fields of the first, or a symmetric hash,"
               if len(n.ingress) >= 2 else "a symmetric hash")
        need += (f"; one entry serves both directions and {ports}, so both must reach one core: "
                 f"{how} over fields no NF on the way rewrites")
        if n.translated_around & n.key:
            need += (f" ({_fmt(n.translated_around & n.key)} are rewritten between the "
                     f"directions{' by ' + n.label() if n.rewrites else ''}, which leaves "
                     f"{_fmt(n.key - n.translated_around) if n.key - n.translated_around else 'no field'})")
    return f"{n.label()} {why}; {need}"


def _feasible(problem: Problem) -> bool:
    try:
        return bool(Formulation(problem).best(1))
    except SolverTimeout:       # undecided within the limit: do not promise it
        return False


def infeasible_error(problem: Problem, nic: NICProfile) -> AnalysisError:
    conflict = Formulation(problem).conflict()
    stage_word = "one dispatch stage" if problem.stages == 1 else "two dispatch stages"
    if not conflict:
        return AnalysisError(f"no deployment found on NIC '{nic.name}' with {stage_word}")
    names = ", ".join(n.label() for n, _ in conflict)
    notes = [requirement(n, problem.bidirectional) for n, _ in conflict]
    sets = dict.fromkeys(c.fields for c in problem.nic_candidates)
    notes.append("the NIC can hash: " + "; ".join(_fmt(f) for f in sets))
    if len(problem.devices) == 2 and not any(c.meets for c in problem.nic_candidates):
        notes.append(f"NIC '{nic.name}' cannot hash the two devices on swapped fields (that needs "
                     f"L3/L4 *_ONLY field selection per port), so a reply on one device cannot be "
                     f"sent where its request went on the other except by a symmetric hash")
    if problem.stages == 1:
        two = Problem(**{**problem.__dict__, "stages": 2})
        if _feasible(two):
            notes.append("a two-stage plan (--stages 2) re-dispatches packets in software between "
                         "these NFs so each can keep private state; it is feasible here")
        else:
            notes.append("even a two-stage plan (--stages 2) cannot satisfy them")
    msg = (f"no dispatch satisfies {names} with {stage_word}" if len(conflict) > 1 else
           f"no dispatch can keep {names} private with {stage_word}")
    return AnalysisError(msg, span=conflict[0][0].span, notes=tuple(notes))


# --------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------

def costed(nfs: list[NFModel]) -> list[CostedElement]:
    return [CostedElement(n.element, n.cost, n.stateless_work) for n in nfs]


def evaluate(problem: Problem, profile, fields, modes: dict[str, str]) -> Prediction:
    """Single-stage prediction for given fields and modes."""
    return predict(costed(problem.nfs), modes, {n.element: 0 for n in problem.nfs},
                   [profile.imbalance(fields, problem.cores)], problem.cores, problem.constants)


def modes_for(nfs: list[NFModel], fields, bidirectional: bool = False,
              devices=()) -> dict[str, str]:
    """Shared-nothing exactly for the stateful NFs that ``fields`` keeps private
    (realisably: ``private_under``), on every device alike."""
    cand = Candidate(fields=tuple(fields), imbalance=1.0, symmetric_ok=False, rank=0)
    return {n.element: (MODE_STATELESS if not n.stateful else
                        MODE_NOTHING if private_under(n, cand, bidirectional, list(devices))
                        else MODE_SHARED) for n in nfs}


def default_baseline(problem: Problem, profile) -> float:
    """Default RSS on the 5-tuple and the configuration as written: per-core code stays
    per core (correct or not), everything else stateful shares its state."""
    modes = {n.element: (MODE_STATELESS if not n.stateful else
                         MODE_NOTHING if n.private_as == PER_CORE_CODE and n.shared_as is None
                         else MODE_SHARED) for n in problem.nfs}
    return evaluate(problem, profile, DEFAULT_RSS, modes).time


def rank_rule_fields(problem: Problem) -> tuple[str, ...]:
    """The paper's rule: dispatch on the key of the highest-ranked stateful NF.

    Rank = (per-packet writes, pointers in state, complexity); first in chain wins
    ties.  The key is cut to the largest NIC-hashable subset (default RSS if none).
    """
    keyed = [n for n in problem.stateful if n.key]
    if not keyed:
        return DEFAULT_RSS
    c = problem.constants
    top = max(keyed, key=lambda n: (effective_intensity(n.intensity, c) == PER_PACKET,
                                    n.pointer, n.cost.work, -n.position))
    fitting = [cand.fields for cand in problem.nic_candidates if set(cand.fields) <= top.key]
    return max(fitting, key=len) if fitting else DEFAULT_RSS


def rank_baseline(problem: Problem, profile) -> float:
    fields = rank_rule_fields(problem)
    return evaluate(problem, profile, fields, modes_for(problem.nfs, fields, problem.bidirectional,
                                                        problem.devices)).time


# --------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------

class PlanBuilder:
    """Turns the chosen Solution (and its runner-ups) into the Plan artifact."""

    def __init__(self, chain: Chain, problem: Problem, nic: NICProfile, profile,
                 solutions: list[Solution], notes: list[str],
                 setting: RssSetting = DEFAULT_SETTING, requested_symmetric: bool = False):
        self.chain, self.p, self.nic, self.profile = chain, problem, nic, profile
        self.best, self.others = solutions[0], solutions[1:]
        self.notes = list(notes)
        self.setting, self.requested_symmetric = setting, requested_symmetric
        self.rss_warnings: list[str] = []

    def build(self) -> Plan:
        s = self.best
        plan = Plan(fields=list(s.fields[0]), symmetric=self._stage0_symmetric(),
                    cores=self.p.cores, nic=self.nic.name, cost=self._predict(s).time,
                    reta=[i % self.p.cores for i in range(self.nic.reta_size)])
        self._realise(plan)
        self._realise_ports(plan)
        plan.placements = [self._placement(n) for n in self.p.nfs]
        plan.stages = [Stage(index=i, fields=list(s.fields[i]),
                             elements=[n.element for n in self.p.nfs if s.stage_of[n.element] == i],
                             dispatch="nic" if i == 0 and plan.rss_via != "software" else "software")
                       for i in range(s.stages_used)]
        plan.baselines = {BASELINE_DEFAULT: default_baseline(self.p, self.profile),
                          BASELINE_RANK: rank_baseline(self.p, self.profile)}
        plan.alternatives = [self._alternative(o, plan.cost) for o in self.others]
        plan.explanation = self._explanation(plan)
        plan.warnings = self._warnings(plan)
        return plan

    def _predict(self, sol: Solution) -> Prediction:
        """The cost model's own figure for a solution (Z3 saw 1e-6-rounded constants)."""
        return predict(costed(self.p.nfs), sol.modes, sol.stage_of, sol.imbalance,
                       self.p.cores, self.p.constants)

    def _alternative(self, o: Solution, best_cost: float) -> Alternative:
        cost = self._predict(o).time
        return Alternative(fields=list(o.fields[0]), cost=cost,
                           relative_throughput=best_cost / cost if cost else 1.0,
                           modes=dict(o.modes), stages=o.stages_used,
                           stage_fields=[list(f) for f in o.fields[: o.stages_used]])

    def _stage0_candidate(self) -> Candidate:
        if self.best.cands:
            return self.best.cands[0]
        return next(c for c in self.p.nic_candidates if c.fields == tuple(self.best.fields[0]))

    def _stage0_symmetric(self) -> bool:
        """Symmetric when a private NF needs it, or when asked (--symmetric) and the
        chosen fields can be hashed symmetrically."""
        if self.best.symmetric[0]:
            return True
        if self.requested_symmetric:
            if self._stage0_candidate().symmetric_ok:
                return True
            self.rss_warnings.append(f"symmetric hashing asked for, but stage 0 dispatches on "
                                     f"{_fmt(self.best.fields[0])}, which cannot be hashed "
                                     f"symmetrically here (no private NF needs it): the two "
                                     f"directions of a flow may reach different cores")
        return False

    def _realise(self, plan: Plan):
        rss = _rss()
        if rss is not None and hasattr(rss, "realise"):
            r = self.setting.realise(plan.fields, self.nic, plan.symmetric)
            plan.rss_via = r.via
            plan.symmetric = r.symmetric if r.feasible else plan.symmetric
            if r.via == "software":
                # the NIC keeps its default RSS; a core hashes these fields and hands off
                plan.hash_input, plan.rss_types, plan.rss_key = list(plan.fields), [], ""
            else:
                plan.hash_input = list(r.hash_input)
                plan.rss_types = list(r.rss_types)
                plan.rss_key = r.key.hex() if r.key else ""
                plan.hash_function = getattr(r, "hash_function", plan.hash_function)
            self.notes.append(f"stage 0 is realised via {r.via or 'nothing'}: {r.why}")
            self._check_ipv6(plan, r)
            return
        # Fallback until rss.py lands: the smallest hashable set holding the fields.
        holders = [hs for hs in self.nic.hashable_field_sets if set(plan.fields) <= set(hs)]
        plan.hash_input = canonical_fields(min(holders, key=len)) if holders else list(plan.fields)
        plan.rss_types = ["ipv4"] + (["ipv4-tcp", "ipv4-udp"]
                                     if {"src_port", "dst_port"} & set(plan.hash_input) else [])

    def _realise_ports(self, plan: Plan) -> None:
        """Per-device stage 0 when the chosen candidate gives the devices different fields."""
        cand = self._stage0_candidate()
        if not cand.port_fields or len(set(cand.port_fields)) == 1:
            return
        sources = directions.sources_by_device(self.chain)
        for dev, fields in zip(self.p.devices, cand.port_fields):
            r = self.setting.realise(fields, self.nic, False)
            plan.ports.append(PortDispatch(
                device=dev, sources=sources.get(dev, []), fields=list(fields),
                hash_input=list(r.hash_input), rss_types=list(r.rss_types),
                rss_key=r.key.hex() if r.key else "", rss_via=r.via,
                hash_function=getattr(r, "hash_function", "toeplitz")))
        first = plan.ports[0]
        plan.hash_input, plan.rss_types, plan.rss_key = (list(first.hash_input),
                                                         list(first.rss_types), first.rss_key)
        plan.rss_via = first.rss_via
        how = ("the second hashes the swapped fields, so replies meet their requests"
               if cand.meets else "each device the key of the NFs it feeds")
        self.notes.append("stage 0 differs per device (" + "; ".join(
            f"{p.device}: {_fmt(p.fields)} via {p.rss_via}" for p in plan.ports) + f"): {how}")

    def _placement(self, n: NFModel) -> NFPlacement:
        """Mode, how it is realised, and whether that is safe (one truth per NF)."""
        s = self.best
        stage = s.stage_of[n.element]
        mode = s.modes[n.element]
        fields = _fmt(s.fields[stage])
        p = NFPlacement(element=n.element, cls=n.cls, mode=mode, stage=stage)
        if not n.stateful:
            p.reason = ("stateless: keeps no per-flow state" if n.has_record
                        else "framework I/O element: no per-flow state")
            return p
        if n.unknown:
            p.verdict = UNKNOWN
            p.reason = (f"features unknown ({self._unknown_why(n)}): treated as stateful with an "
                        f"unknown key, left as it is")
            p.warnings.append(f"{n.label()}: features unknown ({self._unknown_why(n)}); its state "
                              f"may be split across cores or raced on; declare it with --assume "
                              f"{n.cls}=stateless or a --features file")
            return p
        if mode == MODE_NOTHING:
            p.realisation = n.private_as or AS_IS
            p.realised_class = n.variants[0] or ""
            how = f" ({n.private_why})" if n.private_why else ""
            p.reason = (f"key {_fmt(n.key)} contains dispatch fields {fields}: private per-core "
                        f"state, realised {p.realisation}{how}")
            return p
        seen = self._fields_seen(n)
        lacking = set().union(*(set(f) - n.key for f in seen))
        missing = (_fmt(lacking) if lacking else
                   "a dispatch that brings both directions together") if n.key else "a 5-tuple key"
        extra = n.cost.shared - n.cost.work
        cost = f"+{extra:.0f} cycles/packet, {self._writes(n)}"
        if n.shared_as not in (None, UNVERIFIED):
            p.realisation = n.shared_as
            p.realised_class = n.variants[1] or ""
            how = f" ({n.shared_why})" if n.shared_why else ""
            p.reason = (f"key {_fmt(n.key)} lacks {missing}: state shared by {self.p.cores} cores, "
                        f"realised {p.realisation}{how} ({cost})")
            return p
        p.verdict = RACE
        may = "may race" if n.shared_as == UNVERIFIED else "race"
        p.reason = (f"key {_fmt(n.key)} lacks {missing}: state shared by {self.p.cores} cores "
                    f"but {n.shared_why or 'it has no thread-safe form'}: its updates {may} ({cost})")
        p.warnings.append(f"{n.label()} runs shared on {self.p.cores} threads but "
                          f"{n.shared_why or 'it has no thread-safe form'}, and it cannot be made "
                          f"private ({self._why_not_private(n)}): its updates {may}")
        return p

    def _fields_seen(self, n: NFModel) -> list[tuple]:
        """The dispatch fields of the devices that feed ``n`` (its stage's fields)."""
        stage = self.best.stage_of[n.element]
        cand = self.best.cands[stage] if len(self.best.cands) > stage else None
        if stage == 0 and cand is not None and cand.port_fields and n.ingress:
            return list(dict.fromkeys(cand.fields_on(d, self.p.devices) for d in n.ingress))
        return [tuple(self.best.fields[stage])]

    def _why_not_private(self, n: NFModel) -> str:
        if n.private_as is None:
            return n.private_why or "no per-core form"
        return f"no dispatch of this plan fits its key {_fmt(n.key)}" if n.key else \
            "its key has no 5-tuple field"

    def _unknown_why(self, n: NFModel) -> str:
        return (f"no source found for class {n.cls}" if not n.has_record
                else f"analysis of {n.cls} failed")

    def _writes(self, n: NFModel) -> str:
        kind = effective_intensity(n.intensity, self.p.constants)
        text = "per-packet writes" if kind == PER_PACKET else "per-flow writes"
        if n.intensity is None:
            text += " (intensity unknown: assumed per-packet)"
        return text + (", pointers in state" if n.pointer else "")

    def _explanation(self, plan: Plan) -> list[str]:
        s, p = self.best, self.p
        lines = []
        for st in plan.stages:
            private = [n.label() for n in p.stateful
                       if s.stage_of[n.element] == st.index and s.modes[n.element] == MODE_NOTHING]
            how = "NIC RSS" if st.dispatch == "nic" else "software re-dispatch"
            symmetric = plan.symmetric if st.index == 0 else s.symmetric[st.index]
            sym = " (symmetric hash)" if symmetric else ""
            who = (f": {', '.join(private)} keep private per-core state" if private
                   else ": no stateful NF can be private")
            lines.append(f"stage {st.index}: dispatch on {_fmt(st.fields)} by {how}{sym}{who}")
        for pl, n in zip(plan.placements, p.nfs):
            if n.stateful and not n.unknown and s.modes[n.element] == MODE_SHARED:
                lines.append(f"{n.label()} shares state ({pl.realisation}, {pl.verdict}): key "
                             f"{_fmt(n.key)}, {self._writes(n)}, "
                             f"{n.cost.shared / n.cost.work:.2f}x its private cost")
            elif n.stateful and s.modes[n.element] == MODE_NOTHING:
                lines.append(f"{n.label()} keeps private per-core state, realised {pl.realisation}"
                             + (f": {n.private_why}" if n.private_why else ""))
        if s.stages_used > 1:
            lines.append(f"the software handoff costs {p.constants.handoff_cycles:.0f} cycles/packet "
                         f"and still beats one stage")
        pred = self._predict(s)
        if pred.time > 0:
            lines.append(f"predicted {pred.mpps(p.constants):.1f} Mpps-equivalent on {p.cores} "
                         f"cores ({pred.bound}-bound: {pred.time:.1f} cycles/packet)")
        else:
            lines.append("no per-packet work analysed (no NF source found): "
                         "the choice of fields does not change the predicted cost")
        for name, cost in plan.baselines.items():
            if pred.time > 0:
                broken = self._broken_under_stock() if name == BASELINE_DEFAULT else []
                lines.append(f"{cost / pred.time:.2f}x the throughput of {name}" + (
                    f", which is not safe here: {', '.join(broken)} would see entries split "
                    f"across cores" if broken else ""))
        worst = max(s.imbalance[: s.stages_used])
        if worst > 1.05:
            lines.append(f"busiest core carries {worst:.2f}x the mean load "
                         f"(traffic: {self.profile.source})")
        if self.others and abs(self.others[0].time - s.time) < 1e-6:
            lines.append(f"tie with {_fmt(self.others[0].fields[0])}: broken by the canonical "
                         f"field order (source side first), see docs/cost-model.md")
        if self.setting.limits():
            lines.append(f"RSS mechanisms limited{self.setting.limits()}")
        if self.setting.dual_stack:
            lines.append("IPv6 traffic present: RSS types and key cover IPv4 and IPv6")
        if not s.proven:
            lines.append("best found within the time limit, not proven optimal")
        return lines + self.notes

    def _broken_under_stock(self) -> list[str]:
        """NFs whose per-core code the stock 5-tuple RSS splits (the baseline's price)."""
        stock = Candidate(fields=DEFAULT_RSS, imbalance=1.0, symmetric_ok=False, rank=0)
        return [n.label() for n in self.p.stateful
                if n.private_as == PER_CORE_CODE and n.shared_as is None
                and not private_under(n, stock, self.p.bidirectional, self.p.devices)]

    def _check_ipv6(self, plan: Plan, r) -> None:
        """Warn when IPv6 traffic is present but the realisation hashes IPv4 only."""
        if not self.setting.dual_stack or r.via == "software":
            return
        if not any(t.startswith("ipv6") for t in plan.rss_types):
            self.rss_warnings.append("IPv6 traffic is present but the plan's RSS types hash IPv4 "
                                     "only: IPv6 packets are not dispatched by the plan")
        elif plan.rss_key and "ipv6" not in getattr(r, "input", ""):
            self.rss_warnings.append("IPv6 traffic is present but the RSS key was synthesised for "
                                     "IPv4 only: IPv6 packets are not dispatched by the plan")

    def _warnings(self, plan: Plan) -> list[str]:
        out = list(self.rss_warnings)
        for pl in plan.placements:
            out += [w for w in pl.warnings if w not in out]
        if not self.best.proven:
            out.append(f"best plan found within the time limit ({self.p.timeout_ms} ms per Z3 "
                       f"call), not proven optimal")
        for n in self.p.stateful:
            if n.unknown:
                continue
            if n.intensity is None:
                out.append(f"{n.label()}: write intensity unknown, costed as per-packet")
            if n.key_other:
                out.append(f"{n.label()}: key also uses {', '.join(n.key_other)} "
                           f"(not dispatchable; only its 5-tuple part counts)")
        if self.p.cores > self.nic.max_queues:
            out.append(f"{self.p.cores} cores but NIC '{self.nic.name}' has {self.nic.max_queues} queues")
        if _rss() is None:
            out.append("RSS key not synthesised (rss module unavailable): NIC default key")
        return out
