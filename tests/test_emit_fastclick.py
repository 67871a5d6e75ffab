"""FastClick emitter: plans become minimal, span-preserving edits of the user's config.

Golden files live in tests/data/emit/golden/ (``<case>.click`` and ``<case>.rules``);
regenerate them with ``FLOWMAGEC_UPDATE_GOLDEN=1`` and read every diff before committing.
"""
import difflib
import os
import re
from pathlib import Path

import pytest

from flowmagec.artifacts import FeatureSet, NFFeatures, NFPlacement, Plan, Stage
from flowmagec.driver import Options
from flowmagec.emitters.fastclick import FastClickEmitter, emit_fastclick, hash_run, software_dispatch
from flowmagec.emitters.fastclick_rules import MAX_RULE_QUEUES, STYLES, flow_rules, style_for
from flowmagec.emitters.fastclick_variants import ClassVariants
from flowmagec.errors import AnalysisError
from flowmagec.frontends import load
from flowmagec.outputs import OutputSet
from flowmagec.solver import solve
from flowmagec.solver.nic_profiles import load as load_nic

DATA = Path(__file__).parent / "data" / "emit"
GOLDEN = DATA / "golden"
SRC = str(DATA / "src")
FIVE = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]
UPDATE = os.environ.get("FLOWMAGEC_UPDATE_GOLDEN") == "1"


def figure7_features():
    return FeatureSet(nfs=[
        NFFeatures(name="IPortScanDetector", stateful=True, key=["src_ip"], intensity="per-packet",
                   pointer=True, complexity=3.0),
        NFFeatures(name="IPolicer", stateful=True, key=["dst_ip"], intensity="per-packet",
                   complexity=1.0),
        NFFeatures(name="IFlowCounter", stateful=True, key=FIVE, intensity="per-packet",
                   complexity=1.0),
    ])


def tally_features():
    return FeatureSet(nfs=[
        NFFeatures(name="Tally", stateful=True, key=["src_ip"], intensity="per-packet", complexity=2.0),
        NFFeatures(name="Meter2", stateful=True, key=["dst_ip"], intensity="per-packet"),
    ])


def changed_lines(a: str, b: str) -> list[str]:
    return [l for l in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def load_text(text, tmp):
    p = Path(tmp) / "edited.click"
    p.write_text(text)
    return load(str(p))


from flowmagec.solver.placement import realiser_for  # noqa: E402


def emit_case(config, nic, cores=8, features=figure7_features, dialect="vanilla", stages=1):
    path = str(DATA / config)
    chain = load(path)
    plan = solve(chain, features(), nic=load_nic(nic), cores=cores, stages=stages,
                 realiser=realiser_for(chain, [SRC], dialect))
    em = FastClickEmitter(chain, plan, features(), src_dirs=[SRC], dialect=dialect,
                          rules_path="chain.rules", nic=load_nic(nic)).run()
    return path, plan, em


def check_golden(case: str, em, path: str):
    got = {".click": em.text[path], ".rules": em.rules}
    for ext, text in got.items():
        gold = GOLDEN / (case + ext)
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            if text is None:
                gold.unlink(missing_ok=True)
            else:
                gold.write_text(text)
        if text is None:
            assert not gold.exists(), f"{gold} expected but the emitter wrote no rules"
        else:
            assert text == gold.read_text(), f"{case}{ext} differs from {gold}"


# --------------------------------------------------------------------------
# Golden cases: one per way FastClick gets the plan onto the NIC
# --------------------------------------------------------------------------

GOLDEN_CASES = [
    # case, config, nic, cores, features, dialect, stages
    ("figure7-mlx5", "figure7.click", "mlx5", 8, figure7_features, "vanilla", 1),
    ("figure7-i40e", "figure7.click", "i40e", 8, figure7_features, "vanilla", 1),
    ("figure7-ixgbe", "figure7.click", "ixgbe", 8, figure7_features, "vanilla", 1),
    ("figure7-ice", "figure7.click", "ice", 8, figure7_features, "vanilla", 1),
    ("figure7-net_null", "figure7.click", "net_null", 4, figure7_features, "vanilla", 1),
    ("figure7-2stage", "figure7.click", "mlx5", 32, figure7_features, "vanilla", 2),
    ("figure7-flowmage", "figure7.click", "mlx5", 16, figure7_features, "flowmage", 1),
    ("multiport-mlx5", "multiport.click", "mlx5", 4, tally_features, "vanilla", 1),
    ("elementclass-i40e", "elementclass.click", "i40e", 4, tally_features, "vanilla", 1),
    ("define-ixgbe", "define.click", "ixgbe", 8, tally_features, "vanilla", 1),
]


@pytest.mark.parametrize("case,config,nic,cores,features,dialect,stages", GOLDEN_CASES,
                         ids=[c[0] for c in GOLDEN_CASES])
def test_golden(case, config, nic, cores, features, dialect, stages, tmp_path):
    path, plan, em = emit_case(config, nic, cores, features, dialect, stages)
    check_golden(case, em, path)
    # the output parses, and no line of the input is lost: each removed line comes back edited
    load_text(em.text[path], tmp_path)
    diff = changed_lines(open(path).read(), em.text[path])
    assert len([l for l in diff if l.startswith("-")]) <= len([l for l in diff if l.startswith("+")])


def test_figure7_flowmage_dialect_gives_the_papers_output(tmp_path):
    path, plan, em = emit_case("figure7.click", "mlx5", 16, dialect="flowmage")
    diff = changed_lines(open(path).read(), em.text[path])
    # only the four edited declarations change, each only by added keywords
    assert len([l for l in diff if l.startswith("+")]) == 4
    edited = load_text(em.text[path], tmp_path)
    fd0, psd, pol, fc = (edited.element(n) for n in ("fd0", "psd", "policer", "flowCounter"))
    assert fd0.keyword("HASHFUNC").value == '"src_ip"'
    assert fd0.keyword("MAXTHREADS").value == "16"
    assert psd.keyword("SHARED").value == "false"
    assert pol.keyword("SHARED").value == "true"
    assert fc.keyword("SHARED").value == "false"
    assert em.rules is None


def test_vanilla_dispatch_edits_only_the_dpdk_source_and_writes_rules(tmp_path):
    path = str(DATA / "figure7.click")
    chain = load(path)
    plan = solve(chain, figure7_features(), nic=load_nic("mlx5"), cores=8)
    opts = Options(config=path, output=str(tmp_path / "out.click"), nic="mlx5")
    with OutputSet(protected=chain.files) as outs:
        written = emit_fastclick(chain, plan, figure7_features(), outs, opts)
    out = (tmp_path / "out.click").read_text()
    diff = changed_lines(open(path).read(), out)
    assert len(diff) == 2 and "FromDPDKDevice" in diff[0] and "FromDPDKDevice" in diff[1]
    fd0 = load(str(tmp_path / "out.click")).element("fd0")
    assert fd0.keyword("MODE").value == "flow"
    # MAXTHREADS 16 already allows the plan's 8 threads; no N_QUEUES: one queue per thread
    assert fd0.keyword("N_QUEUES") is None and fd0.keyword("MAXTHREADS").value == "16"
    rules_path = fd0.keyword("FLOW_RULES_FILE").value
    assert os.path.isabs(rules_path) and rules_path == str(tmp_path / "out.rules")
    assert rules_path in written
    rules = Path(rules_path).read_text().splitlines()
    assert rules == ["ingress pattern eth / ipv4 / end actions rss func toeplitz types ipv4 "
                     "l3-src-only end queues 0 1 2 3 4 5 6 7 end / end"]


# --------------------------------------------------------------------------
# Rule shapes per driver (DPDK 22.11 driver code, see fastclick_rules.py)
# --------------------------------------------------------------------------

def test_mlx5_rules_carry_selection_key_and_queues_in_every_rule():
    rules = flow_rules(["ipv4", "ipv4-tcp", "ipv4-udp", "l3-src-only", "l4-dst-only"], "ab" * 40,
                       "toeplitz", 2, STYLES["mlx5"])
    assert rules[0] == ("ingress pattern eth / ipv4 / tcp / end actions rss func toeplitz types "
                        "ipv4-tcp l3-src-only l4-dst-only end key " + "ab" * 40 + " queues 0 1 end / end")
    # mlx5 rejects L4 *_ONLY without an L4 type: the plain IPv4 rule keeps only l3 words
    assert rules[-1].startswith("ingress pattern eth / ipv4 / end actions rss func toeplitz "
                                "types ipv4 l3-src-only end key")


def test_i40e_puts_queues_in_one_global_rule_and_none_in_pattern_rules():
    rules = flow_rules(["ipv4", "l3-dst-only"], "", "symmetric_toeplitz", 4, STYLES["i40e"])
    assert rules == ["ingress pattern end actions rss types end queues 0 1 2 3 end / end",
                     "ingress pattern eth / ipv4 / end actions rss func symmetric_toeplitz "
                     "types ipv4 l3-dst-only end queues end / end"]


def test_ice_rules_carry_no_key_and_no_queues():
    rules = flow_rules(["ipv4", "l3-src-only"], "cd" * 52, "toeplitz", 4, STYLES["ice"])
    assert rules == ["ingress pattern eth / ipv4 / end actions rss func toeplitz types ipv4 "
                     "l3-src-only end queues end / end"]


def test_ixgbe_gets_one_global_rule_with_the_default_function():
    rules = flow_rules(["ipv4", "ipv4-tcp", "ipv4-udp"], "ef" * 40, "toeplitz", 2, STYLES["ixgbe"])
    assert rules == ["ingress pattern end actions rss types ipv4-tcp ipv4-udp ipv4 end key "
                     + "ef" * 40 + " queues 0 1 end / end"]
    assert style_for("some_new_pmd").per_pattern is False


def test_rules_respect_testpmd_and_fastclick_limits():
    with pytest.raises(AnalysisError, match="at most 128"):
        flow_rules(["ipv4"], "", "toeplitz", MAX_RULE_QUEUES + 1, STYLES["mlx5"])
    with pytest.raises(AnalysisError, match="512-byte buffer"):
        flow_rules(["ipv4", "l3-src-only"], "ab" * 52, "toeplitz", 120, STYLES["mlx5"])
    assert len(flow_rules(["ipv4"], "ab" * 40, "toeplitz", 64, STYLES["mlx5"])) == 1
    with pytest.raises(AnalysisError):
        flow_rules(["ipv4"], "", "toeplitz", 4, STYLES["net_null"])


def test_ice_cannot_carry_the_planned_key_so_the_plan_is_realised_with_selection():
    path, plan, em = emit_case("figure7.click", "ice")
    assert em.dispatch == "flow"
    assert plan.rss_key == "" and "l3-src-only" in plan.rss_types
    assert "key" not in em.rules


def test_net_null_without_rte_flow_dispatches_in_software(tmp_path):
    path, plan, em = emit_case("figure7.click", "net_null", cores=4)
    assert em.dispatch == "software" and em.rules is None
    edited = load_text(em.text[path], tmp_path)
    fd0 = edited.element("fd0")
    assert fd0.keyword("N_QUEUES").value == "1" and fd0.keyword("MAXTHREADS").value == "1"
    sw = [e for e in edited.elements if e.cls == "HashSwitch"]
    assert len(sw) == 1 and sw[0].config.replace(" ", "") == "26,4"        # src_ip behind Ethernet
    sched = [e for e in edited.elements if e.cls == "StaticThreadSched"][0]
    assert sched.config.count("Pipeliner") == 0 and len(sched.args) == 4
    assert any("software" in w for w in em.warnings)


def test_net_null_keeps_fastclick_defaults_when_the_plan_is_the_4_tuple():
    others = ("Classifier", "MarkIPHeader", "IPortScanDetector", "IPolicer")
    feats = lambda: FeatureSet(nfs=[NFFeatures(name="IFlowCounter", stateful=True, key=FIVE,
                                               intensity="per-packet", sharing="per-core")]
                               + [NFFeatures(name=c) for c in others])    # declared stateless
    path, plan, em = emit_case("figure7.click", "net_null", cores=4, features=feats)
    assert sorted(plan.fields) == sorted(FIVE[:4])
    # the stock port RSS already hashes the 4-tuple and MAXTHREADS 16 allows 4 threads
    assert em.dispatch == "stock" and em.rules is None
    assert em.text[path] == open(path).read()
    assert em.notes[0].startswith("plan equals the current configuration: no edits")


def test_configs_without_fromdpdkdevice_are_left_alone_with_a_warning():
    path, plan, em = emit_case("pcap.click", "mlx5", features=tally_features)
    assert em.dispatch == "none"
    assert any("FromDump" in w and "--dispatcher" in w for w in em.warnings)


def test_software_hash_uses_a_contiguous_subset_of_the_fields():
    assert hash_run(["src_ip", "dst_port"]) == ["src_ip"]                 # coarser is still correct
    assert hash_run(["src_ip", "dst_ip", "src_port"]) == ["src_ip", "dst_ip", "src_port"]
    assert hash_run(["src_ip", "src_port", "dst_port"], symmetric=True) == ["src_port", "dst_port"]
    decl, run = software_dispatch("d", ["dst_ip"], 2, ip_offset=0)
    assert "HashSwitch(16, 4)" in decl and decl.count("Pipeliner") == 2


def test_redispatch_after_strip_hashes_relative_to_the_ip_header(tmp_path):
    cfg = tmp_path / "c.click"
    cfg.write_text("in :: FromDPDKDevice(0)\n  -> Strip(14)\n  -> a :: A\n  -> b :: B\n  -> Discard;\n")
    chain = load(str(cfg))
    plan = Plan(fields=["src_ip"], cores=2, rss_types=["ipv4", "l3-src-only"], nic="mlx5",
                placements=[NFPlacement(element="a", cls="A", mode="shared-nothing"),
                            NFPlacement(element="b", cls="B", mode="shared-nothing", stage=1)],
                stages=[Stage(index=0, fields=["src_ip"], elements=["a"]),
                        Stage(index=1, fields=["dst_ip"], elements=["b"], dispatch="software")])
    em = FastClickEmitter(chain, plan, FeatureSet()).run()
    edited = load_text(em.text[str(cfg)], tmp_path)
    sw = [e for e in edited.elements if e.cls == "HashSwitch"]
    assert len(sw) == 1 and sw[0].config.replace(" ", "") == "16,4"       # dst_ip, data at IP
    g = edited.graph()
    assert any(d.startswith("fm_redispatch1") for _, d in g.out_edges("a"))
    assert any(s.startswith("fm_redispatch1") for s, _ in g.in_edges("b"))


# --------------------------------------------------------------------------
# Per-NF sharing from the source tree
# --------------------------------------------------------------------------

def test_variant_modes_come_from_template_arguments_and_mt_safe_declarations():
    v = ClassVariants([SRC])
    assert v.mode("Tally") == "unsafe" and v.mode("TallyIMP") == "per-core"
    assert v.mode("Meter2") == "thread-safe"
    assert v.variant("Tally", "per-core", {"SLOTS"})[0] == "TallyIMP"
    assert v.variant("Tally", "per-core", {"NOPE"})[0] is None          # would not configure
    assert v.variant("TallyIMP", "thread-safe")[0] is None
    assert v.sharing_keyword("Meter2") == "SHARED_STATE"


def test_sharing_swaps_class_sets_keyword_and_warns(tmp_path):
    path, plan, em = emit_case("multiport.click", "mlx5", 4, tally_features)
    modes = {p.element: p.mode for p in plan.placements}
    assert modes["tally"] == "shared-nothing"
    out = em.text[path]
    assert "tally :: TallyIMP(SLOTS 1024)" in out
    assert out.startswith("// Two ports, one chain each way")
    # the solver, not the emitter, decides how each placement is realised: a shared
    # placement with no thread-safe form is a verdict in the plan
    meter = next(p for p in plan.placements if p.element == "meter")
    assert (meter.mode, meter.realisation, meter.verdict) == ("shared-nothing", "replicate", "safe")
    assert "meter :: { input[0] -> rs0 :: ExactCPUSwitch; r0 :: Meter2(RATE 10)" in out


FASTCLICK = "/tmp/fc"


@pytest.mark.skipif(not os.path.isdir(FASTCLICK + "/elements/analysis"), reason="no FastClick tree")
def test_real_fastclick_families():
    v = ClassVariants([FASTCLICK + "/elements/analysis", FASTCLICK + "/elements/standard"])
    assert (v.mode("AggregateCounter"), v.mode("AggregateCounterIMP")) == ("unsafe", "per-core")
    assert v.variant("AggregateCounter", "per-core")[0] == "AggregateCounterIMP"
    assert v.variant("AggregateCounterIMP", "thread-safe")[0] is None
    assert v.variant("AverageCounter", "thread-safe")[0] == "AverageCounterMP"
    assert v.variant("AverageCounter", "per-core")[0] == "AverageCounterIMP"
    assert v.mode("CounterMP") == "per-core"          # the naming exception, seen in the code


TESTPMD = "/usr/bin/dpdk-testpmd"


@pytest.mark.skipif(not os.access(TESTPMD, os.X_OK), reason="dpdk-testpmd not installed (dpdk-dev)")
def test_dpdk_testpmd_parses_every_golden_rule():
    """DPDK 22.11's own flow parser (the one FastClick links) accepts every rule we emit."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "check_fastclick_emit", Path(__file__).parent.parent / "tools" / "check_fastclick_emit.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rules = sorted({r for f in GOLDEN.glob("*.rules") for r in f.read_text().splitlines()})
    rules += flow_rules(["ipv4", "ipv4-tcp", "ipv4-udp", "l3-src-only", "l4-dst-only"], "ab" * 40,
                        "toeplitz", 64, STYLES["mlx5"])
    rules += flow_rules(["ipv6", "ipv6-udp", "l3-dst-only"], "", "symmetric_toeplitz", 4, STYLES["i40e"])
    assert len(rules) > 10
    assert tool.testpmd_parses(rules, TESTPMD) == []
    assert tool.testpmd_parses([rules[0].replace("types", "typez")], TESTPMD) != []


def symmetric_plan(nic):
    return Plan(fields=["src_ip", "dst_ip"], symmetric=True, cores=4, nic=nic,
                stages=[Stage(index=0, fields=["src_ip", "dst_ip"])])


def test_symmetric_dispatch_uses_the_symmetric_function_or_a_symmetric_key(tmp_path):
    cfg = tmp_path / "c.click"
    cfg.write_text("in :: FromDPDKDevice(0, FLOW_RULES_FILE mine.rules) -> Discard;\n")
    ice = FastClickEmitter(load(str(cfg)), symmetric_plan("ice"), FeatureSet(),
                           rules_path="x.rules").run()
    assert ice.rules == ("ingress pattern eth / ipv4 / end actions rss func symmetric_toeplitz "
                         "types ipv4 end queues end / end\n")
    assert any("mine.rules replaced" in w for w in ice.warnings)
    plan = symmetric_plan("mlx5")
    mlx5 = FastClickEmitter(load(str(cfg)), plan, FeatureSet()).run()
    key = re.search(r" key ([0-9a-f]+) ", mlx5.rules).group(1)
    assert len(key) == 80 and plan.rss_key == key           # the plan records what was emitted
    sw = FastClickEmitter(load(str(cfg)), symmetric_plan("net_null"), FeatureSet()).run()
    assert "HashSwitch(26, 8)" in sw.text[str(cfg)]          # both addresses: byte sum is symmetric


def test_dual_stack_plan_keeps_ipv6_types_in_the_flow_rules():
    path = str(DATA / "figure7.click")
    chain = load(path)
    plan = solve(chain, figure7_features(), nic=load_nic("ixgbe"), cores=4, ipv6=True)
    assert any(t.startswith("ipv6") for t in plan.rss_types)
    em = FastClickEmitter(chain, plan, figure7_features(), nic=load_nic("ixgbe"),
                          rules_path="r.rules").run()
    assert "ipv6" in em.rules.split() and "ipv4" in em.rules.split()
    assert any(t.startswith("ipv6") for t in plan.rss_types)   # emitter kept the families
