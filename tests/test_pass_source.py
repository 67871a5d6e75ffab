"""Focused tests of the libclang source passes on small snippets (tests/data/passes).

The snippets include framework headers that do not exist here, so every test
also exercises the degraded mode (unknown types become int; tokens keep the text).
"""
from __future__ import annotations

import glob
import os

import pytest

from flowmagec.artifacts import NFUnit
from flowmagec.passes import SOURCE_PASSES
from flowmagec.passes.base import AnalysisContext
from flowmagec.passes.source_key import FlowKeyPass, SymmetricKeyPass
from flowmagec.passes.source_pointer import PointerFieldPass
from flowmagec.passes.source_state import StateContainerPass
from flowmagec.passes.source_tu import reachable, source_index, statements
from flowmagec.passes.source_writes import StateWritePass

DATA = os.path.join(os.path.dirname(__file__), "data", "passes")


def unit_of(sub: str, name: str, framework: str = "fastclick", entries=()) -> NFUnit:
    d = os.path.join(DATA, sub)
    return NFUnit(name=name, framework=framework,
                  files=sorted(glob.glob(d + "/*.cc") + glob.glob(d + "/*.c")),
                  headers=sorted(glob.glob(d + "/*.hh") + glob.glob(d + "/*.h")),
                  entry_points=list(entries))


def run(pass_cls, unit):
    return pass_cls().run(unit, AnalysisContext(unit))


def by_kind(facts, kind):
    return [f for f in facts if f.kind == kind]


# -- source_tu -------------------------------------------------------------------

def test_index_keeps_spelled_types_when_includes_are_missing():
    u = unit_of("click_flowtable", "FlowTable")
    idx = source_index(u, AnalysisContext(u))
    fields = {f.name: f.type_text for f in idx.records["FlowTable"].fields}
    assert fields["_flows"] == "HashTable<IPFlowID,FlowEntry>"
    assert "FlowTable::push" in {f.qualname for f in idx.functions}


def test_statements_know_their_guards():
    u = unit_of("click_flowtable", "FlowTable")
    fn = next(f for f in source_index(u, AnalysisContext(u)).functions if f.name == "push")
    sts = {" ".join(s.texts): s.guarded for s in statements(fn.body)}
    assert sts["e -> packets ++"] is False
    assert sts["_flows . set ( IPFlowID ( p ) , FlowEntry ( ) )"] is True


def test_guarded_hook_called_from_base_is_not_every_packet():
    u = unit_of("click_block", "BlockEl")
    reach = reachable(u, AnalysisContext(u))
    names = {f.qualname: reach.runs_always(f) for f in reach.functions}
    assert names["BlockEl::process"] is True
    assert names["BlockEl::setup"] is False


def test_vpp_node_fn_found_without_vlib_headers():
    u = unit_of("vpp_bihash", "demo", "vpp")
    reach = reachable(u, AnalysisContext(u))
    assert any(f.name == "VLIB_NODE_FN" for f in reach.roots)


# -- state -------------------------------------------------------------------------

def test_hashtable_keyed_by_flow_id_is_per_flow_state():
    facts = run(StateContainerPass, unit_of("click_flowtable", "FlowTable"))
    st = {f.value["container"]: f.value for f in by_kind(facts, "state")}
    assert st["_flows"]["per_flow"] is True
    assert st["_flows"]["kind"] == "hashtable"
    assert st["_flows"]["value_type"] == "FlowEntry"
    assert st["_flows"]["protection"] == "lock"
    assert not by_kind(facts, "stateless")
    ev = by_kind(facts, "state")[0].evidence
    assert ev.file.endswith("flowtable.cc") and ev.line == 7
    assert ev.source == "source.StateContainerPass"


def test_counters_and_config_tables_are_not_per_flow():
    facts = run(StateContainerPass, unit_of("click_decoy", "Decoy"))
    st = {f.value["container"]: f.value for f in by_kind(facts, "state")}
    assert all(not v["per_flow"] for v in st.values())
    assert st["_bytes"]["protection"] == "per-core"
    assert "_port_of_proto" not in st          # read, never written per packet
    assert by_kind(facts, "stateless")


def test_bihash_and_pool_found_through_main_struct():
    facts = run(StateContainerPass, unit_of("vpp_bihash", "demo", "vpp"))
    st = {f.value["container"]: f.value for f in by_kind(facts, "state")}
    assert st["session_hash"]["kind"] == "bihash" and st["session_hash"]["per_flow"]
    assert st["sessions"]["kind"] == "pool"


# -- key -----------------------------------------------------------------------------

def keys(facts, container):
    return {f.value["field"] for f in by_kind(facts, "key_field") if f.value["container"] == container}


def test_ipflowid_is_four_tuple_without_protocol():
    facts = run(FlowKeyPass, unit_of("click_flowtable", "FlowTable"))
    assert keys(facts, "_flows") == {"src_ip", "dst_ip", "src_port", "dst_port"}


def test_key_built_by_overridden_hash_function():
    facts = run(FlowKeyPass, unit_of("click_block", "BlockEl"))
    assert keys(facts, "_hash") == {"dst_ip", "dst_port"}


def test_bihash_key_packed_in_helper_through_output_parameter():
    facts = run(FlowKeyPass, unit_of("vpp_bihash", "demo", "vpp"))
    assert keys(facts, "session_hash") == {"src_ip", "dst_ip"}


def test_min_max_key_is_symmetric_and_xor_of_unlike_fields_is_not():
    assert by_kind(run(SymmetricKeyPass, unit_of("click_symmetric", "SymFlow")), "symmetric")
    assert not run(SymmetricKeyPass, unit_of("click_block", "BlockEl"))


def test_renamed_class_gives_the_same_key(tmp_path):
    src = os.path.join(DATA, "click_flowtable")
    for fn in os.listdir(src):
        text = open(os.path.join(src, fn)).read().replace("FlowTable", "Zq9").replace("_flows", "_m")
        (tmp_path / fn.replace("flowtable", "zq9")).write_text(text.replace('"flowtable.hh"', '"zq9.hh"'))
    u = NFUnit(name="Zq9", framework="fastclick", files=[str(tmp_path / "zq9.cc")],
               headers=[str(tmp_path / "zq9.hh")])
    assert keys(run(FlowKeyPass, u), "_m") == {"src_ip", "dst_ip", "src_port", "dst_port"}


# -- writes --------------------------------------------------------------------------

def paths(facts):
    return {f.value["container"]: f.value["path"] for f in by_kind(facts, "state_write")}


def test_counter_update_after_insert_is_every_packet():
    assert paths(run(StateWritePass, unit_of("click_flowtable", "FlowTable")))["_flows"] == "every-packet"


def test_insert_on_miss_only_is_per_flow():
    assert paths(run(StateWritePass, unit_of("click_symmetric", "SymFlow")))["_conns"] == "per-flow"


def test_block_written_only_in_setup_hook_is_per_flow():
    got = paths(run(StateWritePass, unit_of("click_block", "BlockEl")))
    assert got["OpaqueState"] == "per-flow"


def test_pool_entry_written_each_packet_in_vpp_node():
    got = paths(run(StateWritePass, unit_of("vpp_bihash", "demo", "vpp")))
    assert got["sessions"] == "every-packet" and got["session_hash"] == "per-flow"


# -- pointers ------------------------------------------------------------------------

def test_nested_vector_and_dereferenced_pointer_vs_opaque_handle():
    flow = {f.value["field"]: f.value for f in by_kind(
        run(PointerFieldPass, unit_of("click_flowtable", "FlowTable")), "pointer_field")}
    assert flow["sizes"]["nested"] and flow["sizes"]["deref"]
    blk = {f.value["field"]: f.value for f in by_kind(
        run(PointerFieldPass, unit_of("click_block", "BlockEl")), "pointer_field")}
    assert blk["history"]["deref"] is True
    assert "handle" not in blk                 # opaque handle, never dereferenced
    assert "chosen" not in blk


# -- registry ------------------------------------------------------------------------

@pytest.mark.parametrize("sub,name,fw", [("click_flowtable", "FlowTable", "fastclick"),
                                         ("click_decoy", "Decoy", "fastclick"),
                                         ("vpp_bihash", "demo", "vpp")])
def test_every_pass_names_itself_in_evidence(sub, name, fw):
    u = unit_of(sub, name, fw)
    ctx = AnalysisContext(u)
    for P in SOURCE_PASSES:
        for f in P().run(u, ctx):
            assert f.evidence.source == f"source.{P.name}"
            assert f.evidence.line > 0 and os.path.exists(f.evidence.file)
