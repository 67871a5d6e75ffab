"""Completing a partial NF copy from the framework tree (adapters/tree_completion.py)
and the pass fixes for VPP idioms (tests/data/passes/vpp_table_routine, vpp_pool_session)."""
from __future__ import annotations

import os

import pytest
from pathlib import Path

from flowmagec.adapters import discover_paths
from flowmagec.artifacts import NFUnit
from flowmagec.passes import SOURCE_PASSES
from flowmagec.passes.base import AnalysisContext

DATA = Path(__file__).parent / "data"
TREE = DATA / "tree" / "fw"
COPY = DATA / "tree" / "copy" / "nf01"


def _names(paths):
    return sorted(os.path.basename(p) for p in paths)


def test_copy_gets_data_plane_files_from_tree():
    units = discover_paths([str(COPY)], framework="vpp", src_dirs=[str(TREE)])
    (u,) = units.units
    # node.c (packet node) and tiny_db.c (defines a function node.c calls) join;
    # tiny.c is the copy's renamed twin, walker.c only has a process node
    assert _names(u.files) == ["nf01.c", "node.c", "tiny_db.c"]
    assert "tiny_table.h" in _names(u.headers)
    assert "tiny_node_fn" in u.entry_points
    note = " ".join(str(d) for d in units.diagnostics)
    assert "#include <tiny/nf01.h>" in note and "node.c defines a packet node" in note
    assert "tiny.c not added" in note


def test_no_tree_no_completion():
    units = discover_paths([str(COPY)], framework="vpp")
    (u,) = units.units
    assert _names(u.files) == ["nf01.c"]
    assert not units.diagnostics


def test_unrelated_tree_dir_is_not_taken(tmp_path):
    """A tree dir with the included name but none of the copy's code is rejected."""
    other = tmp_path / "src" / "plugins" / "tiny"
    other.mkdir(parents=True)
    (tmp_path / "src" / "vlib").mkdir()
    (other / "node.c").write_text("VLIB_NODE_FN (other_node) (void) { return 0; }\n")
    units = discover_paths([str(COPY)], framework="vpp", src_dirs=[str(tmp_path)])
    assert _names(units.units[0].files) == ["nf01.c"]


def _facts(snippet: str, entry: str):
    u = NFUnit(name=snippet, framework="plain", entry_points=[entry],
               files=[str(DATA / "passes" / snippet / "node.c")],
               compile_flags=[f"-I{Path(__file__).parent.parent / 'corpus/vpp/include'}"])
    ctx = AnalysisContext(u)
    return [f for P in SOURCE_PASSES for f in P().run(u, ctx)]


def test_expiry_refresh_inside_table_routine_is_not_a_flow_write():
    facts = _facts("vpp_table_routine", "demo_node_fn")
    writes = [f for f in facts if f.kind == "state_write"]
    # only the insert on a miss remains; the lookup's expiry refresh and its
    # output parameter are neither flow-state writes
    assert [(f.value["container"], f.value["path"]) for f in writes] == [("sticky_ht", "per-flow")]
    assert "slot_table_put" in writes[0].evidence.detail


def test_counter_inside_table_routine_is_a_flow_write():
    writes = [f for f in _facts("vpp_table_counter", "demo_node_fn") if f.kind == "state_write"]
    assert [(f.value["container"], f.value["path"]) for f in writes] == [("sticky_ht", "every-packet")]


def test_slot_match_adds_routine_parameter_to_key():
    keys = {f.value["field"] for f in _facts("vpp_table_routine", "demo_node_fn")
            if f.kind == "key_field" and f.value["container"] == "sticky_ht"}
    assert {"src_ip", "dst_ip", "src_port", "protocol"} <= keys   # protocol only via `vip`


def test_pool_session_entry_index_field_is_a_pointer():
    facts = _facts("vpp_pool_session", "session_node_fn")
    ptrs = [f for f in facts if f.kind == "pointer_field"]
    assert any(f.value["field"] == "binding_index" and f.value.get("index") for f in ptrs), ptrs
    writes = [f for f in facts if f.kind == "state_write"]
    assert writes and all(f.value["path"] == "every-packet" for f in writes)


def test_per_thread_table_stays_per_core_through_table_routine():
    """``sticky = dm->per_cpu[thread_index].sticky_ht`` (``thread_index`` read from
    ``vlib_get_thread_index ()``) handed to the lookup routine: the routine's
    parameter is this thread's table, so the state is per-core."""
    states = [f for f in _facts("vpp_table_routine", "demo_node_fn")
              if f.kind == "state" and f.value["container"] == "sticky_ht"]
    assert states and states[0].value["per_core"] is True
