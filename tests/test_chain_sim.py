"""Plans that are safe to deploy, checked by simulation (issue 9).

A bidirectional trace goes through each plan's generated C dispatcher (per device)
and the chain graph, with a model of every NF's ``rewrites``; for every NF placed
with per-core state, all packets touching one of its entries must reach one core.
"""
from __future__ import annotations

import pytest

from flowmagec.artifacts import FeatureSet, NFFeatures
from flowmagec.errors import AnalysisError
from flowmagec.frontends import load
from flowmagec.solver import solve
from flowmagec.solver.nic_profiles import load as load_nic
from flowmagec.solver.placement import realiser_for

from chain_sim import simulate, trace

FIVE = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]

TWO_PORT = """
define($lan 0000:3b:00.0, $wan 0000:3b:00.1)
lan :: FromDPDKDevice($lan);
wan :: FromDPDKDevice($wan);
nf :: {cls}({cfg});
lan -> Strip(14) -> [0]nf;
wan -> Strip(14) -> [1]nf;
nf[0] -> Unstrip(14) -> ToDPDKDevice($wan);
nf[1] -> Unstrip(14) -> ToDPDKDevice($lan);
"""

STOCK = [NFFeatures(name=c) for c in ("Strip", "Unstrip", "Classifier", "MarkIPHeader")]


def write(tmp_path, text, name="chain.click"):
    p = tmp_path / name
    p.write_text(text)
    return load(str(p))


def plan_for(chain, feats, nic="mlx5", cores=8, **kw):
    return solve(chain, feats, load_nic(nic), cores=cores,
                 realiser=realiser_for(chain, [], "vanilla"), **kw)


def private_of(plan):
    return {p.element for p in plan.placements if p.mode == "shared-nothing"}


def assert_no_split(chain, feats, plan, tmp_path, lan, wan=None, n=600):
    res = simulate(chain, feats, plan, tmp_path / "build", trace(n), lan=lan, wan=wan)
    assert res.checked, "no NF was placed private: nothing to check"
    assert set(res.split().values()) == {0}, res.split()
    return res


# -- a NAT: per-core mappings, replies arrive translated on the other port ------------

def nat_features(sharing="per-core"):
    return FeatureSet(nfs=STOCK + [NFFeatures(
        name="Xlat", stateful=True, key=FIVE, symmetric=True, intensity="per-flow",
        rewrites=["src_ip", "src_port"], sharing=sharing, complexity=80)])


def test_nat_replies_meet_their_mappings_on_one_core(tmp_path):
    chain = write(tmp_path, TWO_PORT.format(cls="Xlat", cfg="PUBLIC 203.0.113.1"))
    feats = nat_features()
    plan = plan_for(chain, feats)
    assert "nf" in private_of(plan)
    # the WAN side hashes the swapped untranslated fields (the remote peer)
    lan, wan = plan.ports
    assert not set(lan.fields) & {"src_ip", "src_port"}
    assert wan.fields == [{"dst_ip": "src_ip", "dst_port": "src_port"}[f] for f in lan.fields]
    assert_no_split(chain, feats, plan, tmp_path, lan=lan.device, wan=wan.device)


def test_nat_without_per_port_field_selection_is_refused_naming_nf_ports_and_fields(tmp_path):
    chain = write(tmp_path, TWO_PORT.format(cls="Xlat", cfg="PUBLIC 203.0.113.1"))
    with pytest.raises(AnalysisError) as err:
        plan_for(chain, nat_features(), nic="ixgbe")
    text = err.value.render()
    assert "nf (Xlat)" in text and "port 0000:3b:00.0" in text and "port 0000:3b:00.1" in text
    assert "{src_ip, src_port} are rewritten" in text


def test_a_nat_pattern_that_keeps_the_destination_narrows_what_the_code_may_rewrite(tmp_path):
    # the code may rewrite any field (its patterns come from the configuration); the
    # configuration's pattern table says only the source is translated
    text = TWO_PORT.format(cls="Xlat", cfg="pattern OUT 0 1, pass 1") + \
        "pats :: Patterns(OUT 203.0.113.1 50000-65535 - -);\n"
    chain = write(tmp_path, text)
    feats = FeatureSet(nfs=STOCK + [NFFeatures(name="Patterns"), NFFeatures(
        name="Xlat", stateful=True, key=FIVE[:4], symmetric=True, intensity="per-flow",
        rewrites=FIVE[:4], sharing="per-core", complexity=80)])
    plan = plan_for(chain, feats)
    lan, wan = plan.ports
    assert "nf" in private_of(plan) and set(lan.fields) <= {"dst_ip", "dst_port"}
    assert_no_split(chain, feats, plan, tmp_path, lan=lan.device, wan=wan.device)
    # without the table the code's answer stands: every field may be rewritten, refused
    with pytest.raises(AnalysisError) as err:
        plan_for(write(tmp_path, TWO_PORT.format(cls="Xlat", cfg="pattern OUT 0 1"), "b.click"),
                 feats)
    assert "which leaves no field" in err.value.render()


def test_default_five_tuple_rss_would_split_the_nat(tmp_path):
    # the simulator itself can fail: the stock 4-tuple dispatch breaks the NAT
    chain = write(tmp_path, TWO_PORT.format(cls="Xlat", cfg="PUBLIC 203.0.113.1"))
    feats = nat_features()
    plan = plan_for(chain, feats)
    plan.ports = []
    plan.fields = plan.hash_input = ["src_ip", "dst_ip", "src_port", "dst_port"]
    plan.rss_types, plan.rss_key = ["ipv4", "ipv4-tcp", "ipv4-udp"], ""
    res = simulate(chain, feats, plan, tmp_path / "b", trace(300), lan="port 0000:3b:00.0",
                   wan="port 0000:3b:00.1")
    assert res.split()["nf"] > 0


# -- a stateful firewall: one entry per connection, no translation --------------------

def test_stateful_firewall_sees_both_directions_on_one_core(tmp_path):
    chain = write(tmp_path, TWO_PORT.format(cls="ConnGuard", cfg=""))
    feats = FeatureSet(nfs=STOCK + [NFFeatures(
        name="ConnGuard", stateful=True, key=FIVE, symmetric=True, intensity="per-packet",
        sharing="per-core", complexity=60)])
    for nic in ("mlx5", "i40e"):
        plan = plan_for(chain, feats, nic=nic)
        devices = [p.device for p in plan.ports] or ["port 0000:3b:00.0", "port 0000:3b:00.1"]
        assert_no_split(chain, feats, plan, tmp_path / nic, lan=devices[0], wan=devices[1])


# -- a load balancer: rewrites the destination to a backend ---------------------------

def test_load_balancer_keeps_connections_on_their_backend_core(tmp_path):
    chain = write(tmp_path, TWO_PORT.format(cls="Spreader", cfg="VIP 198.51.100.10"))
    feats = FeatureSet(nfs=STOCK + [NFFeatures(
        name="Spreader", stateful=True, key=FIVE, symmetric=True, intensity="per-flow",
        rewrites=["dst_ip", "dst_port"], sharing="per-core", complexity=50)])
    plan = plan_for(chain, feats)
    lan, wan = plan.ports
    assert not set(lan.fields) & {"dst_ip", "dst_port"}
    assert_no_split(chain, feats, plan, tmp_path, lan=lan.device, wan=wan.device)


# -- the paper's chains (one port, one direction) ------------------------------------

FIGURE7 = """
fd0 :: FromDPDKDevice(0, MAXTHREADS 8);
fd0 -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14)
    -> psd :: Scan() -> policer :: Meter() -> flowCounter :: Tally() -> ToDPDKDevice(0);
"""


def figure7_features():
    return FeatureSet(nfs=STOCK + [
        NFFeatures(name="Scan", stateful=True, key=["src_ip"], intensity="per-packet",
                   pointer=True, complexity=300),
        NFFeatures(name="Meter", stateful=True, key=["dst_ip"], intensity="per-packet",
                   complexity=100, sharing="thread-safe"),
        NFFeatures(name="Tally", stateful=True, key=FIVE, intensity="per-packet",
                   complexity=100)])


def test_figure7_private_nfs_keep_their_entries_on_one_core(tmp_path):
    chain = write(tmp_path, FIGURE7)
    feats = figure7_features()
    plan = plan_for(chain, feats)
    assert plan.fields == ["src_ip"] and private_of(plan) == {"psd", "flowCounter"}
    modes = {p.element: (p.realisation, p.verdict) for p in plan.placements}
    assert modes["psd"] == ("replicate", "safe") and modes["policer"] == ("thread-safe", "safe")
    assert_no_split(chain, feats, plan, tmp_path, lan="port 0")


FIGURE4 = """
fd0 :: FromDPDKDevice(0);
fd0 -> MarkIPHeader(OFFSET 14) -> policer :: Meter() -> tracker :: Scan() -> ToDPDKDevice(0);
"""


@pytest.mark.parametrize("stages", [1, 2])
def test_figure4_private_nfs_keep_their_entries_on_one_core(tmp_path, stages):
    chain = write(tmp_path, FIGURE4)
    feats = FeatureSet(nfs=STOCK + [
        NFFeatures(name="Meter", stateful=True, key=["dst_ip"], intensity="per-packet",
                   complexity=200),
        NFFeatures(name="Scan", stateful=True, key=["src_ip"], intensity="per-packet",
                   complexity=200)])
    plan = plan_for(chain, feats, stages=stages)
    if stages == 1:
        assert_no_split(chain, feats, plan, tmp_path, lan="port 0")
    else:
        # the second stage re-dispatches in software: the simulator covers stage 0 only
        first = {p.element for p in plan.placements
                 if p.mode == "shared-nothing" and p.stage == 0}
        assert len(private_of(plan)) == 2 and len(first) == 1


# -- unknown elements ---------------------------------------------------------------

def test_unknown_element_is_kept_stateful_and_reported(tmp_path):
    chain = write(tmp_path, FIGURE7.replace("Tally()", "Mystery()"))
    feats = figure7_features()
    plan = plan_for(chain, feats)
    unknown = next(p for p in plan.placements if p.element == "flowCounter")
    assert (unknown.mode, unknown.verdict) == ("shared", "unknown-features")
    assert any("flowCounter (Mystery)" in w and "features unknown" in w for w in plan.warnings)
    assert_no_split(chain, feats, plan, tmp_path, lan="port 0")


def test_nat_config_gives_each_port_the_rules_the_simulation_used(tmp_path):
    from flowmagec.emitters.fastclick import FastClickEmitter
    chain = write(tmp_path, TWO_PORT.format(cls="Xlat", cfg="PUBLIC 203.0.113.1"))
    feats = nat_features()
    plan = plan_for(chain, feats)
    em = FastClickEmitter(chain, plan, feats, rules_path=str(tmp_path / "o.rules"),
                          nic=load_nic("mlx5")).run()
    text = em.text[chain.path]
    rules = {str(tmp_path / "o.rules"): em.rules, **em.extra_rules}
    lan, wan = plan.ports
    for port, src in ((lan, "lan"), (wan, "wan")):
        line = next(l for l in text.splitlines() if l.startswith(f"{src} :: FromDPDKDevice"))
        path = line.split("FLOW_RULES_FILE ")[1].split(",")[0].rstrip(");")
        assert "MODE flow" in line and path in rules
        for t in port.rss_types:
            assert t in rules[path]
    assert rules[str(tmp_path / "o.rules")] != next(iter(em.extra_rules.values()))


def test_flow_block_elements_take_the_key_of_their_upstream_manager(tmp_path):
    from flowmagec.artifacts import Evidence
    from flowmagec.chain_features import resolve_upstream_keys
    chain = write(tmp_path, "fd0 :: FromDPDKDevice(0);\n"
                            "fd0 -> fm :: DstClassifier() -> meter :: BlockUser() "
                            "-> ToDPDKDevice(0);\n")
    feats = FeatureSet(nfs=STOCK + [
        NFFeatures(name="DstClassifier", stateful=True, key=["dst_ip"], intensity="per-flow",
                   sharing="per-core", evidence={"provides": [Evidence("m.cc", 1, "t",
                                                                       "flow-manager")]}),
        NFFeatures(name="BlockUser", stateful=True, key=FIVE, intensity="per-packet",
                   key_other=["upstream:flow-manager"], sharing="per-core")])
    records = feats.by_name()
    per = resolve_upstream_keys(chain, {e.name: records[e.cls] for e in chain.elements
                                        if e.cls in records})
    assert per["meter"].key == ["dst_ip"]
    plan = solve(chain, feats, load_nic("mlx5"), cores=8, element_features=per,
                 realiser=realiser_for(chain, [], "vanilla"))
    assert plan.fields == ["dst_ip"] and private_of(plan) == {"fm", "meter"}
    assert_no_split(chain, FeatureSet(nfs=[per["meter"], records["DstClassifier"]] + STOCK),
                    plan, tmp_path, lan="port 0")
