"""Fusion rules, exercised with hand-made Facts (no passes involved)."""
from __future__ import annotations

from flowmagec.artifacts import Evidence, Fact, Facts, NFUnit, NFUnits
from flowmagec.fusion import container_id, fuse, fuse_one


def fact(fact_kind, level="source", conf=0.8, line=1, **value):
    return Fact(kind=fact_kind, value=value, confidence=conf,
                evidence=Evidence(file="nf.cc", line=line, source=f"{level}.TestPass"))


def state(container, per_flow=True, kind="hashtable", level="source", conf=0.8, **kw):
    return fact("state", level, conf, container=container, type="T", kind=kind,
                per_flow=per_flow, **kw)


def key(field, container="_flows", level="source", conf=0.8):
    return fact("key_field", level, conf, field=field, container=container)


def write(path, container="_flows", level="source", conf=0.8):
    return fact("state_write", level, conf, container=container, path=path)


def nf(*facts):
    return fuse_one(Facts(nf="X", facts=list(facts)))


def test_stateless_when_no_per_flow_container():
    f = nf(state("_count", per_flow=False, kind="counter"), fact("stateless", reason="counter"))
    assert (f.stateful, f.key, f.intensity, f.pointer) == (False, [], None, False)
    assert f.confidence["stateful"] >= 0.6
    assert f.evidence["stateful"]


def test_stateful_key_in_canonical_order_and_other_keys_split():
    f = nf(state("IPolicer::_flows"), key("dst_ip", "this->_flows"), key("src_ip", "_flows"),
           key("src_mac", "_flows"), write("every-packet"))
    assert f.stateful and f.key == ["src_ip", "dst_ip"] and f.key_other == ["src_mac"]
    assert f.intensity == "per-packet"
    assert len(f.evidence["key"]) == 2


def test_main_container_is_the_one_with_key_evidence():
    f = nf(state("_stats", kind="array"), state("_table"),
           key("src_ip", "_table"), key("dst_port", "_other_table"),
           write("per-flow", "_table"))
    assert f.key == ["src_ip"]
    assert "main container: _table" in f.evidence["stateful"][0].detail


def test_container_less_key_facts_count_for_the_main_container():
    f = nf(state("_flows"), key("protocol", container=None), write("per-flow"))
    assert f.key == ["protocol"]


def test_intensity_per_flow_when_writes_only_on_setup():
    f = nf(state("_flows"), key("src_ip"), write("per-flow"))
    assert f.intensity == "per-flow"
    assert not f.disagreements


def test_intensity_disagreement_is_kept_and_lowers_confidence():
    agree = nf(state("_flows"), key("src_ip"), write("every-packet", level="ir", conf=0.9))
    clash = nf(state("_flows"), key("src_ip"), write("per-flow", level="source", conf=0.7),
               write("every-packet", level="ir", conf=0.9))
    assert clash.intensity == "per-packet"
    assert any("intensity" in d and "source.TestPass" in d for d in clash.disagreements)
    assert clash.confidence["intensity"] < agree.confidence["intensity"]


def test_more_confident_setup_write_wins_over_weak_every_packet():
    f = nf(state("_flows"), write("per-flow", conf=0.9), write("every-packet", level="ir", conf=0.4))
    assert f.intensity == "per-flow" and f.disagreements


def test_no_write_evidence_defaults_to_per_flow_with_low_confidence():
    f = nf(state("_flows"), key("src_ip"))
    assert f.intensity == "per-flow" and f.confidence["intensity"] <= 0.3


def test_key_disagreement_between_levels():
    f = nf(state("_flows"), key("src_ip"), key("src_ip", level="ir"), key("dst_ip", level="ir"))
    assert f.key == ["src_ip", "dst_ip"]
    assert any(d.startswith("key(_flows): source says ['src_ip']") for d in f.disagreements)
    assert f.confidence["key"] < 0.8


def test_low_confidence_key_field_dropped():
    f = nf(state("_flows"), key("src_ip"), key("ip_id", conf=0.2))
    assert f.key_other == [] and any("dropped" in d for d in f.disagreements)


def test_pointer_only_counts_for_per_flow_containers():
    cfg = fact("pointer_field", container="_config", field="next", type="Rule *")
    assert not nf(state("_flows"), state("_config", per_flow=False), cfg).pointer
    hit = fact("pointer_field", container="_flows", field="ports", type="HashTable<int,int>")
    assert nf(state("_flows"), hit).pointer


def test_symmetric_from_main_container():
    assert nf(state("_flows"), fact("symmetric", container="_flows")).symmetric
    assert not nf(state("_flows"), key("src_ip"), fact("symmetric", container="_x")).symmetric


def test_sharing_weakest_protection_wins():
    assert nf(state("_flows", per_core=True, protection="per-core")).sharing == "per-core"
    assert nf(state("_flows", protection="lock")).sharing == "thread-safe"
    assert nf(state("_a", protection="atomic"), state("_b", protection="none")).sharing == "unsafe"
    assert nf(state("_flows")).sharing is None


def test_per_flow_vote_disagreement():
    f = nf(state("_flows", per_flow=True, conf=0.9), state("_flows", per_flow=False, level="ir",
                                                           conf=0.5))
    assert f.stateful and any(d.startswith("per_flow(_flows)") for d in f.disagreements)
    assert f.confidence["stateful"] < 0.9


def test_stateless_fact_against_per_flow_state():
    weak = nf(state("_flows", conf=0.9), fact("stateless", conf=0.5, reason="no table"))
    assert weak.stateful and weak.confidence["stateful"] < 0.9 and weak.disagreements
    strong = nf(state("_flows", conf=0.4), fact("stateless", conf=0.95, reason="read-only"))
    assert not strong.stateful and strong.disagreements


def test_complexity_prefers_ir():
    f = nf(fact("complexity", instructions=40), fact("complexity", level="ir", instructions=321))
    assert f.complexity == 321.0


def test_opinions_fill_gaps_but_never_override_facts():
    facts = Facts(nf="X", facts=[state("_flows"), key("src_ip"), write("every-packet")])
    f = fuse_one(facts, {"intensity": {"value": "per-flow", "confidence": 0.9, "source": "llm:m"},
                         "pointer": {"value": True, "confidence": 0.7, "source": "llm:m"}})
    assert f.intensity == "per-packet"
    assert any("llm:m says 'per-flow'" in d for d in f.disagreements)
    f2 = fuse_one(Facts(nf="X", facts=[state("_flows"), key("src_ip")]),
                  {"intensity": {"value": "per-packet", "confidence": 0.9, "source": "llm:m"}})
    assert f2.intensity == "per-packet" and f2.evidence["intensity"][0].source == "llm:m"


def test_fuse_copies_framework_and_digest_per_unit():
    units = NFUnits(units=[NFUnit(name="A", framework="vpp", digest="d1"),
                           NFUnit(name="A", framework="fastclick", digest="d2")])
    fs = fuse([Facts(nf="A"), Facts(nf="A")], units)
    assert [(n.framework, n.digest) for n in fs.nfs] == [("vpp", "d1"), ("fastclick", "d2")]
    assert fs.to_dict()["schema"] == "flowmage.features/1"


def test_container_id():
    assert container_id("IPolicer::_tables") == container_id("this->_tables") == "_tables"
    assert container_id(None) == ""


def test_agreeing_levels_reinforce_confidence():
    one = nf(state("_flows"), key("src_ip"), write("every-packet", conf=0.8))
    two = nf(state("_flows"), key("src_ip"), write("every-packet", conf=0.8),
             write("every-packet", level="ir", conf=0.75))
    assert one.confidence["intensity"] == 0.8
    assert two.confidence["intensity"] == 0.95      # 1 - 0.2 * 0.25
