"""VPP emitter: golden startup.conf / exec script outputs, minimal diffs, mechanism choice."""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from flowmagec.artifacts import FeatureSet, Plan
from flowmagec.driver import Options
from flowmagec.emitters.vpp import (SYMMETRIC_KEY, dispatch_commands, emit_vpp, handoff_notes,
                                    parse_version, plan_vpp)
from flowmagec.errors import InputError
from flowmagec.frontends.vpp import VppDocument, VppScript, load
from flowmagec.outputs import OutputSet
from flowmagec.solver import nic_profiles

DATA = Path(__file__).parent / "data" / "vpp"
GOLDEN = DATA / "golden"
REGEN = os.environ.get("FLOWMAGE_REGEN") == "1"

# case -> (input, plan fields, symmetric, nic, --vpp-version, expected mechanism)
CASES = {
    "mlx5_src_port": ("nat_acl/startup.conf", ["src_ip"], False, "mlx5", "25.10", "port"),
    "i40e_src_flow_25.10": ("nat_acl/startup.conf", ["src_ip"], False, "i40e", "25.10", "rte_flow"),
    "i40e_sym_flow_26.06": ("nat_acl/startup.conf", ["src_ip", "dst_ip", "src_port", "dst_port"],
                            True, "i40e", "26.06", "rte_flow"),
    "ixgbe_src_softrss_26.02": ("nat_acl/startup.conf", ["src_ip"], False, "ixgbe", "26.02",
                                "soft-rss"),
    "ixgbe_sym_handoff_25.10": ("nat_acl/startup.conf", ["src_ip", "dst_ip", "protocol"], True,
                                "ixgbe", "25.10", "handoff"),
    "ixgbe_cli_only": ("cli_only/services.cli", ["src_ip", "dst_ip", "protocol"], True, "ixgbe",
                       "25.10",
                         "handoff"),
    "mlx5_sym_legacy_20.09": ("legacy_crlf/startup.conf", ["src_ip", "dst_ip"], True, "mlx5",
                              "20.09", "rte_flow"),
    "mlx5_sym_legacy_20.05": ("legacy_crlf/startup.conf", ["src_ip", "dst_ip", "protocol"], True,
                              "mlx5", "20.05", "handoff"),
    "lb_missing_script": ("lb_minimal/startup.conf", ["dst_ip"], False, "i40e", "24.02",
                          "rte_flow"),
}


def _emit(tmp_path, case):
    src, fields, sym, nic, ver, _ = CASES[case]
    work = tmp_path / "in"
    shutil.copytree(DATA / Path(src).parent, work)
    chain = load(str(work / Path(src).name))
    out = tmp_path / "out" / ("startup.opt.conf" if src.endswith(".conf") else "services.opt.cli")
    out.parent.mkdir(exist_ok=True)
    plan = Plan(fields=fields, symmetric=sym, cores=4, nic=nic)
    opts = Options(config=chain.path, output=str(out), vpp_version=ver)
    with OutputSet(protected=chain.files) as outs:
        written = emit_vpp(chain, plan, FeatureSet(), outs, opts)
    return chain, plan, [Path(w) for w in written]


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_outputs(tmp_path, case):
    chain, plan, written = _emit(tmp_path, case)
    for path in written:
        golden = GOLDEN / case / path.name
        # bytes, not text: CRLF files must stay CRLF; absolute exec references vary per run
        text = path.read_bytes().replace(str(tmp_path).encode(), b"@TMP@")
        if REGEN:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(text)
        assert text == golden.read_bytes(), f"{case}: {path.name} differs from golden"
    assert sorted(p.name for p in written) == sorted(p.name for p in (GOLDEN / case).iterdir())


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_parse_back_and_match_the_plan(tmp_path, case):
    chain, plan, written = _emit(tmp_path, case)
    mechanism = CASES[case][5]
    conf = [p for p in written if p.suffix == ".conf"]
    if conf:
        doc = VppDocument.load(str(conf[0]))
        assert doc.worker_count() == 4
        assert all(d["num_rx_queues"] == 4 for d in doc.devices() if not d["default"])
        new_chain = load(str(conf[0]))          # follows the new exec reference
        assert {e.name for e in new_chain.elements} >= {e.name for e in chain.elements}
        if mechanism == "port":
            assert all("l3-src-only" in d["rss"] for d in doc.devices() if not d["default"])
    script = [p for p in written if p.suffix == ".cli"]
    if mechanism != "port":
        text = script[0].read_text()
        assert {"rte_flow": "rss types", "soft-rss": "soft-rss enable",
                "handoff": "set interface handoff"}[mechanism] in text
        VppScript(text)                          # still a valid script


def test_user_files_untouched_and_diff_only_edits(tmp_path):
    before = {p: p.read_bytes() for p in (DATA / "nat_acl").iterdir()}
    chain, plan, written = _emit(tmp_path, "i40e_src_flow_25.10")
    assert {p: p.read_bytes() for p in (DATA / "nat_acl").iterdir()} == before
    old = (tmp_path / "in" / "startup.conf").read_text().splitlines()
    new = written[0].read_text().splitlines()
    changed = [l for l in difflib.unified_diff(old, new, n=0, lineterm="")
               if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    # only the exec reference, the workers and the queue counts change
    assert all(any(k in l for k in ("exec ", "corelist-workers", "num-rx-queues",
                                    "dev 0000:5e:00.0   # management NIC"))
               for l in changed), changed
    # the user's script is a prefix of ours
    user = (tmp_path / "in" / "setup.cli").read_text()
    assert written[1].read_text().startswith(user)


def test_flow_indices_follow_existing_flows(tmp_path):
    work = tmp_path / "in"
    shutil.copytree(DATA / "nat_acl", work)
    with open(work / "setup.cli", "a") as fh:
        fh.write("test flow add src-ip 10.0.0.0/8 redirect-to-queue 1\n")
    chain = load(str(work / "startup.conf"))
    emission, _ = plan_vpp(chain, Plan(fields=["src_ip"], cores=2, nic="i40e"),
                           str(tmp_path / "o.conf"), "25.10")
    added = emission.script.split("# flowmagec:")[1]
    assert "test flow enable index 1 wan0" in added and "index 0" not in added


def test_refuses_to_overwrite_user_script(tmp_path):
    work = tmp_path / "in"
    shutil.copytree(DATA / "nat_acl", work)
    chain = load(str(work / "startup.conf"))
    plan = Plan(fields=["src_ip"], cores=2, nic="i40e")
    # output named so that the derived script would be the user's setup.cli
    opts = Options(config=chain.path, output=str(work / "setup.conf"), vpp_version="25.10")
    with OutputSet(protected=chain.files) as outs:
        written = emit_vpp(chain, plan, FeatureSet(), outs, opts)
    assert Path(written[1]).name == "setup.exec.cli"
    assert (work / "setup.cli").read_text() == (DATA / "nat_acl" / "setup.cli").read_text()


def test_mechanism_choice_depends_on_nic_and_version():
    mlx5, i40e, ixgbe = (nic_profiles.load(n) for n in ("mlx5", "i40e", "ixgbe"))
    src = Plan(fields=["src_ip"], cores=8)
    # IPv6 words only when IPv6 traffic is asked for
    assert dispatch_commands(src, mlx5, (25, 10), ["eth0"]).rss_words == ["ipv4", "l3-src-only"]
    assert dispatch_commands(src, mlx5, (25, 10), ["eth0"], ipv6=True).rss_words == \
        ["ipv4", "ipv6", "l3-src-only"]
    flows = dispatch_commands(src, i40e, (26, 6), ["eth0"]).lines
    assert flows[0] == ("flow add src-ip any rss function toeplitz rss types ipv4 use l3-src-only "
                        "rss queues 0 to 7")
    assert flows[1] == "flow enable index 0 eth0"
    assert dispatch_commands(src, i40e, (26, 2), ["eth0"]).lines[0].startswith("test flow add")
    assert dispatch_commands(src, i40e, (22, 6), ["eth0"]).lines[0].endswith("use l3-src-only")
    assert dispatch_commands(src, i40e, (20, 5), ["eth0"]).mechanism == ""    # no flow RSS yet
    # ixgbe cannot select fields: software, only on releases that have it
    assert dispatch_commands(src, ixgbe, (26, 2), ["eth0"]).mechanism == "soft-rss"
    late = dispatch_commands(src, ixgbe, (25, 10), ["eth0"])
    assert late.mechanism == "" and "cannot realise" in late.warnings[0]
    sym = Plan(fields=["src_ip", "dst_ip", "src_port", "dst_port"], symmetric=True, cores=4)
    lines = dispatch_commands(sym, ixgbe, (26, 2), ["eth0"]).lines
    assert lines[0] == f"soft-rss config eth0 type 4-tuple rss-key {SYMMETRIC_KEY}"
    # a plain 4-tuple needs nothing beyond startup.conf on any NIC
    plain = Plan(fields=["src_ip", "dst_ip", "src_port", "dst_port"], cores=4)
    assert dispatch_commands(plain, ixgbe, (20, 1), ["eth0"]).mechanism == "port"


def test_symmetric_key_is_symmetric():
    import random
    from flowmagec.solver.toeplitz import hash_input, toeplitz_hash
    key = bytes.fromhex(SYMMETRIC_KEY)
    rng = random.Random(7)
    for _ in range(200):
        a, b = rng.getrandbits(32), rng.getrandbits(32)
        p, q = rng.getrandbits(16), rng.getrandbits(16)
        fields = ["src_ip", "dst_ip", "src_port", "dst_port"]
        assert toeplitz_hash(key, hash_input(fields, a, b, p, q)) == \
            toeplitz_hash(key, hash_input(fields, b, a, q, p))


def test_handoff_notes_from_source_tree(tmp_path):
    nat = tmp_path / "src" / "plugins" / "nat" / "nat44-ed"
    acl = tmp_path / "src" / "plugins" / "acl"
    nat.mkdir(parents=True)
    acl.mkdir(parents=True)
    (nat / "handoff.c").write_text("static void f() {\n  n = vlib_buffer_enqueue_to_thread (vm,\n"
                                   "   node, fq, from, ti, n, 1);\n}\n")
    (acl / "fa_node.c").write_text("/* no handoff here: vlib_buffer_enqueue_to_thread is not "
                                   "called */\nint x;\n")
    chain = load(str(DATA / "nat_acl" / "startup.conf"))
    notes = handoff_notes(chain, [str(tmp_path)])
    assert len(notes) == 1 and "nat44" in notes[0] and "handoff.c:2" in notes[0]
    # without a tree, the documented behaviour is used (and says so)
    doc_notes = handoff_notes(chain, [])
    assert len(doc_notes) == 1 and "VPP documentation" in doc_notes[0]


def test_version_parsing():
    assert parse_version("25.10") == (25, 10) and parse_version("v26.02-rc1") == (26, 2)
    with pytest.raises(InputError):
        parse_version("latest")


def test_no_dpdk_section_added_when_the_plugin_is_off(tmp_path):
    conf = tmp_path / "startup.conf"
    conf.write_text("unix { nodaemon }\nplugins { plugin dpdk_plugin.so { disable } }\n")
    chain = load(str(conf))
    emission, _ = plan_vpp(chain, Plan(fields=["src_ip", "dst_ip", "src_port", "dst_port"],
                                       cores=2, nic="generic"), str(tmp_path / "o.conf"))
    assert "dpdk" not in emission.startup.replace("dpdk_plugin", "")
    assert "cpu {\n  workers 2\n}" in emission.startup
    assert any("rx queues" in n for n in emission.notes)


def test_command_line_end_to_end(tmp_path, capsys):
    from flowmagec.cli import main
    work = tmp_path / "in"
    shutil.copytree(DATA / "nat_acl", work)
    out = tmp_path / "out" / "startup.conf"
    out.parent.mkdir()
    rc = main([str(work / "startup.conf"), "-o", str(out), "--nic", "i40e", "--cores", "2",
               "--vpp-version", "25.10"])
    assert rc == 0
    doc = VppDocument.load(str(out))
    assert doc.worker_count() == 2
    key, ref = doc.exec_script()
    script = (out.parent / ref) if not os.path.isabs(ref) else Path(ref)
    assert script.is_file() and script.read_text().startswith((work / "setup.cli").read_text())


def test_command_line_bad_input_exit_2_and_no_output(tmp_path, capsys):
    from flowmagec.cli import main
    bad = tmp_path / "startup.conf"
    bad.write_text("unix {\n  exec setup.cli\n\ndpdk { dev 0000:01:00.0 { num-rx-queues 2 }\n")
    out = tmp_path / "out.conf"
    assert main([str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4:6: error: '{{' is never closed (expected '}}' before the end of the file)" in err
    assert "dpdk { dev 0000:01:00.0 { num-rx-queues 2 }\n     ^" in err
    assert not out.exists()
