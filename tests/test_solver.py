"""Deployment solver: paper cases, hard constraints, infeasibility, plan contents."""
from __future__ import annotations

import pytest

from flowmagec.artifacts import (KEY_FIELDS, Chain, Connection, Element, FeatureSet, NFFeatures,
                                 NICProfile, Plan, Span)
from flowmagec.errors import AnalysisError
from flowmagec.solver import (BASELINE_DEFAULT, BASELINE_RANK, chain_models, costed, solve)
from flowmagec.solver import traffic
from flowmagec.solver.cost import MODE_NOTHING, MODE_SHARED, MODE_STATELESS, predict
from flowmagec.solver.explain import explain

FOUR = ["src_ip", "dst_ip", "src_port", "dst_port"]
GENERIC = NICProfile(name="generic", driver="generic", hashable_field_sets=[FOUR],
                     key_settable=True)
FIXED_4TUPLE = NICProfile(name="fixed", driver="ixgbe-like", hashable_field_sets=[FOUR],
                          field_selection="none", key_settable=False)


def make_chain(*pairs, path="chain.click") -> Chain:
    els = []
    for i, (name, cls) in enumerate(pairs):
        els.append(Element(name=name, cls=cls,
                           decl_span=Span(file=path, start=0, end=len(name), line=i + 1, col=1)))
    conns = [Connection(src=a.name, src_port=0, dst=b.name, dst_port=0) for a, b in zip(els, els[1:])]
    return Chain(framework="fastclick", path=path, elements=els, connections=conns)


def nf(name, key, intensity="per-packet", pointer=False, complexity=100, **kw) -> NFFeatures:
    return NFFeatures(name=name, stateful=True, key=list(key), intensity=intensity,
                      pointer=pointer, complexity=complexity, **kw)


def figure7():
    chain = make_chain(("fd0", "FromDPDKDevice"), ("psd", "IPortScanDetector"),
                       ("policer", "IPolicer"), ("flowCounter", "IFlowCounter"),
                       ("td0", "ToDPDKDevice"))
    feats = FeatureSet(nfs=[nf("IPortScanDetector", ["src_ip"], pointer=True, complexity=200),
                            nf("IPolicer", ["dst_ip"], complexity=200),
                            nf("IFlowCounter", KEY_FIELDS, complexity=100)])
    return chain, feats


def figure4(policer_work, tracker_work):
    chain = make_chain(("policer", "IPolicer"), ("tracker", "ISourceCounter"))
    feats = FeatureSet(nfs=[nf("IPolicer", ["dst_ip"], complexity=policer_work),
                            nf("ISourceCounter", ["src_ip"], complexity=tracker_work)])
    return chain, feats


# ---- the paper's cases ------------------------------------------------------

def test_figure7_dispatches_on_src_ip():
    chain, feats = figure7()
    plan = solve(chain, feats, GENERIC, cores=16)
    assert plan.fields == ["src_ip"]
    assert plan.mode_of("psd") == MODE_NOTHING
    assert plan.mode_of("flowCounter") == MODE_NOTHING
    assert plan.mode_of("policer") == MODE_SHARED
    assert plan.mode_of("fd0") == MODE_STATELESS
    assert plan.cost < plan.baselines[BASELINE_DEFAULT]
    assert plan.baselines[BASELINE_RANK] >= plan.cost


def test_figure7_pointer_decides_against_equal_policer():
    # Same work and intensity for psd and policer: the pointers in psd's state
    # make sharing it costlier, which is the only reason src_ip wins.
    chain, feats = figure7()
    feats.nfs[0].pointer = False
    plan = solve(chain, feats, GENERIC, cores=16)
    assert any("tie" in line for line in plan.explanation)


@pytest.mark.parametrize("policer,tracker,expected", [(400, 100, ["dst_ip"]),
                                                      (100, 400, ["src_ip"])])
def test_figure4_more_work_gets_shared_nothing(policer, tracker, expected):
    plan = solve(*figure4(policer, tracker), GENERIC, cores=8)
    assert plan.fields == expected
    heavier = "policer" if policer > tracker else "tracker"
    lighter = "tracker" if heavier == "policer" else "policer"
    assert plan.mode_of(heavier) == MODE_NOTHING
    assert plan.mode_of(lighter) == MODE_SHARED


def test_figure4_equal_work_is_deterministic_source_first():
    plans = [solve(*figure4(200, 200), GENERIC, cores=8) for _ in range(2)]
    assert plans[0].fields == plans[1].fields == ["src_ip"]
    assert plans[0].alternatives[0].fields == ["dst_ip"]
    assert plans[0].alternatives[0].relative_throughput == pytest.approx(1.0)
    assert any("tie" in line for line in plans[0].explanation)


def test_figure4_two_stages_make_both_private():
    plan = solve(*figure4(200, 200), GENERIC, cores=8, stages=2)
    assert len(plan.stages) == 2
    assert plan.stages[1].dispatch == "software"
    assert plan.mode_of("policer") == plan.mode_of("tracker") == MODE_NOTHING
    by_elem = {p.element: p for p in plan.placements}
    s_pol, s_trk = by_elem["policer"].stage, by_elem["tracker"].stage
    assert s_pol != s_trk
    assert plan.stages[s_pol].fields == ["dst_ip"] and plan.stages[s_trk].fields == ["src_ip"]
    single = solve(*figure4(200, 200), GENERIC, cores=8, stages=1)
    assert plan.cost < single.cost


def test_two_stage_not_used_when_handoff_costs_more():
    # Per-flow writes share cheaply: re-dispatching every packet is not worth it.
    chain = make_chain(("a", "A"), ("b", "B"))
    feats = FeatureSet(nfs=[nf("A", ["src_ip"], intensity="per-flow", complexity=20),
                            nf("B", ["dst_ip"], intensity="per-flow", complexity=20)])
    plan = solve(chain, feats, GENERIC, cores=8, stages=2)
    assert len(plan.stages) == 1


# ---- hard constraints --------------------------------------------------------

def per_core_disjoint():
    chain = make_chain(("in", "FromDevice"), ("nat", "PerCoreNAT"), ("lb", "PerCoreLB"))
    feats = FeatureSet(nfs=[nf("PerCoreNAT", ["src_ip", "src_port"], sharing="per-core"),
                            nf("PerCoreLB", ["dst_ip"], sharing="per-core")])
    return chain, feats


def test_per_core_disjoint_keys_single_stage_infeasible_explained():
    with pytest.raises(AnalysisError) as ei:
        solve(*per_core_disjoint(), GENERIC, cores=8)
    err = ei.value
    assert "nat (PerCoreNAT)" in err.message and "lb (PerCoreLB)" in err.message
    notes = "\n".join(err.notes)
    assert "per-core state" in notes and "{dst_ip}" in notes and "{src_ip, src_port}" in notes
    assert "--stages 2" in notes and "feasible" in notes
    assert err.span is not None and err.span.line == 2       # the first conflicting element
    assert err.render().startswith("chain.click:2:1: error:")


def test_per_core_disjoint_keys_two_stage_plan():
    plan = solve(*per_core_disjoint(), GENERIC, cores=8, stages=2)
    assert plan.mode_of("nat") == plan.mode_of("lb") == MODE_NOTHING
    assert [s.fields for s in plan.stages][0] in (["src_ip"], ["src_port"], ["src_ip", "src_port"])
    assert plan.stages[1].fields == ["dst_ip"]


def test_per_core_nf_with_only_non_5tuple_key_is_infeasible_even_two_stage():
    chain = make_chain(("br", "Bridge"))
    feats = FeatureSet(nfs=[nf("Bridge", [], key_other=["src_mac"], sharing="per-core")])
    with pytest.raises(AnalysisError) as ei:
        solve(chain, feats, GENERIC, cores=4)
    notes = "\n".join(ei.value.notes)
    assert "src_mac" in notes and "even a two-stage plan" in notes


def test_unsafe_state_is_never_shared():
    # B would win on cost (pointers, more work) but A's state is unprotected.
    chain = make_chain(("a", "A"), ("b", "B"))
    feats = FeatureSet(nfs=[nf("A", ["dst_ip"], complexity=50, sharing="unsafe"),
                            nf("B", ["src_ip"], pointer=True, complexity=800)])
    plan = solve(chain, feats, GENERIC, cores=8)
    assert plan.fields == ["dst_ip"]
    assert plan.mode_of("a") == MODE_NOTHING and plan.mode_of("b") == MODE_SHARED
    free = FeatureSet(nfs=[nf("A", ["dst_ip"], complexity=50),
                           nf("B", ["src_ip"], pointer=True, complexity=800)])
    assert solve(chain, free, GENERIC, cores=8).fields == ["src_ip"]


def test_symmetric_nf_on_bidirectional_traffic_gets_symmetric_hash():
    chain = make_chain(("ct", "ConnTrack"))
    feats = FeatureSet(nfs=[nf("ConnTrack", KEY_FIELDS, symmetric=True, sharing="per-core")])
    plan = solve(chain, feats, GENERIC, cores=8)           # bidirectional inferred
    assert plan.symmetric
    fs = set(plan.fields)
    assert ("src_ip" in fs) == ("dst_ip" in fs) and ("src_port" in fs) == ("dst_port" in fs)
    assert any("bidirectional" in line for line in plan.explanation)
    one_way = solve(chain, feats, GENERIC, cores=8, symmetric=False)
    # One-way: any subset of the key keeps it private; the widest spreads best.
    assert not one_way.symmetric and one_way.fields == FOUR


def test_symmetric_needs_nic_support_or_software_stage():
    chain = make_chain(("ct", "ConnTrack"))
    feats = FeatureSet(nfs=[nf("ConnTrack", KEY_FIELDS, symmetric=True, sharing="per-core")])
    with pytest.raises(AnalysisError) as ei:
        solve(chain, feats, FIXED_4TUPLE, cores=8, symmetric=True)
    assert "symmetric" in "\n".join(ei.value.notes)
    plan = solve(chain, feats, FIXED_4TUPLE, cores=8, symmetric=True, stages=2)
    assert plan.stages[-1].dispatch == "software" and plan.mode_of("ct") == MODE_NOTHING


def test_nic_without_field_selection_restricts_fields():
    chain, feats = figure7()
    plan = solve(chain, feats, FIXED_4TUPLE, cores=16)
    assert plan.fields == FOUR
    assert plan.mode_of("psd") == MODE_SHARED and plan.mode_of("flowCounter") == MODE_NOTHING


# ---- plan contents -----------------------------------------------------------

def test_objective_matches_cost_model():
    chain, feats = figure7()
    for stages in (1, 2):
        plan = solve(chain, feats, GENERIC, cores=16, stages=stages)
        nfs = chain_models(chain, feats, 16)
        imb = [traffic.DEFAULT_PROFILE.imbalance(s.fields, 16) for s in plan.stages]
        if len(imb) < stages:
            imb.append(1.0)
        modes = {p.element: p.mode for p in plan.placements}
        stage_of = {p.element: p.stage for p in plan.placements}
        pred = predict(costed(nfs), modes, stage_of, imb, 16)
        assert plan.cost == pytest.approx(pred.time, rel=1e-6)


def test_alternatives_are_ranked_and_distinct():
    chain, feats = figure7()
    plan = solve(chain, feats, GENERIC, cores=16)
    rel = [a.relative_throughput for a in plan.alternatives]
    assert rel == sorted(rel, reverse=True) and all(0 < r <= 1.0 + 1e-9 for r in rel)
    seen = [tuple(a.fields) for a in plan.alternatives] + [tuple(plan.fields)]
    # Field sets that privatise the same NFs are pruned to the best-spreading one:
    # {src_ip}, {dst_ip} and "only the counter private" are the three designs.
    assert len(seen) == len(set(seen)) == 3
    patterns = {tuple(sorted(a.modes.items())) for a in plan.alternatives}
    assert len(patterns) == len(plan.alternatives) == 2


def test_plan_fields_roundtrip_and_explain():
    chain, feats = figure7()
    plan = solve(chain, feats, GENERIC, cores=16)
    assert plan.reta == [i % 16 for i in range(GENERIC.reta_size)]
    assert plan.hash_input and set(plan.fields) <= set(plan.hash_input)
    assert Plan.from_json(plan.to_json()).to_dict() == plan.to_dict()
    text = explain(plan)
    assert "dispatch on {src_ip}" in text and "policer" in text and "alternatives:" in text


def test_chain_without_records_is_unknown_not_stateless():
    # Unknown is a value: stateful with an unknown key, never silently stateless.
    chain = make_chain(("a", "Counter"), ("b", "Queue"))
    plan = solve(chain, FeatureSet(), GENERIC, cores=4)
    assert {p.mode for p in plan.placements} == {"shared"}
    assert {p.verdict for p in plan.placements} == {"unknown-features"}
    assert "no source found for class Counter" in plan.placements[0].reason
    assert any("--assume Counter=stateless" in w for w in plan.warnings)


def test_framework_io_elements_need_no_records():
    chain = make_chain(("in", "FromDPDKDevice"), ("out", "ToDPDKDevice"))
    plan = solve(chain, FeatureSet(), GENERIC, cores=4)
    assert {p.mode for p in plan.placements} == {MODE_STATELESS}
    assert {p.verdict for p in plan.placements} == {"safe"}


def test_skewed_traffic_moves_dispatch_off_a_single_source():
    chain, feats = figure7()
    plan = solve(chain, feats, GENERIC, cores=16, traffic={"src_ip": 1, "dst_ip": 50000})
    assert plan.fields != ["src_ip"]


def test_empty_chain_and_bad_arguments():
    plan = solve(Chain(framework="fastclick", path="x"), FeatureSet(), GENERIC, cores=4, stages=2)
    assert plan.placements == [] and plan.cost == 0.0
    from flowmagec.errors import InputError
    with pytest.raises(InputError):
        solve(*figure7(), GENERIC, cores=4, stages=3)
    with pytest.raises(InputError, match="cannot read"):
        solve(*figure7(), GENERIC, cores=4, traffic="/nonexistent/trace.pcap")
