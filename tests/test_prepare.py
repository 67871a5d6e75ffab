"""Framework preparation on stock (unconfigured) trees: generated headers in the cache only.

The trees under tests/data/stock_* are our own miniatures of a FastClick
checkout (a ``configure`` that writes ``include/click/config.h`` and
``userlevel/Makefile``) and of a VPP checkout (a ``configure_file()`` template
and a vppapigen-compatible generator for ``.api`` files).
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from flowmagec import adapters
from flowmagec import compile as compile_mod
from flowmagec import prepare
from flowmagec.prepare_fastclick import MakeVariables
from flowmagec.prepare_vpp import fill_template

pytestmark = pytest.mark.needs_clang
DATA = Path(__file__).parent / "data"

if shutil.which("clang") is None:
    pytest.skip("clang not installed", allow_module_level=True)


def snapshot(tree: Path) -> dict[str, str]:
    """Every file of the tree (and its mode) by content digest: the tree must not change."""
    out = {}
    for p in sorted(tree.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(tree))] = (hashlib.sha256(p.read_bytes()).hexdigest()
                                             + oct(p.stat().st_mode))
        elif p.is_dir():
            out[str(p.relative_to(tree)) + "/"] = ""
    return out


@pytest.fixture
def stock(tmp_path):
    """Fresh copies of the stock trees (a run must leave them byte-identical)."""
    out = {}
    for name in ("stock_fastclick", "stock_vpp"):
        shutil.copytree(DATA / name, tmp_path / name)
        out[name] = tmp_path / name
    prepare._MEMO.clear()          # each test prepares from its own cache
    yield out
    prepare._MEMO.clear()


def audit_units(path, src, cache):
    units = adapters.discover_paths([str(path)], src_dirs=[str(src)])
    return compile_mod.compile_units(units, cache_dir=str(cache), jobs=1)


def by_name(units):
    return {u.name: u for u in units.units}


# ---------------------------------------------------------------- FastClick

def test_fastclick_configure_runs_in_cache_and_tree_stays_identical(stock, tmp_path, monkeypatch):
    tree = stock["stock_fastclick"]
    log = tmp_path / "configure.log"
    monkeypatch.setenv("STOCK_CONFIGURE_LOG", str(log))
    before = snapshot(tree)
    units = by_name(audit_units(tree / "elements", tree, tmp_path / "cache"))
    assert snapshot(tree) == before                          # nothing written into --src
    assert not (tree / "include" / "click" / "config.h").exists()
    [prepared] = (tmp_path / "cache" / "prepared").glob("fastclick-*")
    assert (prepared / "include" / "click" / "config.h").read_text().count("HAVE_STOCK_CONFIG")
    assert units["SrcCount"].ir_status == "ok"
    assert units["SrcCount"].attrs["prepared"] == str(prepared)
    # the configured Makefile's flags: DEFS, INCLUDES (build dir, its tree twin), the
    # ifeq branch configure chose (libdpdk is found by pkg-config or not), not a recipe line
    flags = units["SrcCount"].compile_flags
    assert "-DHAVE_CONFIG_H" in flags and "-DCLICK_USERLEVEL" in flags and "-msse4.2" in flags
    assert f"-I{prepared / 'include'}" in flags and f"-I{tree / 'vendor'}" in flags
    assert ("-DSTOCK_WITH_DPDK" in flags) != ("-DSTOCK_WITHOUT_DPDK" in flags)
    assert not any("not-a-flag" in f for f in flags) and "-O2" not in flags
    assert log.read_text().count("configure ") == 1


def test_fastclick_second_run_reuses_the_prepared_tree(stock, tmp_path, monkeypatch):
    tree = stock["stock_fastclick"]
    log = tmp_path / "configure.log"
    monkeypatch.setenv("STOCK_CONFIGURE_LOG", str(log))
    first = by_name(audit_units(tree / "elements", tree, tmp_path / "cache"))
    prepare._MEMO.clear()                                    # a new process
    second = by_name(audit_units(tree / "elements", tree, tmp_path / "cache"))
    assert log.read_text().count("configure ") == 1          # configure ran once
    assert second["SrcCount"].bitcode == first["SrcCount"].bitcode
    assert len(list((tmp_path / "cache" / "prepared").iterdir())) == 1


def test_fastclick_changed_template_prepares_again(stock, tmp_path, monkeypatch):
    tree = stock["stock_fastclick"]
    log = tmp_path / "configure.log"
    monkeypatch.setenv("STOCK_CONFIGURE_LOG", str(log))
    audit_units(tree / "elements", tree, tmp_path / "cache")
    prepare._MEMO.clear()
    cfg = tree / "config.h.in"
    cfg.write_text(cfg.read_text().replace("256", "512"))
    audit_units(tree / "elements", tree, tmp_path / "cache")
    assert log.read_text().count("configure ") == 2
    assert len(list((tmp_path / "cache" / "prepared").glob("fastclick-*"))) == 2


def test_base_class_code_in_another_file_is_linked_into_the_nf_module(stock, tmp_path):
    import llvmlite.binding as llvm
    tree = stock["stock_fastclick"]
    unit = by_name(audit_units(tree / "elements" / "standard", tree, tmp_path / "c"))["SrcCount"]
    assert unit.files == [str(tree / "elements" / "standard" / "srccount.cc")]
    assert unit.attrs["base_sources"] == [str(tree / "elements" / "standard" / "countbase.cc")]
    mod = llvm.parse_bitcode(Path(unit.bitcode).read_bytes())
    defined = {f.name for f in mod.functions if not f.is_declaration}
    assert "_ZN8SrcCount13simple_actionEP6Packet" in defined
    assert "_ZN9CountBase12count_sourceEj" in defined        # from countbase.cc


def test_unavailable_ir_is_one_line_with_relative_paths(stock, tmp_path):
    tree = stock["stock_fastclick"]
    unit = by_name(audit_units(tree / "elements", tree, tmp_path / "c"))["NeedsGen"]
    assert unit.ir_status == ("unavailable: elements/broken/needsgen.cc:4:10: "
                              "'click/never_generated.hh' file not found")


def test_failed_configure_is_the_ir_status_and_is_cached(stock, tmp_path, monkeypatch):
    tree = stock["stock_fastclick"]
    (tree / "configure").write_text("#!/bin/sh\necho 'configure: error: no C++ compiler found' >&2\n"
                                    "echo ran >> \"$STOCK_CONFIGURE_LOG\"\nexit 1\n")
    log = tmp_path / "configure.log"
    monkeypatch.setenv("STOCK_CONFIGURE_LOG", str(log))
    unit = by_name(audit_units(tree / "elements", tree, tmp_path / "c"))["SrcCount"]
    assert unit.bitcode is None
    assert unit.ir_status == ("unavailable: preparing the fastclick tree failed: configure "
                              "failed: configure: error: no C++ compiler found")
    prepare._MEMO.clear()
    audit_units(tree / "elements", tree, tmp_path / "c")
    assert log.read_text().count("ran") == 1


def test_compdb_wins_over_preparation(stock, tmp_path, monkeypatch):
    tree = stock["stock_fastclick"]
    log = tmp_path / "configure.log"
    monkeypatch.setenv("STOCK_CONFIGURE_LOG", str(log))
    build = tmp_path / "realbuild"
    (build / "include" / "click").mkdir(parents=True)
    (build / "include" / "click" / "config.h").write_text(
        "#define HAVE_STOCK_CONFIG 1\n#define STOCK_TABLE_SIZE 16\n")
    src = tree / "elements" / "standard"
    db = tmp_path / "compile_commands.json"
    db.write_text(json.dumps([{"directory": str(build), "file": str(src / "srccount.cc"),
                               "command": f"c++ -I{build}/include -I{tree}/include -I{tree}/vendor "
                                          f"-c {src / 'srccount.cc'}"}]))
    units = adapters.discover_paths([str(src)], src_dirs=[str(tree)])
    unit = compile_mod.compile_units(units, compdb=str(db), cache_dir=str(tmp_path / "c"),
                                     jobs=1).units[0]
    assert unit.ir_status == "ok"
    assert not log.exists()                                  # every file had an entry


def test_make_variables_follow_conditionals_and_skip_recipes():
    mk = MakeVariables("A = 1\nB := $(A) two\nifeq ($(A),1)\n\tC = yes\nelse\n\tC = no\nendif\n"
                       "ifdef NOPE\nD = x\nendif\nB += three\n"
                       "t: dep\n\tC = recipe\n")
    assert mk.expand("$(B)") == "1 two three"
    assert mk.vars["C"] == "yes" and "D" not in mk.vars


# ---------------------------------------------------------------- VPP

def test_vpp_generated_headers_land_in_cache_and_ir_becomes_available(stock, tmp_path, monkeypatch):
    tree = stock["stock_vpp"]
    log = tmp_path / "apigen.log"
    monkeypatch.setenv("STOCK_APIGEN_LOG", str(log))
    before = snapshot(tree)
    unit = by_name(audit_units(tree / "src" / "plugins", tree, tmp_path / "cache"))["counter"]
    assert snapshot(tree) == before
    assert unit.ir_status == "ok"
    [prepared] = (tmp_path / "cache" / "prepared").glob("vpp-*")
    gen = prepared / "gen"
    assert (gen / "vlib" / "config.h").read_text().count("#define VLIB_STOCK_SLOTS 64")
    assert "#define STOCK_FAST_PATH 1" in (gen / "vlib" / "config.h").read_text()
    assert "/* #undef STOCK_DEBUG */" in (gen / "vlib" / "config.h").read_text()
    for name in ("counter.api.h", "counter.api_enum.h", "counter.api_types.h",
                 "counter.api_json.h"):
        assert (gen / "plugins" / "counter" / name).is_file(), name
    assert f"-I{gen}" in unit.compile_flags and f"-I{gen / 'plugins'}" in unit.compile_flags
    # the generator ran once per .api and module; a second run reuses it all
    assert sorted(log.read_text().split("\n")[:-1]) == sorted(
        [f"C {tree / 'src/plugins/counter/counter.api'}",
         f"JSON {tree / 'src/plugins/counter/counter.api'}"])
    prepare._MEMO.clear()
    again = by_name(audit_units(tree / "src" / "plugins", tree, tmp_path / "cache"))["counter"]
    assert again.ir_status == "ok" and again.bitcode == unit.bitcode
    assert len(log.read_text().split("\n")[:-1]) == 2


def test_vpp_tree_without_vppapigen_says_which_header_is_missing(stock, tmp_path):
    tree = stock["stock_vpp"]
    shutil.rmtree(tree / "src" / "tools")                    # no vppapigen in this tree
    unit = by_name(audit_units(tree / "src" / "plugins", tree, tmp_path / "c"))["counter"]
    assert unit.bitcode is None
    assert unit.ir_status == ("unavailable: src/plugins/counter/counter.h:4:10: "
                              "'counter/counter.api_types.h' file not found "
                              "(in src/plugins/counter/node.c)")


def test_fill_template_is_cmake_configure_file():
    out = fill_template("#define A @A@\n#cmakedefine01 B\n#cmakedefine C 3\n#cmakedefine D\n"
                        "#define E \"${E}\"\n", {"A": "7", "B": "ON", "C": "1", "D": "OFF",
                                                 "E": "lib"})
    assert out == "#define A 7\n#define B 1\n#define C 3\n/* #undef D */\n#define E \"lib\"\n"
