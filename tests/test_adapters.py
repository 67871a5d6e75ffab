"""Adapters: FastClick / VPP / plain discovery on small NFs written for these tests."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from flowmagec import adapters
from flowmagec.artifacts import Chain, Element
from flowmagec.errors import InputError

DATA = Path(__file__).parent / "data" / "nf"
FC = DATA / "fctree"


def by_name(units):
    return {u.name: u for u in units.units}


def test_fastclick_names_come_from_class_name_not_cxx_class():
    units = by_name(adapters.discover_paths([str(FC / "elements")], src_dirs=[str(FC)]))
    assert set(units) == {"SrcCounter", "FlowStat", "NeedsDeps", "MacSwap"}
    assert units["MacSwap"].attrs["cxx_class"] == "MacSwapImpl"
    assert units["MacSwap"].entry_points == ["MacSwapImpl::simple_action"]


def test_framework_core_bases_next_to_the_root_class_are_not_followed():
    # MacSwapImpl : BatchElement : Element; BatchElement lives next to Element (the class
    # declaring class_name() = 0), so its push_batch/output_push_batch are not NF code.
    u = by_name(adapters.discover_paths([str(FC / "elements" / "rewrite")]))["MacSwap"]
    assert u.bases == []
    assert not any(e.startswith("BatchElement::") for e in u.entry_points)


def test_fastclick_follows_flow_base_and_finds_process_hook():
    u = by_name(adapters.discover_paths([str(FC / "elements" / "flowstat")]))["FlowStat"]
    assert u.framework == "fastclick"
    assert u.bases == ["FlowTableBase"]          # Element (declares class_name() = 0) excluded
    assert any(h.endswith("include/click/flow/flowbase.hh") for h in u.headers)
    assert u.attrs["entry_roots"] == ["FlowTableBase::push"]
    # push calls the virtual hooks; the element's override of process is per packet.
    assert "FlowStat::process" in u.entry_points
    assert "FlowTableBase::flow_index" in u.entry_points
    assert u.attrs["template_state_types"] == ["FlowStatState"]
    assert any(f.startswith("-I") and f.endswith("fctree/include") for f in u.compile_flags)


def test_fastclick_helper_methods_called_from_push_are_entries():
    u = by_name(adapters.discover_paths([str(FC / "elements" / "counting" / "srccounter.cc")]))
    assert u["SrcCounter"].entry_points == ["SrcCounter::push", "SrcCounter::bump"]


def _rename_tree(src: Path, dst: Path, mapping: dict[str, str]) -> None:
    """Copy ``src`` to ``dst`` renaming identifiers and file names consistently."""
    shutil.copytree(src, dst)
    pattern = re.compile("|".join(sorted(map(re.escape, mapping), key=len, reverse=True)))
    for f in sorted(dst.rglob("*"), key=lambda p: -len(p.parts)):
        if f.is_file():
            f.write_text(pattern.sub(lambda m: mapping[m.group(0)], f.read_text()))
        new = pattern.sub(lambda m: mapping[m.group(0)], f.name)
        if new != f.name:
            f.rename(f.with_name(new))


def test_renamed_copy_gives_same_units(tmp_path):
    mapping = {"FlowStat": "Nf01", "flowstat": "nf01", "FlowTableBase": "Zz", "flowbase": "zz"}
    _rename_tree(FC, tmp_path / "t", mapping)
    orig = by_name(adapters.discover_paths([str(FC / "elements" / "flowstat")]))["FlowStat"]
    ren = by_name(adapters.discover_paths([str(tmp_path / "t" / "elements" / "nf01")]))["Nf01"]
    rename = lambda s: re.sub("FlowStat|FlowTableBase",
                              lambda m: {"FlowStat": "Nf01", "FlowTableBase": "Zz"}[m.group(0)], s)
    assert ren.entry_points == [rename(e) for e in orig.entry_points]
    assert ren.bases == ["Zz"]
    assert [Path(h).name for h in ren.headers] == ["nf01.hh", "zz.hh"]


def test_vpp_plugin_dir_is_one_nf_with_node_fn_and_inline_helpers():
    u = by_name(adapters.discover_paths([str(DATA / "vpptree" / "plugins")]))["tally"]
    assert u.framework == "vpp"
    assert [Path(f).name for f in u.files] == ["node.c", "tally.c"]
    assert u.attrs["entry_roots"] == ["tally_node_fn"]
    assert u.entry_points == ["tally_node_fn", "tally_bump", "tally_one"]
    assert "tally_enable" not in u.entry_points
    assert "tally_gc" not in u.entry_points        # a PROCESS node is not on the packet path


def test_vpp_single_file_is_named_after_its_stem():
    units = adapters.discover_paths([str(DATA / "vpptree" / "plugins" / "tally" / "node.c")])
    assert [u.name for u in units.units] == ["node"]


def test_plain_entry_comment_and_dir_scan_skip_unmarked_files():
    units = adapters.discover_paths([str(DATA / "plain")])
    assert [(u.name, u.framework, u.entry_points) for u in units.units] == \
        [("pktcount", "plain", ["handle_packet"])]


def test_plain_entry_option_overrides_and_explicit_framework_takes_all_files():
    units = adapters.discover_paths([str(DATA / "plain" / "pktcount")], framework="plain",
                                    entry="unrelated")
    assert {u.name: u.entry_points for u in units.units} == \
        {"helper": ["unrelated"], "pktcount": ["unrelated"]}


def test_detect_framework():
    assert adapters.detect_framework(FC / "elements" / "flowstat") == "fastclick"
    assert adapters.detect_framework(DATA / "vpptree" / "plugins" / "tally") == "vpp"
    assert adapters.detect_framework(DATA / "plain" / "pktcount" / "pktcount.c") == "plain"


def test_digest_changes_with_content(tmp_path):
    shutil.copytree(FC, tmp_path / "t")
    path = tmp_path / "t" / "elements" / "counting"
    before = adapters.discover_paths([str(path)]).units[0].digest
    cc = path / "srccounter.cc"
    cc.write_text(cc.read_text().replace("4096", "2048"))
    assert adapters.discover_paths([str(path)]).units[0].digest != before


def test_missing_path_and_bad_framework_are_input_errors():
    with pytest.raises(InputError, match="no such file"):
        adapters.discover_paths([str(DATA / "nope")])
    with pytest.raises(InputError, match="unknown framework"):
        adapters.discover_paths([str(DATA)], framework="ns3")


def test_discover_for_chain_maps_classes_and_instances():
    chain = Chain(framework="fastclick", path="x.click", elements=[
        Element(name="a", cls="FlowStat"), Element(name="b", cls="FlowStat"),
        Element(name="c", cls="MacSwap"), Element(name="d", cls="Unknown")])
    units = adapters.discover_for_chain(chain, [str(FC)])
    assert {u.name: u.instances for u in units.units} == {"FlowStat": ["a", "b"], "MacSwap": ["c"]}
    assert units.unresolved == ["Unknown"]


def test_discover_for_chain_uses_elementmap(tmp_path):
    shutil.copytree(FC, tmp_path / "t")
    emap = tmp_path / "t" / "share" / "click" / "elementmap.xml"
    emap.parent.mkdir(parents=True)
    # The map names the class 'Swapper' -> MacSwapImpl in elements/rewrite/macswap.cc.
    emap.write_text('<?xml version="1.0"?><elementmap xmlns="http://www.lcdf.org/click/xml/">'
                    '<entry name="Swapper" cxxclass="MacSwapImpl" '
                    'sourcefile="elements/rewrite/macswap.cc" /></elementmap>')
    chain = Chain(framework="fastclick", path="x.click",
                  elements=[Element(name="s", cls="Swapper"), Element(name="f", cls="FlowStat")])
    units = adapters.discover_for_chain(chain, [str(tmp_path / "t")])
    assert [u.attrs["cxx_class"] for u in units.units] == ["MacSwapImpl"]
    assert units.unresolved == ["FlowStat"]     # only the map is consulted when present


def test_vpp_chain_finds_plugin_dir():
    chain = Chain(framework="vpp", path="startup.conf", elements=[Element(name="tally", cls="tally")])
    units = adapters.discover_for_chain(chain, [str(DATA / "vpptree")])
    assert [u.name for u in units.units] == ["tally"]


def test_vpp_chain_uses_the_frontends_plugin_dir(tmp_path):
    # The frontend records where a feature's code lives: 'natx' -> plugins/nat/natx-ed.
    tree = tmp_path / "vpp"
    shutil.copytree(DATA / "vpptree", tree)
    (tree / "plugins" / "nat").mkdir()
    shutil.copytree(tree / "plugins" / "tally", tree / "plugins" / "nat" / "natx-ed")
    chain = Chain(framework="vpp", path="startup.conf", elements=[
        Element(name="natx@if0", cls="natx", attrs={"plugin_dir": "nat/natx-ed",
                                                    "src_root": "plugins"})])
    units = adapters.discover_for_chain(chain, [str(tree)])
    assert [(u.name, Path(u.files[0]).parent.name) for u in units.units] == [("natx", "natx-ed")]
    assert units.units[0].instances == ["natx@if0"]


def test_header_path_finds_the_element_exported_by_its_source():
    units = adapters.discover_paths([str(FC / "elements" / "flowstat" / "flowstat.hh")])
    assert [u.name for u in units.units] == ["FlowStat"]


def test_configured_tree_gets_config_defines_and_configure_machine_flags(tmp_path):
    tree = tmp_path / "fc"
    shutil.copytree(FC, tree)
    (tree / "include" / "click" / "config.h").write_text("#define HAVE_AVX2 1\n")
    (tree / "userlevel").mkdir()
    (tree / "userlevel" / "Makefile").write_text("CC = gcc\nCXXFLAGS = -g -O2 -W -mavx2 -msse4.2\n")
    u = adapters.discover_paths([str(tree / "elements" / "counting")], src_dirs=[str(tree)]).units[0]
    flags = u.compile_flags
    assert {"-DHAVE_CONFIG_H", "-DCLICK_USERLEVEL", "-mavx2", "-msse4.2"} <= set(flags)
    assert f"-I{tree.resolve() / 'include'}" in flags and "-O2" not in flags


def test_export_element_with_several_classes_and_aliases(tmp_path):
    from flowmagec.adapters.fastclick import FastClickAdapter
    d = tmp_path / "elements"
    d.mkdir()
    (d / "two.cc").write_text(
        "class Alpha : public Element { const char *class_name() const { return \"Alpha\"; } };\n"
        "class Beta : public Element { const char *class_name() const { return \"Beta\"; } };\n"
        "EXPORT_ELEMENT(Alpha Beta)\nEXPORT_ELEMENT(Alpha-AlphaAlias)\n")
    assert [u.name for u in FastClickAdapter([]).discover(d)] == ["Alpha", "Beta"]
    found = FastClickAdapter([str(tmp_path)]).find_classes(["AlphaAlias", "Beta"])
    assert {k: v.name for k, v in found.items()} == {"AlphaAlias": "AlphaAlias", "Beta": "Beta"}
