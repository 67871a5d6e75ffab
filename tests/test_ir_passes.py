"""IR passes (llvmlite) on small NFs compiled with the real clang: flow key taint,
symmetric keys, every-packet vs per-flow writes, pointers in entries, complexity."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flowmagec import analysis
from flowmagec.artifacts import NFUnit
from flowmagec.compile import compile_file
from flowmagec.passes import IR_PASSES
from flowmagec.passes.base import AnalysisContext
from flowmagec.passes.ir_complexity import ComplexityPass
from flowmagec.passes.ir_module import DebugInfo, IRModule, qualified_name
from flowmagec.passes.ir_pointer import IRPointerPass
from flowmagec.passes.ir_taint import HeaderTaintPass
from flowmagec.passes.ir_writes import WriteDominancePass

DATA = Path(__file__).parent / "data" / "ir"

pytestmark = pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ir-cache")


def unit_for(name: str, entry: str, cache: Path) -> NFUnit:
    src = DATA / name
    flags = ["-std=c++17"] if src.suffix == ".cc" else []
    res = compile_file(str(src), flags, [], cache)
    assert res.bitcode is not None, res.error
    return NFUnit(name=src.stem, framework="plain", files=[str(src)], entry_points=[entry],
                  bitcode=str(res.bitcode), ir_status="ok")


def run(pass_cls, unit: NFUnit, ctx: AnalysisContext | None = None):
    return pass_cls().run(unit, ctx or AnalysisContext(unit))


def values(facts, kind):
    return [f.value for f in facts if f.kind == kind]


# ------------------------------------------------------------------ helpers

def test_qualified_name_strips_templates_and_parameters():
    assert qualified_name("FlowStateElement<Foo, Bar>::push_batch(int, PacketBatch*)") == \
        "FlowStateElement::push_batch"
    assert qualified_name("HashTable<IPFlowID, int>::find(IPFlowID const&) const") == \
        "HashTable::find"
    assert qualified_name("flowstat_node_fn") == "flowstat_node_fn"


def test_debug_info_reads_member_offsets_from_text():
    text = ('!1 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "hdr", size: 64)\n'
            '!2 = !DIDerivedType(tag: DW_TAG_member, name: "a", scope: !1, baseType: !3, '
            'size: 32)\n'
            '!4 = !DIDerivedType(tag: DW_TAG_member, name: "b", scope: !1, baseType: !3, '
            'size: 16, offset: 32)\n'
            '!3 = !DIBasicType(name: "unsigned int", size: 32, encoding: DW_ATE_unsigned)\n')
    d = DebugInfo(text)
    rec = d.composite("hdr")
    assert [(m.name, m.offset, m.size) for m in d.members(rec)] == [("a", 0, 4), ("b", 4, 2)]
    assert d.member_at(rec, 5).name == "b"


def test_module_functions_cfg_and_demangled_names(cache):
    u = unit_for("table.cc", "Balancer::simple_action", cache)
    mod = IRModule(u.bitcode)
    fn = next(f for f in mod.functions.values() if f.qualname == "Balancer::simple_action")
    assert fn.entry == fn.blocks[0]
    assert fn.cfg.number_of_nodes() == len(fn.blocks) >= 2      # the if (!b) branch
    callees = {str(fn.callee(i)) for i in fn.ins if i.opcode == "call"}
    assert any("Table<unsigned long, Backend>::find" in c for c in callees)


# ------------------------------------------------------------------ HeaderTaintPass

def test_taint_reaches_hash_indexed_array_with_evidence(cache):
    u = unit_for("pairs.c", "pairs_packet", cache)
    facts = run(HeaderTaintPass, u)
    keys = {(v["container"], v["field"]) for v in values(facts, "key_field")}
    assert keys == {("counts", "src_ip"), ("counts", "dst_ip")}
    f = facts[0]
    assert f.evidence.source == "ir.HeaderTaintPass"
    assert f.evidence.file.endswith("pairs.c") and f.evidence.line in (12, 13)
    assert not values(facts, "symmetric")         # a multiply-then-xor hash is directional


def test_min_max_key_is_symmetric_but_hashed_mix_is_not(cache):
    u = unit_for("symmetric.c", "sym_packet", cache)
    facts = run(HeaderTaintPass, u)
    assert {v["container"] for v in values(facts, "symmetric")} == {"conv"}
    assert {v["container"] for v in values(facts, "key_field")} == {"conv", "mixed"}


def test_read_only_table_indexed_by_packet_is_not_a_key(cache):
    u = unit_for("decoy.c", "decoy_packet", cache)
    assert run(HeaderTaintPass, u) == []
    assert run(WriteDominancePass, u) == []


def test_key_through_method_call_and_accessor(cache):
    u = unit_for("table.cc", "Balancer::simple_action", cache)
    facts = run(HeaderTaintPass, u)
    keys = {(v["container"], v["field"]) for v in values(facts, "key_field")}
    assert keys == {("_map", "src_ip"), ("_map", "dst_ip")}


def test_stored_key_comparison_and_ports_through_anonymous_union(cache):
    u = unit_for("conn.c", "conn_packet", cache)
    fields = {v["field"] for v in values(run(HeaderTaintPass, u), "key_field")}
    assert fields == {"src_ip", "dst_ip", "src_port", "dst_port"}


# ------------------------------------------------------------------ WriteDominancePass

@pytest.mark.parametrize("name,entry,path", [
    ("pairs.c", "pairs_packet", "every-packet"),       # unconditional counters
    ("bucket.c", "bucket_packet", "every-packet"),     # branches test the entry's own tokens
    ("conn.c", "conn_packet", "per-flow"),             # claimed slot + SYN-only counter
    ("table.cc", "Balancer::simple_action", "per-flow"),   # written after a miss only
])
def test_write_path(cache, name, entry, path):
    u = unit_for(name, entry, cache)
    writes = values(run(WriteDominancePass, u), "state_write")
    assert [w["path"] for w in writes] == [path]


def test_write_evidence_points_at_the_store(cache):
    u = unit_for("pairs.c", "pairs_packet", cache)
    (f,) = run(WriteDominancePass, u)
    assert f.evidence.source == "ir.WriteDominancePass"
    assert f.evidence.line in (13, 14) and f.value["container"] == "counts"


# ------------------------------------------------------------------ IRPointerPass

def test_heap_list_in_entry_is_a_pointer_but_opaque_handle_is_not(cache):
    u = unit_for("history.c", "history_packet", cache)
    fields = {v["field"]: v for v in values(run(IRPointerPass, u), "pointer_field")}
    assert set(fields) == {"samples"}
    assert fields["samples"]["container"] == "entries"
    assert "sample" in fields["samples"]["type"]


def test_flat_entries_have_no_pointer(cache):
    for name, entry in (("pairs.c", "pairs_packet"), ("bucket.c", "bucket_packet")):
        assert run(IRPointerPass, unit_for(name, entry, cache)) == []


# ------------------------------------------------------------------ ComplexityPass

def test_complexity_counts_per_packet_instructions(cache):
    small = values(run(ComplexityPass, unit_for("decoy.c", "decoy_packet", cache)), "complexity")
    big = values(run(ComplexityPass, unit_for("conn.c", "conn_packet", cache)), "complexity")
    assert 0 < small[0]["instructions"] < big[0]["instructions"]


def test_no_entry_point_means_no_complexity_fact(cache):
    u = unit_for("decoy.c", "no_such_function", cache)
    assert run(ComplexityPass, u) == []


# ------------------------------------------------------------------ registry / driver

def test_registered_and_run_by_the_analysis_driver(cache):
    assert {HeaderTaintPass, WriteDominancePass, IRPointerPass, ComplexityPass} <= set(IR_PASSES)
    u = unit_for("pairs.c", "pairs_packet", cache)
    facts = analysis.analyze_unit(u)
    assert facts.stages["ir"] == "ok"
    sources = {f.evidence.source for f in facts.facts}
    assert {"ir.HeaderTaintPass", "ir.WriteDominancePass", "ir.ComplexityPass"} <= sources


def test_key_slots_filled_in_either_order_are_symmetric(cache):
    u = unit_for("canonical.c", "canonical_packet", cache)
    facts = run(HeaderTaintPass, u)
    assert {v["field"] for v in values(facts, "key_field")} >= {"src_ip", "dst_ip"}
    assert values(facts, "symmetric")
    writes = {w["container"]: w["path"] for w in values(run(WriteDominancePass, u), "state_write")}
    assert writes["seen"] == "every-packet"      # the counter of the found/added position


def test_virtual_hook_on_this_is_followed(cache):
    u = unit_for("virtual.cc", "Manager::push", cache)
    u.attrs["cxx_class"] = "SourceCount"
    facts = run(HeaderTaintPass, u)
    assert {(v["container"], v["field"]) for v in values(facts, "key_field")} == \
        {("_counts", "src_ip")}
    assert [w["path"] for w in values(run(WriteDominancePass, u), "state_write")] == \
        ["every-packet"]


def test_key_field_from_buffer_metadata(cache):
    u = unit_for("metadata.c", "metadata_packet", cache)
    fields = {v["field"] for v in values(run(HeaderTaintPass, u), "key_field")}
    assert fields == {"src_ip", "src_port"}


def test_source_hint_falls_back_once_when_the_source_index_fails():
    from flowmagec.passes.ir_module import source_hint
    ctx = AnalysisContext(NFUnit(name="x", framework="plain"))
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("libclang could not parse")
    assert source_hint(ctx, "containers", broken, set()) == set()
    assert source_hint(ctx, "blocks", broken, []) == []      # not retried
    assert calls == [1]


# ------------------------------------------------------------------ raw offsets, per-flow state

def test_raw_layer_is_the_one_the_accesses_fit():
    from flowmagec.passes.ir_dataflow import raw_layer
    assert raw_layer([(12, 4), (22, 2)]) == "ip4"          # source address, dport
    assert raw_layer([(26, 4), (36, 2)]) == "frame"        # the same, behind Ethernet
    assert raw_layer([(0, 2), (2, 2)]) == "l4"
    assert raw_layer([(3, 8)]) is None                     # fits nothing: not a header


def test_raw_byte_offsets_from_ip_header_key_written_table(cache):
    u = unit_for("rawkey.c", "rawkey_packet", cache)
    facts = run(HeaderTaintPass, u)
    (state,) = values(facts, "state")
    assert state["container"] == "slots" and state["per_flow"] and state["kind"] == "array"
    assert {(v["container"], v["field"]) for v in values(facts, "key_field")} == \
        {("slots", "dst_ip"), ("slots", "protocol")}       # not weight[sport]: read only
    assert [w["path"] for w in values(run(WriteDominancePass, u), "state_write")] == \
        ["every-packet"]


def test_raw_byte_offsets_from_ethernet_frame(cache):
    u = unit_for("rawkey.c", "rawframe_packet", cache)
    facts = run(HeaderTaintPass, u)
    assert {(v["container"], v["field"]) for v in values(facts, "key_field")} == \
        {("frames", "src_ip"), ("frames", "dst_port")}
    assert [v["container"] for v in values(facts, "state")] == ["frames"]


def test_raw_offsets_into_read_only_table_are_configuration(cache):
    u = unit_for("rawkey.c", "rawconfig_packet", cache)
    assert run(HeaderTaintPass, u) == []


def test_ir_alone_makes_raw_offset_nf_stateful(cache):
    from flowmagec import fusion
    u = unit_for("rawkey.c", "rawkey_packet", cache)
    nf = fusion.fuse_one(analysis.analyze_unit(u))
    assert nf.stateful and nf.key == ["dst_ip", "protocol"] and nf.intensity == "per-packet"


def test_stored_packet_header_compared_fields_are_key(cache):
    u = unit_for("fragq.c", "fragq_packet", cache)
    fields = {v["field"] for v in values(run(HeaderTaintPass, u), "key_field")}
    assert fields == {"ip_id", "protocol", "src_ip", "dst_ip"}


@pytest.mark.parametrize("entry", ["width_packet", "scratch_packet"])
def test_printing_is_not_state(cache, entry):
    # sprintf's length result, and a local object's buffer, are not keyed tables
    u = unit_for("printing.c", entry, cache)
    assert run(HeaderTaintPass, u) == []
    assert run(WriteDominancePass, u) == []


def test_single_byte_inside_a_wider_field_names_nothing_without_a_layout():
    from flowmagec.passes.ir_dataflow import Hdr, HeaderLayouts
    layouts = HeaderLayouts(mod=None)
    assert layouts.fields_at(Hdr("frame", 1), 1) == set()          # a payload's byte 1
    assert layouts.fields_at(Hdr("frame", 0), 6) == {"dst_mac"}
    assert layouts.fields_at(Hdr("frame", 28), 2) == {"src_ip"}     # low half of an address
    assert layouts.fields_at(Hdr("ip4", 9), 1) == {"protocol"}


def test_macro_pasted_global_names_are_unmangled():
    from flowmagec.passes.ir_module import unmangle_global
    assert unmangle_global("per_lcore_lm_index") == "lm_index"
    assert unmangle_global("per_lcore_") == "per_lcore_"
    assert unmangle_global("_flows") == "_flows"


# ------------------------------------------------------------------ flow-manager dispatch

def hooked_unit(cache: Path) -> NFUnit:
    src, hdr = DATA / "hooked.cc", DATA / "hooked.hh"
    res = compile_file(str(src), ["-std=c++17"], [str(hdr)], cache)
    assert res.bitcode is not None, res.error
    line = next(i for i, l in enumerate(hdr.read_text().splitlines(), 1)
                if l.startswith("class VolumeHooks"))
    return NFUnit(name="VolumeHooks", framework="fastclick", files=[str(src)], headers=[str(hdr)],
                  entry_points=["FlowStateElement::push_batch", "VolumeHooks::new_flow",
                                "VolumeHooks::process"],
                  compile_flags=["-std=c++17"], bitcode=str(res.bitcode), ir_status="ok",
                  attrs={"entry_roots": ["FlowStateElement::push_batch"],
                         "cxx_class": "VolumeHooks", "class_decl": f"{hdr}:{line}"})


def test_inline_element_gets_its_base_dispatcher_by_creating_it(cache):
    from flowmagec.passes.ir_module import dispatch_missing, ir_module, per_packet
    u = hooked_unit(cache)
    assert dispatch_missing(u, IRModule(u.bitcode))        # not in the element's own object
    ctx = AnalysisContext(u)
    assert not per_packet(u, ctx).dispatch_missing
    assert [f.qualname for f in per_packet(u, ctx).roots] == ["FlowStateElement::push_batch"]
    assert ir_module(u, ctx).functions                      # linked module parsed
    fields = {v["field"] for v in values(run(HeaderTaintPass, u, ctx), "key_field")}
    assert fields >= {"src_ip", "dst_ip"}                   # the base's key, from the frame


def test_hook_after_new_flow_verdict_runs_for_every_known_flow(cache):
    # keep = created ? new_flow(s, p) : true; if (keep) keep = process(s, p)
    u = hooked_unit(cache)
    writes = values(run(WriteDominancePass, u), "state_write")
    assert writes == [{"container": "Volume", "path": "every-packet"}]
