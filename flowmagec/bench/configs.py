"""The configurations one bench run compares, from the real pipeline.

The chain and its features come from ``driver.Pipeline`` (or a ``--features``
file); at every core count the solver is run again (its pick may change with
the core count) and gives: its plan, the alternatives it enumerated, the
paper's rank rule; the vanilla deployment (every stateful NF shared, 5-tuple
RSS) is added.  Configurations equal in dispatch and modes are measured once
and listed under all their names.
"""
from __future__ import annotations

import contextlib
import io
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Optional

from ..artifacts import Chain, FeatureSet, KEY_FIELDS, Plan
from ..chain_knowledge import is_io_element
from ..errors import FlowmageError
from ..solver import (DEFAULT_RSS, RssSetting, chain_models, chain_order, evaluate, modes_for,
                      nic_candidates, rank_rule_fields, solve)
from ..solver import directions, nic_profiles, traffic as traffic_mod
from ..solver.cost import (DEFAULT_CONSTANTS, MODE_NOTHING, MODE_SHARED, CostConstants,
                           stateless_cost)
from ..solver.formulation import swap_closed
from ..solver.placement import AssumedRealiser, realiser_for
from .program import ChainSpec, Configuration, ElementSpec, protection_for

PLAN, VANILLA, RANK = "plan", "all-shared-5tuple", "rank-rule"


@dataclass
class Inputs:
    """What every core count's solve needs."""
    chain: Chain
    features: FeatureSet
    nic: object
    realiser: object
    constants: CostConstants = DEFAULT_CONSTANTS
    stages: int = 1
    notes: list[str] = field(default_factory=list)


def load_inputs(opts, constants: Optional[CostConstants] = None,
                log: Callable[[str], None] = lambda s: None) -> Inputs:
    """Chain and features through the real pipeline (a dry run, its printout swallowed)."""
    from ..driver import Pipeline
    opts.output, opts.dispatcher, opts.report, opts.graph, opts.explain = None, None, None, None, False
    with contextlib.redirect_stdout(io.StringIO()):
        arts = Pipeline(opts, log=log).run()
    chain, features = arts["parse"], arts["fuse"]
    return Inputs(chain=chain, features=features, nic=nic_profiles.load(opts.nic),
                  realiser=realiser_for(chain, opts.src, opts.dialect),
                  constants=constants or DEFAULT_CONSTANTS, stages=opts.stages)


def chain_spec(inputs: Inputs) -> ChainSpec:
    """Every element in packet order with the features the benchmark needs."""
    records = inputs.features.by_name()
    realiser = inputs.realiser or AssumedRealiser()
    c = inputs.constants
    out = []
    for e in chain_order(inputs.chain):
        f = records.get(e.cls)
        opts = realiser.options(e, f)
        if f is not None and f.stateful and not f.unknown:
            out.append(ElementSpec(name=e.name, cls=e.cls, stateful=True,
                                   key=tuple(k for k in f.key if k in KEY_FIELDS),
                                   symmetric=f.symmetric, intensity=f.intensity,
                                   pointer=f.pointer, complexity=f.complexity,
                                   shared_realisation=opts.shared))
        elif f is None or f.unknown:
            # unknown (or framework I/O without a record): I/O costs a stateless element,
            # an unknown NF is stateful on the whole 5-tuple, as the solver assumes
            if f is None and is_io_element(inputs.chain.framework, e.cls):
                out.append(ElementSpec(name=e.name, cls=e.cls, complexity=stateless_cost(None, c)))
            else:
                out.append(ElementSpec(name=e.name, cls=e.cls, stateful=True, key=KEY_FIELDS,
                                       complexity=f.complexity if f else 1.0,
                                       shared_realisation=opts.shared))
        else:
            out.append(ElementSpec(name=e.name, cls=e.cls, complexity=stateless_cost(f.complexity, c)))
    return ChainSpec(elements=out)


def trace_profile(trace) -> traffic_mod.PacketProfile:
    """The benchmark's trace as the solver's traffic profile (so it plans for what is measured)."""
    return traffic_mod.PacketProfile(tuples=Counter(trace.tuples), packets=len(trace),
                                     source=f"bench trace '{trace.name}'")


def dispatch_plan(fields, symmetric: bool, inputs: Inputs, cores: int) -> Plan:
    """A plan dispatching on ``fields`` realised as the solver would (RSS key or field
    selection), else hashed in software on exactly those fields."""
    fields = [f for f in KEY_FIELDS if f in set(fields)]
    setting = RssSetting.for_chain(inputs.chain, False)
    try:
        r = setting.realise(fields, inputs.nic, symmetric)
    except FlowmageError:       # not realisable on this NIC: software dispatch
        r = None
    if r is not None and r.feasible and r.via != "software":
        return Plan(fields=fields, symmetric=bool(r.symmetric), hash_input=list(r.hash_input),
                    rss_types=list(r.rss_types), rss_key=r.key.hex() if r.key else "",
                    rss_via=r.via, hash_function=getattr(r, "hash_function", "toeplitz"),
                    cores=cores, nic=inputs.nic.name)
    return Plan(fields=fields, symmetric=symmetric and swap_closed(fields), hash_input=fields,
                rss_via="software", cores=cores, nic=inputs.nic.name)


def _needs_symmetric(spec: ChainSpec, modes: dict[str, str], bidirectional: bool) -> bool:
    return bidirectional and any(e.symmetric and modes.get(e.name) == MODE_NOTHING
                                 for e in spec.stateful)


def configurations(inputs: Inputs, spec: ChainSpec, cores: int, profile,
                   symmetric: Optional[bool] = None) -> tuple[list[Configuration], list[str]]:
    """(configurations to measure on ``cores`` cores, notes); the first is the plan."""
    plan = solve(inputs.chain, inputs.features, inputs.nic, cores=cores, stages=inputs.stages,
                 traffic=profile, symmetric=symmetric, constants=inputs.constants,
                 realiser=inputs.realiser)
    by_name = {e.name: e for e in spec.elements}
    notes: list[str] = []

    stateful = {e.name for e in spec.stateful}

    def only_stateful(modes):
        return {n: m for n, m in modes.items() if n in stateful}

    def protect(modes, realisations=None):
        return {n: protection_for(by_name[n], (realisations or {}).get(n))
                for n, m in modes.items() if m == MODE_SHARED and n in by_name
                and by_name[n].stateful}

    modes = only_stateful({p.element: p.mode for p in plan.placements})
    out = [Configuration(label=PLAN, plan=plan, modes=modes,
                         protection=protect(modes, {p.element: p.realisation
                                                    for p in plan.placements}))]
    if len(plan.stages) > 1:
        notes.append(f"{cores} cores: the plan re-dispatches in software (two stages); the "
                     f"benchmark runs every NF after stage 0's dispatch")
    bidir = any(e.symmetric for e in spec.stateful) if symmetric is None else symmetric
    for i, alt in enumerate(plan.alternatives, 1):
        if alt.stages > 1:
            notes.append(f"{cores} cores: alternative {i} has two stages: not measured")
            continue
        alt_modes = only_stateful(alt.modes)
        out.append(Configuration(label=f"alt{i}", modes=alt_modes, protection=protect(alt_modes),
                                 plan=dispatch_plan(alt.fields, _needs_symmetric(spec, alt_modes, bidir),
                                                    inputs, cores)))
    vanilla = {e.name: MODE_SHARED for e in spec.stateful}
    out.append(Configuration(label=VANILLA, modes=vanilla, protection=protect(vanilla),
                             plan=dispatch_plan(DEFAULT_RSS, False, inputs, cores)))
    nfs = chain_models(inputs.chain, inputs.features, cores, inputs.constants, inputs.realiser)
    devices = list(directions.analyse(inputs.chain, inputs.features).devices)
    setting = RssSetting.for_chain(inputs.chain, False)
    problem = SimpleNamespace(stateful=[n for n in nfs if n.stateful], constants=inputs.constants,
                              nic_candidates=nic_candidates(inputs.nic, profile, cores, setting,
                                                            devices))
    rank_fields = rank_rule_fields(problem)
    rank_modes = only_stateful(modes_for(nfs, rank_fields, bidir, devices))
    out.append(Configuration(label=RANK, modes=rank_modes, protection=protect(rank_modes),
                             plan=dispatch_plan(rank_fields, _needs_symmetric(spec, rank_modes, bidir),
                                                inputs, cores)))
    model = SimpleNamespace(nfs=nfs, cores=cores, constants=inputs.constants)
    for c in out:
        c.predicted = (plan.cost if c.label == PLAN else
                       evaluate(model, profile, c.plan.fields, c.modes).time)
    return merge(out), notes


def merge(configs: list[Configuration]) -> list[Configuration]:
    """One configuration per distinct (dispatch, modes, protection), with all its names."""
    seen: dict[tuple, Configuration] = {}
    for c in configs:
        c.names = c.names or [c.label]
        sig = c.signature()
        if sig in seen:
            seen[sig].names.append(c.label)
        else:
            seen[sig] = c
    return list(seen.values())
