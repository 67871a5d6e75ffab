"""Compilation to bitcode: success, cache hits, failures that keep source analysis going."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from flowmagec import adapters, analysis
from flowmagec import compile as compile_mod
from flowmagec.compile import CompileDB, compile_units

pytestmark = pytest.mark.needs_clang
DATA = Path(__file__).parent / "data" / "nf"
FC = DATA / "fctree"

if shutil.which("clang") is None:
    pytest.skip("clang not installed", allow_module_level=True)


def units_of(path, **kw):
    return adapters.discover_paths([str(path)], **kw)


def test_compiles_element_to_bitcode_with_names_and_debug_info(tmp_path):
    import llvmlite.binding as llvm
    units = compile_units(units_of(FC / "elements" / "flowstat"), cache_dir=tmp_path, jobs=1)
    u = units.units[0]
    assert u.ir_status == "ok"
    mod = llvm.parse_bitcode(Path(u.bitcode).read_bytes())
    names = [f.name for f in mod.functions if not f.is_declaration]
    assert any("FlowStat" in n and "process" in n for n in names)
    assert "!dbg" in str(mod)          # -g: evidence lines for IR facts


def test_second_run_hits_cache_without_running_clang(tmp_path, monkeypatch):
    compile_units(units_of(FC / "elements" / "counting"), cache_dir=tmp_path, jobs=1)
    calls = []
    real = subprocess.run
    monkeypatch.setattr(compile_mod.subprocess, "run",
                        lambda cmd, *a, **k: calls.append(cmd) or real(cmd, *a, **k))
    units = compile_units(units_of(FC / "elements" / "counting"), cache_dir=tmp_path, jobs=1)
    assert units.units[0].ir_status == "ok"
    assert not [c for c in calls if "-emit-llvm" in c]


def test_changed_source_misses_cache(tmp_path):
    shutil.copytree(FC, tmp_path / "t")
    path = tmp_path / "t" / "elements" / "counting"
    first = compile_units(units_of(path), cache_dir=tmp_path / "c", jobs=1).units[0].bitcode
    cc = path / "srccounter.cc"
    cc.write_text(cc.read_text().replace("4096", "2048"))
    second = compile_units(units_of(path), cache_dir=tmp_path / "c", jobs=1).units[0].bitcode
    assert first != second


def test_missing_include_makes_ir_unavailable_but_source_stage_runs(tmp_path):
    units = compile_units(units_of(FC / "elements" / "broken"), cache_dir=tmp_path, jobs=1)
    u = units.units[0]
    assert u.bitcode is None
    # one line, paths relative to the tree, the header where it failed and the file compiled
    assert u.ir_status == ("unavailable: elements/broken/needsdeps.hh:4:10: "
                           "'click/not_in_this_tree.hh' file not found "
                           "(in elements/broken/needsdeps.cc)")
    facts = analysis.analyze(units)[0]
    assert facts.stages["ir"] == u.ir_status
    assert facts.stages["source"].startswith(("ok", "failed"))


def test_syntax_error_reports_first_error_line(tmp_path):
    bad = tmp_path / "bad" / "bad.c"
    bad.parent.mkdir()
    bad.write_text("// flowmage: entry f\nint f(void) { return 1 +; }\n")
    u = compile_units(units_of(bad.parent), cache_dir=tmp_path / "c", jobs=1).units[0]
    assert u.ir_status.startswith("unavailable: bad/bad.c:2:")
    assert u.ir_status.endswith("expected expression") and "\n" not in u.ir_status


def test_multi_file_vpp_plugin_is_linked_into_one_module(tmp_path):
    import llvmlite.binding as llvm
    u = compile_units(units_of(DATA / "vpptree" / "plugins"), cache_dir=tmp_path, jobs=2).units[0]
    assert u.ir_status == "ok"
    mod = llvm.parse_bitcode(Path(u.bitcode).read_bytes())
    defined = {f.name for f in mod.functions if not f.is_declaration}
    assert {"tally_node_fn", "tally_enable"} <= defined


def test_compdb_flags_replace_adapter_flags(tmp_path):
    # Without the compdb the define is missing and the #error fires.
    src = tmp_path / "nf" / "nf.c"
    src.parent.mkdir()
    src.write_text("// flowmage: entry f\n#ifndef NEEDED\n#error NEEDED not set\n#endif\n"
                   "#include \"cfg.h\"\nint f(void) { return CFG; }\n")
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "cfg.h").write_text("#define CFG 3\n")
    db = tmp_path / "compile_commands.json"
    db.write_text(json.dumps([{"directory": str(tmp_path), "file": "nf/nf.c",
                               "command": "cc -DNEEDED -Iinc -c nf/nf.c -o nf.o"}]))
    assert CompileDB(str(db)).for_file(str(src)) == ["-DNEEDED", f"-I{tmp_path / 'inc'}"]
    no_db = compile_units(units_of(src.parent), cache_dir=tmp_path / "c1", jobs=1).units[0]
    assert "NEEDED not set" in no_db.ir_status
    with_db = compile_units(units_of(src.parent), compdb=str(db), cache_dir=tmp_path / "c2",
                            jobs=1).units[0]
    assert with_db.ir_status == "ok"


def test_multi_file_nf_with_one_broken_file_is_partial(tmp_path):
    plug = tmp_path / "vpptree"
    shutil.copytree(DATA / "vpptree", plug)
    (plug / "plugins" / "tally" / "cli.c").write_text(
        "#include <tally/tally.h>\n#include <vnet/missing_for_test.h>\nint cli_x(void) { return 0; }\n")
    u = compile_units(units_of(plug / "plugins"), cache_dir=tmp_path / "c", jobs=1).units[0]
    assert u.ir_status.startswith("partial: 2/3 files compiled; plugins/tally/cli.c:2:10: "
                                  "'vnet/missing_for_test.h' file not found")
    assert u.bitcode is not None
