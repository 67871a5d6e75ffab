"""FastClick emitter: plans become minimal, span-preserving edits of the user's config."""
import difflib
from pathlib import Path

import pytest

from flowmagec.artifacts import FeatureSet, NFFeatures, NFPlacement, Plan, Stage
from flowmagec.driver import Options
from flowmagec.emitters.fastclick import FastClickEmitter, emit_fastclick, flow_rules
from flowmagec.frontends import load
from flowmagec.outputs import OutputSet
from flowmagec.solver import solve
from flowmagec.solver.nic_profiles import load as load_nic

DATA = Path(__file__).parent / "data" / "emit"
FIVE = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]


def figure7_features():
    return FeatureSet(nfs=[
        NFFeatures(name="IPortScanDetector", stateful=True, key=["src_ip"], intensity="per-packet",
                   pointer=True, complexity=3.0),
        NFFeatures(name="IPolicer", stateful=True, key=["dst_ip"], intensity="per-packet",
                   complexity=1.0),
        NFFeatures(name="IFlowCounter", stateful=True, key=FIVE, intensity="per-packet",
                   complexity=1.0),
    ])


def changed_lines(a: str, b: str) -> list[str]:
    return [l for l in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def test_figure7_flowmage_dialect_gives_the_papers_output():
    path = str(DATA / "figure7.click")
    chain = load(path)
    plan = solve(chain, figure7_features(), nic=load_nic("mlx5"), cores=16)
    out = FastClickEmitter(chain, plan, figure7_features(), dialect="flowmage").run().text[path]
    src = open(path).read()
    diff = changed_lines(src, out)
    # only the four edited declarations change, each only by added keywords
    assert len([l for l in diff if l.startswith("+")]) == 4
    edited = load_text(out, tmp=DATA.parent)
    fd0, psd, pol, fc = (edited.element(n) for n in ("fd0", "psd", "policer", "flowCounter"))
    assert fd0.keyword("HASHFUNC").value == '"src_ip"'
    assert fd0.keyword("MAXTHREADS").value == "16"
    assert psd.keyword("SHARED").value == "false"
    assert pol.keyword("SHARED").value == "true"
    assert fc.keyword("SHARED").value == "false"


def load_text(text, tmp):
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".click", delete=False) as fh:
        fh.write(text)
    return load(fh.name)


def test_vanilla_dispatch_edits_only_the_dpdk_source_and_writes_rules(tmp_path):
    path = str(DATA / "figure7.click")
    chain = load(path)
    plan = solve(chain, figure7_features(), nic=load_nic("mlx5"), cores=8)
    opts = Options(config=path, output=str(tmp_path / "out.click"))
    with OutputSet(protected=chain.files) as outs:
        written = emit_fastclick(chain, plan, figure7_features(), outs, opts)
    out = (tmp_path / "out.click").read_text()
    diff = changed_lines(open(path).read(), out)
    assert len(diff) == 2 and "FromDPDKDevice" in diff[0] and "FromDPDKDevice" in diff[1]
    fd0 = load(str(tmp_path / "out.click")).element("fd0")
    assert fd0.keyword("MODE").value == "flow"
    assert fd0.keyword("N_QUEUES").value == "8" and fd0.keyword("MAXTHREADS").value == "8"
    rules_path = fd0.keyword("FLOW_RULES_FILE").value
    assert rules_path in written
    rules = Path(rules_path).read_text().splitlines()
    assert rules and all(r.startswith("ingress pattern eth / ipv4") and r.endswith("/ end")
                         for r in rules)
    assert all("queues 0 1 2 3 4 5 6 7 end" in r for r in rules)


def test_flow_rules_carry_types_selection_and_key():
    plan = Plan(fields=["src_ip"], rss_types=["ipv4-tcp", "ipv4-udp", "ipv4", "l3-src-only"],
                rss_key="ab" * 40, cores=2)
    rules = flow_rules(plan).splitlines()
    assert rules[0] == ("ingress pattern eth / ipv4 / tcp / end actions rss func toeplitz types "
                        "ipv4-tcp l3-src-only end key " + "ab" * 40 + " queues 0 1 end / end")
    assert rules[-1].startswith("ingress pattern eth / ipv4 / end")


def _variant_tree(tmp_path):
    inc = tmp_path / "src" / "elements"
    inc.mkdir(parents=True)
    (inc / "tallies.hh").write_text(
        "template <template <typename> class T> class TallyBase : public Element {};\n"
        "class Tally : public TallyBase<not_per_thread> {\n"
        "  const char *class_name() const override { return \"Tally\"; }\n};\n"
        "class TallyIMP : public TallyBase<per_thread> {\n"
        "  const char *class_name() const override { return \"TallyIMP\"; }\n};\n")
    return str(tmp_path / "src")


def test_sharing_swaps_to_the_per_core_variant_found_in_the_tree(tmp_path):
    src = _variant_tree(tmp_path)
    cfg = tmp_path / "c.click"
    cfg.write_text("// counts\nin :: FromDPDKDevice(0) -> t :: Tally(LIMIT 3) /* keep */ -> Discard;\n")
    chain = load(str(cfg))
    feats = FeatureSet(nfs=[NFFeatures(name="Tally", stateful=True, key=["src_ip"],
                                       intensity="per-packet", sharing="thread-safe")])
    plan = Plan(fields=["src_ip"], cores=4, rss_types=["ipv4", "l3-src-only"],
                placements=[NFPlacement(element="t", cls="Tally", mode="shared-nothing")],
                stages=[Stage(index=0, fields=["src_ip"])])
    out = FastClickEmitter(chain, plan, feats, src_dirs=[src]).run().text[str(cfg)]
    assert "t :: TallyIMP(LIMIT 3) /* keep */ -> Discard;" in out
    assert out.startswith("// counts\n")


def test_two_stage_plan_inserts_a_software_redispatch(tmp_path):
    cfg = tmp_path / "c.click"
    cfg.write_text("in :: FromDPDKDevice(0)\n  -> a :: A\n  -> b :: B\n  -> Discard;\n")
    chain = load(str(cfg))
    plan = Plan(fields=["src_ip"], cores=2, rss_types=["ipv4", "l3-src-only"],
                placements=[NFPlacement(element="a", cls="A", mode="shared-nothing"),
                            NFPlacement(element="b", cls="B", mode="shared-nothing", stage=1)],
                stages=[Stage(index=0, fields=["src_ip"], elements=["a"]),
                        Stage(index=1, fields=["dst_ip"], elements=["b"], dispatch="software")])
    out = FastClickEmitter(chain, plan, FeatureSet()).run().text[str(cfg)]
    edited = load_text(out, tmp=tmp_path)
    names = {e.name for e in edited.elements}
    assert "fm_redispatch1/sw" in names
    assert edited.element("fm_redispatch1/sw").cls == "HashSwitch"
    assert edited.element("fm_redispatch1/sw").config.replace(" ", "") == "30,4"
    # a -> redispatch -> b
    g = edited.graph()
    assert any(e[1].startswith("fm_redispatch1") for e in g.out_edges("a"))
    assert any(e[0].startswith("fm_redispatch1") for e in g.in_edges("b"))
