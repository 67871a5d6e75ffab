"""Config hygiene of the emitters (issue 9, item 4).

* a plan that equals what the stock configuration already does gives a byte-identical
  configuration and says so;
* elements that reprogram RSS themselves (DeviceBalancer...) get no RSS rules on the
  devices they manage;
* MINTHREADS <= MAXTHREADS, explicit N_QUEUES kept unless the plan needs another
  number, FLOW_RULES_FILE absolute by default;
* emitted FastClick configs go through click-flatten when it is installed.

Configurations are our own, shaped like FastClick's examples (conf/rsspp/dpdk.click:
``FromDPDKDevice($port, MINTHREADS $RCPUNR, ...)``, ``DeviceBalancer(DEV fd0, ...)``).
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from flowmagec.artifacts import FeatureSet, NFFeatures
from flowmagec.driver import Options
from flowmagec.emitters import plan_changes_config
from flowmagec.emitters.click_validate import find_validator, validate
from flowmagec.emitters.fastclick import NO_EDITS, emit_fastclick, stock_dispatch
from flowmagec.emitters.fastclick_rss_owners import RssProgrammers
from flowmagec.errors import AnalysisError
from flowmagec.frontends import load
from flowmagec.outputs import OutputSet
from flowmagec.solver import solve
from flowmagec.solver.nic_profiles import load as load_nic

FIVE = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]

STOCK = """\
// a 5-tuple flow counter behind FastClick's default RSS
fd0 :: FromDPDKDevice(0, N_QUEUES -1, MINTHREADS $RCPUNR, PROMISC true)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> flows :: FlowTally(SIZE 65536)   /* per-core table */
    -> ToDPDKDevice(0);
"""

BALANCED = """\
define($port 0000:03:00.0)
fd0 :: FromDPDKDevice($port, N_QUEUES -1, MINTHREADS $RCPUNR, MAXTHREADS $RCPUNR, VERBOSE 99)
    -> Classifier(12/0800)
    -> MarkIPHeader(OFFSET 14)
    -> src :: SrcTally()
    -> ToDPDKDevice($port);
balancer :: DeviceBalancer(DEV fd0, METHOD rss, VERBOSE 1, TIMER 100, STARTCPU 4);
"""


def five_tuple_features():
    return FeatureSet(nfs=[NFFeatures(name="FlowTally", stateful=True, key=FIVE,
                                      intensity="per-packet", sharing="per-core")])


def src_features(cls="SrcTally"):
    return FeatureSet(nfs=[NFFeatures(name=cls, stateful=True, key=["src_ip"],
                                      intensity="per-packet", sharing="per-core")])


def write(tmp_path: Path, text: str, name="chain.click") -> str:
    p = tmp_path / "in" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return str(p)


def emit(tmp_path, config, features, nic="mlx5", cores=4, src=(), **extra):
    chain = load(config)
    plan = solve(chain, features, nic=load_nic(nic), cores=cores)
    out = tmp_path / "out" / "chain.opt.click"
    out.parent.mkdir(exist_ok=True)
    opts = Options(config=config, output=str(out), nic=nic, cores=cores, src=list(src))
    for k, v in extra.items():
        setattr(opts, k, v)
    with OutputSet(protected=chain.files) as outs:
        written = emit_fastclick(chain, plan, features, outs, opts)
    return chain, plan, out, [Path(w) for w in written]


# --------------------------------------------------------------------------
# 1. no edits when the plan equals the stock configuration
# --------------------------------------------------------------------------

@pytest.mark.parametrize("nic", ["mlx5", "i40e", "ixgbe", "net_null"])
def test_stock_plan_gives_a_byte_identical_config(tmp_path, nic):
    config = write(tmp_path, STOCK)
    chain, plan, out, written = emit(tmp_path, config, five_tuple_features(), nic=nic)
    assert set(plan.fields) - {"protocol"} == {"src_ip", "dst_ip", "src_port", "dst_port"}
    assert out.read_bytes() == Path(config).read_bytes()
    assert written == [out]                                  # no FLOW_RULES_FILE
    assert any(n.startswith(NO_EDITS) for n in plan.explanation)
    changes, why = plan_changes_config(plan, chain, five_tuple_features(),
                                       Options(config=config, nic=nic))
    assert not changes and why.startswith(NO_EDITS)


def test_plan_changes_config_says_why_when_the_dispatch_differs(tmp_path):
    config = write(tmp_path, STOCK.replace("FlowTally", "SrcTally"))
    chain = load(config)
    plan = solve(chain, src_features(), nic=load_nic("mlx5"), cores=4)
    changes, why = plan_changes_config(plan, chain, src_features(), Options(config=config, nic="mlx5"))
    assert changes and "src_ip" in why and "stock RSS" in why
    # the same plan made symmetric, or with its own key, is not the stock RSS either
    plan.fields = list(FIVE[:4])
    assert stock_dispatch(plan)[0]
    plan.symmetric = True
    assert not stock_dispatch(plan)[0]


def test_stock_dispatch_still_edits_what_the_plan_needs(tmp_path):
    """The dispatch is the stock one, but MAXTHREADS 2 caps the element below 4 cores."""
    config = write(tmp_path, STOCK.replace("N_QUEUES -1, MINTHREADS $RCPUNR", "MAXTHREADS 2"))
    chain, plan, out, written = emit(tmp_path, config, five_tuple_features())
    text = out.read_text()
    assert "MAXTHREADS 4" in text and "MODE" not in text and "FLOW_RULES_FILE" not in text
    assert any("MAXTHREADS 2 -> MAXTHREADS 4" in n for n in plan.explanation)


# --------------------------------------------------------------------------
# 2. elements that program RSS/RETA themselves
# --------------------------------------------------------------------------

def fake_tree(root: Path) -> str:
    """A small source tree of our own: an element that creates a helper whose method
    rewrites the RETA, and one that does not."""
    d = root / "elements" / "sched"
    d.mkdir(parents=True)
    (d / "loadspreader.hh").write_text(
        "class Spreader;\n"
        "class SchedulerCore {\n public:\n"
        "    int start() { _s = new Spreader(this); return 0; }\n"
        "    Spreader *_s;\n};\n"
        "class LoadSpreader : public BatchElement, public SchedulerCore { public:\n"
        '    const char *class_name() const override { return "LoadSpreader"; }\n};\n'
        "class Quiet : public BatchElement { public:\n"
        '    const char *class_name() const override { return "Quiet"; }\n'
        "    int configure(Vector<String> &conf, ErrorHandler *errh);\n};\n")
    (d / "spreader.cc").write_text(
        '#include "loadspreader.hh"\n'
        "namespace sched {\n"
        "int Spreader::apply(unsigned *table, int n) {\n"
        "    struct rte_eth_rss_reta_entry64 conf[8];\n"
        "    fill(conf, table, n);\n"
        "    return rte_eth_dev_rss_reta_update(_port, conf, n);\n"
        "}\n}\n")
    (d / "quiet.cc").write_text(
        "int Quiet::configure(Vector<String> &conf, ErrorHandler *errh) {\n"
        "    // rte_eth_dev_rss_reta_update is mentioned, never called\n"
        "    return reta_size(conf);\n}\n")
    return str(root)


def test_rss_programmers_are_derived_from_the_code(tmp_path):
    tree = fake_tree(tmp_path / "tree")
    found = RssProgrammers([tree])
    why = found.evidence("LoadSpreader")
    assert why and "derives from SchedulerCore" in why and "creates Spreader" in why
    assert "spreader.cc:6 (rte_eth_dev_rss_reta_update)" in why
    assert found.evidence("Quiet") is None
    assert found.evidence("FromDPDKDevice") is None        # the port set-up we configure
    # without the class in a tree: the reviewed list of FastClick elements
    assert "devicebalancer.cc" in RssProgrammers([]).evidence("DeviceBalancer")
    assert RssProgrammers([]).evidence("SrcTally") is None


def test_no_rss_rules_on_a_device_balanced_by_devicebalancer(tmp_path):
    config = write(tmp_path, BALANCED)
    chain, plan, out, written = emit(tmp_path, config, src_features())
    assert plan.fields == ["src_ip"]                        # not the stock RSS ...
    text = out.read_text()
    assert "MODE" not in text and "FLOW_RULES_FILE" not in text   # ... yet no rules on fd0
    assert written == [out]
    warn = [w for w in plan.warnings if "reprograms RSS" in w]
    assert warn and "balancer (DeviceBalancer)" in warn[0] and "fd0" in warn[0]
    assert "adds no RSS rules" in warn[0]


def test_only_the_managed_device_is_left_alone(tmp_path):
    tree = fake_tree(tmp_path / "tree")
    config = write(tmp_path, """\
fd0 :: FromDPDKDevice(0, N_QUEUES -1) -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14)
    -> src :: SrcTally() -> ToDPDKDevice(0);
fd1 :: FromDPDKDevice(1, N_QUEUES -1) -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14)
    -> src;
spread :: LoadSpreader(fd1, 100);
""")
    chain, plan, out, written = emit(tmp_path, config, src_features(), src=[tree])
    edited = load(str(out))
    assert edited.element("fd0").keyword("MODE").value == "flow"
    assert edited.element("fd1").keyword("MODE") is None
    assert any("spread (LoadSpreader)" in w and "fd1" in w and "spreader.cc:6" in w
               for w in plan.warnings)


# --------------------------------------------------------------------------
# 3. MINTHREADS <= MAXTHREADS, N_QUEUES, FLOW_RULES_FILE
# --------------------------------------------------------------------------

def _fd0(out: Path):
    return load(str(out)).element("fd0")


def src_chain(fd_args: str) -> str:
    return (f"fd0 :: FromDPDKDevice({fd_args})\n    -> Classifier(12/0800) -> MarkIPHeader(OFFSET 14)\n"
            f"    -> src :: SrcTally() -> ToDPDKDevice(0);\n")


def test_unknown_minthreads_leaves_maxthreads_alone_and_says_why(tmp_path):
    config = write(tmp_path, src_chain("0, MAXTHREADS 2, MINTHREADS $RCPUNR"))
    chain, plan, out, _ = emit(tmp_path, config, src_features())
    fd0 = _fd0(out)
    assert fd0.keyword("MAXTHREADS").value == "2" and fd0.keyword("MINTHREADS").value == "$RCPUNR"
    assert any("MINTHREADS $RCPUNR is not known" in w for w in plan.warnings)


@pytest.mark.parametrize("args,maxthreads", [
    ("0, MAXTHREADS 2, MINTHREADS 6", "6"),      # never below MINTHREADS
    ("0, MAXTHREADS 2", "4"),                   # raised to the plan's cores
    ("0, MAXTHREADS 8, MINTHREADS 2", "8"),     # enough already: kept
])
def test_maxthreads_raised_only_when_needed_and_never_below_minthreads(tmp_path, args, maxthreads):
    config = write(tmp_path, src_chain(args))
    chain, plan, out, _ = emit(tmp_path, config, src_features())
    fd0 = _fd0(out)
    assert fd0.keyword("MAXTHREADS").value == maxthreads
    if fd0.keyword("MINTHREADS"):
        assert int(fd0.keyword("MINTHREADS").value) <= int(maxthreads)


def test_software_dispatch_keeps_minthreads_at_most_maxthreads(tmp_path):
    config = write(tmp_path, src_chain("0, N_QUEUES -1, MINTHREADS $RCPUNR"))
    chain, plan, out, _ = emit(tmp_path, config, src_features(), nic="net_null")
    fd0 = _fd0(out)
    assert [fd0.keyword(k).value for k in ("N_QUEUES", "MAXTHREADS", "MINTHREADS")] == ["1", "1", "1"]
    assert any("MINTHREADS $RCPUNR -> MINTHREADS 1" in n for n in plan.explanation)


@pytest.mark.parametrize("n_queues,kept,rule_queues", [
    ("-1", True, 4),          # one queue per thread: click -j 4 gives 4
    ("16", True, 16),         # more queues than cores: kept, the rules spread over all
    ("2", False, 4),          # too few for 4 cores: raised, and said why
])
def test_explicit_n_queues_kept_unless_the_plan_needs_another(tmp_path, n_queues, kept, rule_queues):
    config = write(tmp_path, src_chain(f"0, N_QUEUES {n_queues}"))
    chain, plan, out, written = emit(tmp_path, config, src_features())
    fd0 = _fd0(out)
    assert fd0.keyword("N_QUEUES").value == (n_queues if kept else "4")
    rules = Path(fd0.keyword("FLOW_RULES_FILE").value).read_text().splitlines()
    assert rules and all(f"queues {' '.join(map(str, range(rule_queues)))} end" in r for r in rules)
    if not kept:
        assert any(f"N_QUEUES {n_queues} -> N_QUEUES 4" in n and "would feed only 2" in n
                   for n in plan.explanation)
    else:
        assert not any("-> N_QUEUES" in n for n in plan.explanation)


def test_flow_rules_file_is_absolute_unless_asked_relative(tmp_path, monkeypatch):
    config = write(tmp_path, src_chain("0"))
    monkeypatch.chdir(tmp_path)                         # flowmagec runs elsewhere than click
    chain, plan, out, written = emit(tmp_path, config, src_features())
    ref = _fd0(out).keyword("FLOW_RULES_FILE").value
    assert ref == str(tmp_path / "out" / "chain.opt.rules") and Path(ref).is_file()
    shutil.rmtree(tmp_path / "out")
    chain, plan, out, written = emit(tmp_path, config, src_features(), flow_rules_relative=True)
    ref = _fd0(out).keyword("FLOW_RULES_FILE").value
    assert ref == "chain.opt.rules" and (out.parent / ref).is_file()


# --------------------------------------------------------------------------
# 4. FastClick's own parser
# --------------------------------------------------------------------------

def fake_flatten(bin_dir: Path, accept: bool) -> Path:
    """A click-flatten stand-in: records what it parsed, accepts or rejects it."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    tool = bin_dir / "click-flatten"
    log = bin_dir / "calls.log"
    body = (f'#!/bin/sh\necho "$1" >> {log}\ncat "$1" >> {log}\n'
            + ("exit 0\n" if accept else 'echo "$(basename $1):2: syntax error near \'->\'" >&2\nexit 1\n'))
    tool.write_text(body)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return log


def test_emitted_config_is_checked_by_click_flatten(tmp_path, monkeypatch):
    log = fake_flatten(tmp_path / "bin", accept=True)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    config = write(tmp_path, src_chain("0"))
    chain, plan, out, written = emit(tmp_path, config, src_features())
    parsed = log.read_text()
    assert parsed.splitlines()[0].endswith("chain.opt.click") and "MODE flow" in parsed
    assert any("accepted by" in n and "click-flatten" in n for n in plan.explanation)
    assert out.exists()


def test_a_config_click_flatten_rejects_is_an_error_and_nothing_is_written(tmp_path, monkeypatch):
    fake_flatten(tmp_path / "bin", accept=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    config = write(tmp_path, src_chain("0"))
    with pytest.raises(AnalysisError) as err:
        emit(tmp_path, config, src_features())
    assert "rejects the emitted configuration" in err.value.message
    assert any("syntax error" in n for n in err.value.notes)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_command_line_exits_1_when_click_flatten_rejects(tmp_path, monkeypatch, capsys):
    from flowmagec.cli import main
    fake_flatten(tmp_path / "bin", accept=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    config = write(tmp_path, src_chain("0"))
    out = tmp_path / "out" / "x.click"
    out.parent.mkdir()
    assert main([config, "-o", str(out), "--nic", "mlx5", "--cores", "4"]) == 1
    assert "rejects the emitted configuration" in capsys.readouterr().err
    assert not out.exists() and not out.with_suffix(".rules").exists()


def test_without_click_flatten_nothing_is_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_validator() is None
    assert validate("x.click", {"x.click": "garbage ((("}).ok


@pytest.mark.skipif(find_validator() is None, reason="FastClick's click-flatten not installed")
def test_real_click_flatten_accepts_the_emitted_configs(tmp_path):
    for text, feats in ((STOCK, five_tuple_features()), (BALANCED, src_features()),
                        (src_chain("0, N_QUEUES 2, MINTHREADS $RCPUNR"), src_features())):
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        config = write(tmp_path, text)
        chain, plan, out, _ = emit(tmp_path, config, feats)
        assert validate(str(out), {str(out): out.read_text()}).ok


# --------------------------------------------------------------------------
# 5. VPP: no edits for a stock plan, address families, baseline, version
# --------------------------------------------------------------------------

from flowmagec.artifacts import Plan                                    # noqa: E402
from flowmagec.emitters.vpp import (dispatch_commands, emit_vpp, plan_vpp, rss_word_fields,  # noqa: E402
                                    stock_placements)
from flowmagec.frontends.vpp import load as load_vpp                    # noqa: E402
from flowmagec.solver import nic_profiles                               # noqa: E402

VPP_STARTUP = """\
unix { nodaemon  exec setup.cli }
cpu { main-core 1  workers 4 }
dpdk {
  dev 0000:3b:00.0 { name wan0  num-rx-queues 4 }
  dev 0000:3b:00.1 { name lan0  num-rx-queues 4 }
}
"""
VPP_SCRIPT = "set interface state wan0 up\nacl-plugin interface wan0 input acl 0\n"
FOUR = ["src_ip", "dst_ip", "src_port", "dst_port"]


def vpp_chain(tmp_path: Path, startup: str = VPP_STARTUP):
    d = tmp_path / "vpp"
    d.mkdir(exist_ok=True)
    (d / "startup.conf").write_text(startup)
    (d / "setup.cli").write_text(VPP_SCRIPT)
    return load_vpp(str(d / "startup.conf"))


def vpp_emit(tmp_path, chain, plan, **opts):
    out = tmp_path / "out" / "startup.conf"
    out.parent.mkdir(exist_ok=True)
    o = Options(config=chain.path, output=str(out), **opts)
    with OutputSet(protected=chain.files) as outs:
        written = emit_vpp(chain, plan, FeatureSet(), outs, o)
    return out, [Path(w) for w in written]


def test_vpp_stock_plan_gives_a_byte_identical_startup_conf(tmp_path):
    chain = vpp_chain(tmp_path)
    plan = Plan(fields=FOUR + ["protocol"], cores=4, nic="i40e")
    changes, why = plan_changes_config(plan, chain, None, Options(config=chain.path, nic="i40e"))
    assert not changes and why.startswith(NO_EDITS)
    out, written = vpp_emit(tmp_path, chain, plan, vpp_version="25.10")
    # the output sits next to nothing: only the exec reference may be re-pointed
    new = out.read_text()
    assert new.replace("exec ../vpp/setup.cli", "exec setup.cli") == VPP_STARTUP
    assert [p.suffix for p in written] == [".conf"]                   # no exec script of ours
    assert any(n.startswith(NO_EDITS) for n in plan.explanation)


@pytest.mark.parametrize("edit,needle", [
    (("workers 4", "workers 2"), "workers"),
    (("name wan0  num-rx-queues 4", "name wan0  num-rx-queues 4  rss { ipv4 l3-src-only }"), "wan0 hashes src_ip"),
])
def test_vpp_plan_changes_config_when_workers_or_rss_differ(tmp_path, edit, needle):
    chain = vpp_chain(tmp_path, VPP_STARTUP.replace(*edit))
    plan = Plan(fields=FOUR, cores=4, nic="i40e")
    changes, why = plan_changes_config(plan, chain, None, Options(config=chain.path, nic="i40e"))
    assert changes and needle in why


def test_rss_words_to_fields():
    assert rss_word_fields(["ipv4-tcp", "ipv4-udp"]) == set(FOUR)
    assert rss_word_fields(["ipv4", "l3-src-only"]) == {"src_ip"}
    assert rss_word_fields(["ipv4", "l3-src-only", "l3-dst-only"]) == {"src_ip", "dst_ip"}
    assert rss_word_fields(["ipv4-tcp", "l4-dst-only"]) == {"src_ip", "dst_ip", "dst_port"}


def test_vpp_ipv6_rules_only_when_asked(tmp_path):
    chain = vpp_chain(tmp_path)
    i40e = nic_profiles.load("i40e")
    plan = Plan(fields=["src_ip"], cores=4, nic="i40e")
    v4 = dispatch_commands(plan, i40e, (25, 10), ["wan0"]).lines
    assert v4 and not any("ip6" in l or "ipv6" in l for l in v4)
    v6 = dispatch_commands(plan, i40e, (25, 10), ["wan0"], ipv6=True).lines
    assert any("ip6-src-ip any" in l and "rss types ipv6" in l for l in v6)
    # the solver puts ipv6 types in the plan when the traffic profile has IPv6
    plan.rss_types = ["ipv4", "ipv6", "l3-src-only"]
    assert any("ip6-src-ip" in l for l in dispatch_commands(plan, i40e, (25, 10), ["wan0"]).lines)
    # end to end: --ipv6 not given -> no IPv6 line in the script
    out, written = vpp_emit(tmp_path, chain, Plan(fields=["src_ip"], cores=4, nic="i40e"),
                            vpp_version="25.10")
    script = [p for p in written if p.suffix == ".cli"][0].read_text()
    assert "test flow add src-ip any" in script and "ip6" not in script


def test_vpp_guessed_version_is_a_warning(tmp_path):
    chain = vpp_chain(tmp_path)
    guessed, _ = plan_vpp(chain, Plan(fields=["src_ip"], cores=4, nic="i40e"), str(tmp_path / "o.conf"))
    assert any("VPP version not given" in w and "'flow add'" in w for w in guessed.warnings)
    given, _ = plan_vpp(chain, Plan(fields=["src_ip"], cores=4, nic="i40e"), str(tmp_path / "o.conf"),
                        version="26.02")
    assert not any("VPP version" in w for w in given.warnings)
    assert "test flow add" in given.script          # renamed to 'flow' only in v26.06


def test_vpp_baseline_is_what_vpp_runs_not_all_shared(tmp_path):
    chain = load_vpp(str(Path(__file__).parent / "data" / "vpp" / "nat_acl" / "startup.conf"))
    feats = FeatureSet(nfs=[
        NFFeatures(name="nat44", stateful=True, key=FIVE, sharing="per-core"),
        NFFeatures(name="acl", stateful=True, key=FIVE, sharing="per-core"),
        NFFeatures(name="flowprobe", stateful=True, key=FIVE, sharing="thread-safe")])
    stock = stock_placements(chain, feats)
    assert stock["nat44@lan0"].handoff and stock["nat44@lan0"].mode == "shared-nothing"
    assert not stock["acl@lan0"].handoff and stock["acl@lan0"].mode == "shared-nothing"
    assert stock["flowprobe@wan0/ip4"].mode == "shared"


def test_vpp_gets_no_c_dispatcher_unless_asked(tmp_path, capsys):
    from flowmagec.cli import main
    chain = vpp_chain(tmp_path)
    out = tmp_path / "out" / "startup.conf"
    out.parent.mkdir()
    assert main([chain.path, "-o", str(out), "--nic", "i40e", "--cores", "4",
                 "--vpp-version", "25.10"]) == 0
    assert not list((tmp_path / "out").glob("*.[ch]"))
    out2 = tmp_path / "out2" / "startup.conf"
    out2.parent.mkdir()
    assert main([chain.path, "-o", str(out2), "--nic", "i40e", "--cores", "4",
                 "--vpp-version", "25.10", "--dispatcher", str(tmp_path / "out2" / "d.c")]) == 0
    assert "VPP itself cannot load it" in capsys.readouterr().err
