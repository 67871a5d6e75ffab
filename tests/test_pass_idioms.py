"""Source passes on C/C++ idioms from real NFs (tests/data/passes/c_idioms, click_wrapper):
lookup-test polarity, early exits, swapped key slots, read-only tables, DPDK
per-lcore state, pool-index pointers, protocol dispatch, TCP-SYN-only setup,
per-worker buffers filled by one stage and looked up by the next, wrapper
table classes, reference entries."""
from __future__ import annotations

import glob
import os
import shlex
import subprocess
from functools import lru_cache

import pytest

from flowmagec.artifacts import NFUnit
from flowmagec.passes import SOURCE_PASSES
from flowmagec.passes.base import AnalysisContext
from flowmagec.passes.source_tu import Guard, Stmt, lookup_polarity, on_common_path, statements

DATA = os.path.join(os.path.dirname(__file__), "data", "passes")


@lru_cache(maxsize=None)
def dpdk_flags() -> tuple[str, ...]:
    try:
        out = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ()
    return tuple(shlex.split(out))


@lru_cache(maxsize=None)
def facts_of(name: str, entry: str) -> tuple:
    u = NFUnit(name=name, framework="plain", entry_points=[entry],
               files=[os.path.join(DATA, "c_idioms", name + ".c")],
               compile_flags=list(dpdk_flags()))
    ctx = AnalysisContext(u)
    return tuple(f for P in SOURCE_PASSES for f in P().run(u, ctx))


def per_flow(facts) -> set[str]:
    return {f.value["container"] for f in facts if f.kind == "state" and f.value["per_flow"]}


def writes(facts) -> dict[str, str]:
    return {f.value["container"]: f.value["path"] for f in facts if f.kind == "state_write"}


def keys(facts, container) -> set[str]:
    return {f.value["field"] for f in facts
            if f.kind == "key_field" and f.value["container"] == container}


# -- polarity of lookup tests --------------------------------------------------------

@pytest.mark.parametrize("cond, found, expected", [
    ("rte_hash_lookup ( h , & k ) < 0", {}, "miss"),
    ("rte_hash_lookup_data ( h , & k , & d ) >= 0", {}, "hit"),
    ("clib_bihash_search_16_8 ( & t , & kv , & v )", {}, "miss"),        # 0 = found
    ("! clib_bihash_search_16_8 ( & t , & kv , & v )", {}, "hit"),
    ("clib_bihash_search_8_8 ( & t , & kv , & v ) == 0", {}, "hit"),
    ("! e", {"e": None}, "miss"),
    ("e != NULL", {"e": None}, "hit"),
    ("it == _map . end ( )", {"it": None}, "miss"),
    ("created", {"s": None, "created": "miss"}, "miss"),
    ("e -> count == 0", {"e": None}, None),              # a field of the entry: not a lookup test
    ("len > 64", {}, None),
])
def test_lookup_polarity(cond, found, expected):
    assert lookup_polarity(tuple(cond.split()), found) == expected


def test_state_branch_then_is_rare_else_is_common():
    then = Stmt([], (Guard("if", ("s", "->", "n", "==", "0"), "then"),))
    other = Stmt([], (Guard("if", ("s", "->", "n", "==", "0"), "else"),))
    assert not on_common_path(then, {}, frozenset({"s"}))
    assert on_common_path(other, {}, frozenset({"s"}))
    # a filter on the packet itself does not make a path rare
    assert on_common_path(Stmt([], (Guard("if", ("len", ">", "64"), "then"),)), {}, frozenset({"s"}))


def test_early_return_guards_the_rest_of_the_block():
    from flowmagec.passes.source_tu import Tok
    toks = [Tok(t, 1, "identifier") for t in
            "{ if ( x ) return ; y = 1 ; }".split()]
    sts = statements(toks)
    last = sts[-1]
    assert last.texts == ["y", "=", "1"]
    assert last.guards == (Guard("if", ("x",), "else"),)


# -- whole units -----------------------------------------------------------------------

@pytest.mark.needs_dpdk
def test_insert_after_early_return_on_hit_is_per_flow():
    f = facts_of("early_exit", "pin")
    assert per_flow(f) == {"pins"} and keys(f, "pins") == {"dst_ip"}
    assert writes(f)["pins"] == "per-flow"


def test_swapped_slots_make_a_symmetric_key():
    f = facts_of("swapped", "count")
    assert keys(f, "table") == {"src_ip", "dst_ip"}
    assert any(x.kind == "symmetric" for x in f)
    assert writes(f)["table"] == "every-packet"


def test_table_read_but_never_written_per_packet_is_not_flow_state():
    f = facts_of("routes", "route")
    assert per_flow(f) == set()
    assert any(x.kind == "stateless" for x in f)


@pytest.mark.needs_dpdk
def test_per_lcore_table_and_pool_index_pointer():
    f = facts_of("lcore", "account")
    st = {x.value["container"]: x.value for x in f if x.kind == "state"}
    assert st["conns_h"]["protection"] == "per-core"
    ptr = [x.value for x in f if x.kind == "pointer_field"]
    assert [p["field"] for p in ptr] == ["peer_index"] and ptr[0]["index"]


def test_timeout_refreshed_in_every_protocol_arm_is_every_packet():
    f = facts_of("dispatch", "track")
    assert writes(f)["sessions"] == "every-packet"
    assert keys(f, "sessions") == {"src_ip", "dst_ip", "src_port"}


@pytest.mark.needs_dpdk
def test_writes_only_on_syn_are_per_flow():
    f = facts_of("synonly", "watch")
    assert set(writes(f).values()) == {"per-flow"}


@pytest.mark.needs_dpdk
def test_key_buffer_filled_by_one_stage_and_looked_up_by_the_next():
    f = facts_of("staged", "node")
    assert keys(f, "flows") == {"src_ip", "dst_ip"}


def test_wrapper_table_method_and_reference_entry():
    d = os.path.join(DATA, "click_wrapper")
    u = NFUnit(name="Wrapped", framework="fastclick", files=glob.glob(d + "/*.cc"),
               headers=sorted(glob.glob(d + "/*.hh")))
    ctx = AnalysisContext(u)
    f = [x for P in SOURCE_PASSES for x in P().run(u, ctx)]
    st = {x.value["container"]: x.value for x in f if x.kind == "state" and x.value["per_flow"]}
    # the element's own member is keyed through the wrapper's method ...
    assert keys(f, "_meters") == {"src_ip", "dst_ip", "src_port", "dst_port", "protocol"}
    # ... and shares like the wrapper's per-thread table
    assert st["_meters"]["protection"] == "per-core"
    assert keys(f, "_seen") == {"ip_id"}
    w = writes(f)
    assert w["_meters"] == "every-packet" and w["_seen"] == "every-packet"
    assert w["_per_core"] == "per-flow"          # inserted on a miss only
