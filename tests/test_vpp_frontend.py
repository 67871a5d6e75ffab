"""VPP frontend: startup.conf + CLI script grammars, Chain IR, span-preserving edits."""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from flowmagec.errors import InputError
from flowmagec.frontends import load as load_any
from flowmagec.frontends.vpp import (VppDocument, VppScript, format_bitmap_list, load,
                                     parse_bitmap_list, pci_interface_suffix)
from helpers import assert_error_at

DATA = Path(__file__).parent / "data" / "vpp"
NAT_ACL = DATA / "nat_acl" / "startup.conf"
CLI_ONLY = DATA / "cli_only" / "services.cli"
LB_MIN = DATA / "lb_minimal" / "startup.conf"


def changed_lines(old: str, new: str) -> list[str]:
    """Lines removed or added between two texts (no context)."""
    return [l for l in difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm="")
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


# --------------------------------------------------------------------------
# round trip
# --------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(DATA.glob("*/*.conf")) + sorted(DATA.glob("*/*.cli"))
                         + sorted(DATA.glob("*/*.vpp")),
                         ids=lambda p: str(p.relative_to(DATA)))
def test_parse_render_is_byte_identical(path):
    text = path.read_text()
    cls = VppDocument if path.suffix == ".conf" else VppScript
    assert cls(text, str(path)).render() == text


# --------------------------------------------------------------------------
# startup.conf interpretation
# --------------------------------------------------------------------------

def test_repeated_sections_concatenate():
    doc = VppDocument.load(str(NAT_ACL))
    addrs = [e.value.value for e in doc.device_entries()]
    assert addrs == ["default", "0000:3b:00.0", "0000:3b:00.1", "0000:5e:00.0"]


def test_comments_anywhere_and_odd_layout():
    text = "cpu{main-core 0#core 0 is the main\ncorelist-workers 1-3 }#done\ndpdk {dev 0000:01:00.0{rss{ipv4 #x\n}}}"
    doc = VppDocument(text, "t.conf")
    assert doc.cpu() == {"main_core": "0", "corelist_workers": "1-3"}
    assert doc.worker_count() == 3
    assert doc.devices()[0]["rss"] == ["ipv4"]


def test_worker_count_forms():
    assert VppDocument("cpu { workers 6 }").worker_count() == 6
    assert VppDocument("cpu { main-core 1 coremask-workers 0x3c }").worker_count() == 4
    assert VppDocument("unix { nodaemon }").worker_count() is None


def test_chain_deployment_and_devices():
    chain = load(str(NAT_ACL))
    dep = chain.deployment
    assert chain.framework == "vpp"
    assert dep["workers"] == 8 and dep["cpu"]["main_core"] == "1"
    wan, lan, mgmt = dep["devices"]
    assert (wan["address"], wan["name"], wan["num_rx_queues"], wan["rss"]) == \
        ("0000:3b:00.0", "wan0", 2, ["ipv4-udp", "ipv4-tcp"])
    assert (lan["num_rx_queues"], lan["num_tx_queues"], lan["workers"]) == (2, 4, None)
    assert mgmt["name"] is None and mgmt["options"] == {}
    assert dep["device_default"]["options"] == {"num-rx-desc": "1024", "num-tx-desc": "1024"}
    assert dep["exec_key"] == "exec" and dep["exec_ref"] == "setup.cli"
    assert Path(dep["script"]).resolve() == (DATA / "nat_acl" / "setup.cli").resolve()
    assert [Path(f).name for f in chain.files] == ["startup.conf", "setup.cli"]
    assert dep["interfaces"][:2] == ["wan0", "lan0"]


def test_chain_elements_from_exec_script():
    chain = load(str(NAT_ACL))
    by_name = {e.name: e for e in chain.elements}
    assert set(by_name) == {"nat44@lan0", "nat44@wan0", "acl@lan0", "acl@wan0",
                            "flowprobe@wan0/ip4"}     # lan0 flowprobe was disabled again
    nat_in = by_name["nat44@lan0"]
    assert nat_in.cls == "nat44" and nat_in.attrs["direction"] == "in"
    assert nat_in.attrs["plugin_dir"] == "nat/nat44-ed"
    assert nat_in.decl_span.line == 14 and nat_in.decl_span.file.endswith("setup.cli")
    assert by_name["acl@wan0"].attrs["acls"] == ["0", "1"]
    assert by_name["acl@wan0"].attrs["direction"] == "output"
    # the plugin enable line, continued with a backslash, is one command
    nat = chain.deployment["plugins"]["nat44"]
    assert nat["options"][:2] == ["sessions", "2000000"] and nat["span"]["line"] == 11


def test_cli_only_script_and_all_plugins():
    chain = load_any(str(CLI_ONLY), framework="vpp")
    got = {(e.cls, e.attrs["interface"], e.attrs["direction"]) for e in chain.elements}
    g8, g9 = "GigabitEthernet0/8/0", "GigabitEthernet0/9/0"
    assert got == {("lb", None, None), ("nat64", g8, "in"), ("nat64", g9, "out"),
                   ("ct6", g8, "inside"), ("ct6", g9, "outside"), ("det44", g8, "inside"),
                   ("det44", g9, "outside"), ("cnat", g9, None), ("sample", g8, "ip4-unicast"),
                   ("ip-reassembly", g9, None)}
    lb = chain.element("lb@90.0.0.0/8:tcp:80")
    assert lb.attrs["application_servers"] == ["10.0.0.2", "10.0.0.3"]
    assert lb.attrs["encap"] == "gre4"
    assert chain.element(f"sample@{g8}").attrs["plugin_dir"] is None   # adapter finds the node
    assert chain.deployment["startup_conf"] is None and chain.files == [str(CLI_ONLY)]


def test_abbreviations_macros_and_legacy_nat(tmp_path):
    (tmp_path / "startup.conf").write_text(
        "unix { exec /dev/null }\nnat { endpoint-independent }\n"
        "unix { startup-config run.cli }\n")
    (tmp_path / "run.cli").write_text(
        "define IN GigabitEthernet3/0/0\n"
        "set int nat44 in $IN out $(OUT) # OUT comes from the environment\n"
        "set interface feature $IN \\\n  my-counter arc ip4-unicast\n")
    chain = load(str(tmp_path / "startup.conf"))
    els = {e.name: e for e in chain.elements}
    assert els["nat44-ei@GigabitEthernet3/0/0"].attrs["plugin_dir"] == "nat/nat44-ei"
    assert "nat44-ei@$(OUT)" in els
    assert els["my-counter@GigabitEthernet3/0/0"].attrs["arc"] == "ip4-unicast"
    warn = [d for d in chain.diagnostics if "OUT" in d.message]
    assert warn and warn[0].span.line == 2


def test_interface_name_from_pci_address(tmp_path):
    (tmp_path / "s.conf").write_text("unix { exec s.cli }\ndpdk { dev 0000:af:00.1 }\n")
    (tmp_path / "s.cli").write_text("set interface state TenGigabitEtherneta/0/0 up\n"
                                    "set interface state TwentyFiveGigabitEthernetaf/0/1 up\n")
    dev = load(str(tmp_path / "s.conf")).deployment["devices"][0]
    assert dev["interface"] == "TwentyFiveGigabitEthernetaf/0/1"
    assert pci_interface_suffix("0001:03:1f.2") == "1/3/1f/2"


def test_bitmap_lists():
    assert parse_bitmap_list("2-5,8,10-11") == [2, 3, 4, 5, 8, 10, 11]
    assert format_bitmap_list([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, col, needle", [
    ("unix {\n  nodaemon\n\ncpu { workers 2 }\n", 1, 6, "'{' is never closed"),
    ("cpu { workers 2 }\n}\n", 2, 1, "unbalanced '}'"),
    ("unix { nodaemon }\nfrobnicate { on }\n", 2, 1, "unknown input 'frobnicate'"),
    ("unix { nodaemon }\ncpu\n", 2, 1, "has no value"),
    ("{ workers 2 }", 1, 1, "section name"),
])
def test_startup_errors_have_location(text, line, col, needle):
    with pytest.raises(InputError) as ei:
        VppDocument(text, "bad.conf")
    assert ei.value.span.file == "bad.conf"
    assert_error_at(ei.value, line, col, needle, text)


def test_missing_exec_script_is_a_warning():
    chain = load(str(LB_MIN))
    assert chain.elements == []
    (d,) = chain.diagnostics
    assert d.severity == "warning" and d.span.line == 1 and "lb.cli" in d.message


# --------------------------------------------------------------------------
# span-preserving edits
# --------------------------------------------------------------------------

def test_set_workers_in_corelist_and_plain():
    text = NAT_ACL.read_text()
    doc = VppDocument(text, "x.conf")
    assert doc.set_cpu_workers(3) == []
    assert changed_lines(text, doc.render()) == ["-\tcorelist-workers 2-5,8-11",
                                                 "+\tcorelist-workers 2-4"]
    doc = VppDocument("cpu {\n  main-core 1   # keep\n}\n")
    doc.set_cpu_workers(4)
    assert doc.render() == "cpu {\n  main-core 1   # keep\n  workers 4\n}\n"
    doc = VppDocument("cpu { main-core 1 corelist-workers 2-3 }")
    notes = doc.set_cpu_workers(4)
    assert doc.render() == "cpu { main-core 1 workers 4 }" and "2 cores" in notes[0]


def test_add_section_and_device_blocks():
    doc = VppDocument("unix {\n\tnodaemon\n}\n")
    doc.set_cpu_workers(2)
    doc.set_device_option("0000:01:00.0", "num-rx-queues", "2")
    doc.set_device_rss("0000:01:00.0", ["ipv4", "l3-src-only"])
    assert doc.render() == ("unix {\n\tnodaemon\n}\n\ncpu {\n\tworkers 2\n}\n\ndpdk {\n"
                            "\tdev 0000:01:00.0 {\n\t\tnum-rx-queues 2\n"
                            "\t\trss { ipv4 l3-src-only }\n\t}\n}\n")
    again = VppDocument(doc.render())
    assert again.devices()[0]["rss"] == ["ipv4", "l3-src-only"] and again.worker_count() == 2


def test_edit_device_keeps_comments_and_layout():
    text = NAT_ACL.read_text()
    doc = VppDocument(text, "x.conf")
    doc.set_device_option("0000:3b:00.0", "num-rx-queues", "4")
    doc.set_device_rss("0000:3b:00.0", ["ipv4", "ipv4-tcp"])
    doc.set_device_option("0000:5e:00.0", "num-rx-queues", "4")     # bare 'dev ADDR'
    doc.set_device_option("0000:3b:00.1", "workers", "0-3")
    assert changed_lines(text, doc.render()) == [
        "-\tdev 0000:3b:00.0 { name wan0 num-rx-queues 2",
        "-\t                   rss { ipv4-udp ipv4-tcp } }",
        "+\tdev 0000:3b:00.0 { name wan0 num-rx-queues 4",
        "+\t                   rss { ipv4 ipv4-tcp } }",
        "+\t\tworkers 0-3",
        "-\tdev 0000:5e:00.0   # management NIC, no options",
        "+\tdev 0000:5e:00.0 { num-rx-queues 4 }   # management NIC, no options",
    ]
    assert "\t\t# workers 0-1\n" in doc.render()      # the commented-out line is untouched


def test_set_exec_script_keeps_key():
    doc = VppDocument(LB_MIN.read_text())
    doc.set_exec_script("/etc/vpp/new.cli")
    assert doc.render().startswith(
        "unix{nodaemon cli-listen /run/vpp/cli.sock startup-config /etc/vpp/new.cli}")
    doc = VppDocument("cpu { workers 2 }\n")
    doc.set_exec_script("opt.cli")
    assert doc.exec_script() == ("exec", "opt.cli")


def test_script_append_keeps_text():
    text = "set int state eth0 up   # no final newline"
    s = VppScript(text, "a.cli")
    s.append(["soft-rss enable eth0"], comment="added")
    assert s.render() == text + "\n\n# added\nsoft-rss enable eth0\n"
    assert [c.expanded[0] for c in s.commands] == ["set", "soft-rss"]


def test_cli_continuation_ends_comment_like_vlib():
    s = VppScript("set int state \\\n eth0 up\nfoo # comment \\\n bar\n# only a comment\n")
    assert [c.expanded for c in s.commands] == [["set", "int", "state", "eth0", "up"],
                                                ["foo", "bar"]]
    assert (s.commands[1].start, s.commands[1].end) == (25, 45)


def test_copy_of_fixture_loads_from_any_directory(tmp_path):
    # the exec path is resolved relative to the startup.conf, not the cwd
    dst = tmp_path / "etc"
    shutil.copytree(DATA / "nat_acl", dst)
    chain = load(str(dst / "startup.conf"))
    assert len(chain.elements) == 5 and chain.files[1] == str(dst / "setup.cli")


def test_chain_json_round_trip_and_unknown_dpdk_flag():
    from flowmagec.artifacts import Chain
    chain = load(str(NAT_ACL))
    again = Chain.from_json(chain.to_json())
    assert again.to_dict() == chain.to_dict()
    assert again.element("acl@wan0").decl_span.line == 19
    doc = VppDocument("dpdk { some-new-flag dev 0000:01:00.0 { num-rx-queues 2 } }")
    assert [d["address"] for d in doc.devices()] == ["0000:01:00.0"]


def test_device_queues_keep_worker_list_consistent():
    doc = VppDocument("dpdk {\n  dev 0000:01:00.0 {\n    workers 0-1\n    num-rx-queues 2\n  }\n}\n")
    doc.set_device_queues("0000:01:00.0", 4)
    assert doc.render() == ("dpdk {\n  dev 0000:01:00.0 {\n    workers 0-3\n"
                            "    num-rx-queues 4\n  }\n}\n")


def test_legacy_crlf_deployment_copied_off_its_host():
    chain = load(str(DATA / "legacy_crlf" / "startup.conf"))
    dep = chain.deployment
    assert dep["workers"] == 4 and dep["device_default"]["num_rx_queues"] == 2
    assert "heapsize" in dep["sections"] and "nat" in dep["sections"]
    # absolute exec path not on this machine: the copy next to startup.conf is read, with a note
    (note,) = chain.diagnostics
    assert note.severity == "note" and "bootstrap.vpp" in note.message
    assert {(e.cls, e.attrs["direction"]) for e in chain.elements} == {
        ("nat44", "in"), ("nat44", "out"), ("ct6", "inside"), ("ct6", "outside")}
    assert dep["plugins"]["nat44"]["legacy"] is True


def test_inserted_lines_follow_crlf():
    text = (DATA / "legacy_crlf" / "startup.conf").read_bytes().decode()
    doc = VppDocument(text)
    doc.set_device_option("0000:05:00.0", "num-rx-queues", "4")
    doc.set_cpu_workers(2)
    out = doc.render()
    assert "\n" not in out.replace("\r\n", "")
    assert "\tdev 0000:05:00.0 {\r\n\t\tnum-rx-queues 4\r\n\t}\r\n" in out
    assert VppDocument(out).devices()[1]["num_rx_queues"] == 4


def test_plugin_enabled():
    doc = VppDocument(NAT_ACL.read_text())
    assert doc.plugin_enabled("dpdk_plugin.so") and doc.plugin_enabled("lb_plugin.so")
    doc = VppDocument("plugins { plugin default { disable } plugin nat_plugin.so { enable } }")
    assert doc.plugin_enabled("nat_plugin.so") and not doc.plugin_enabled("dpdk_plugin.so")
    assert VppDocument("cpu { workers 1 }").plugin_enabled("dpdk_plugin.so")


def test_old_and_index_forms(tmp_path):
    (tmp_path / "a.cli").write_text("set interface snat in eth1 out eth0\n"
                                    "set acl-plugin interface sw_if_index 2 input acl 7\n")
    chain = load(str(tmp_path / "a.cli"))
    assert sorted(e.name for e in chain.elements) == ["acl@sw_if_index:2", "nat44-ei@eth0",
                                                      "nat44-ei@eth1"]
    assert chain.element("acl@sw_if_index:2").config == \
        "set acl-plugin interface sw_if_index 2 input acl 7"


@pytest.mark.parametrize("read, what", [(VppDocument.load, "'"), (VppScript.load, "CLI script '"),
                                        (load, "'")])
def test_unreadable_file_is_an_input_error(tmp_path, read, what):
    missing = tmp_path / "nothere.conf"
    with pytest.raises(InputError, match=f"cannot read {what}{missing}': No such file"):
        read(str(missing))


def test_load_keeps_crlf(tmp_path):
    p = tmp_path / "s.cli"
    p.write_bytes(b"set int state eth0 up\r\n")
    assert VppScript.load(str(p)).render() == "set int state eth0 up\r\n"
