"""Features come from the framework declarations an NF uses and from its code,
never from the names of its own identifiers.

Small NFs written here (our own code) pair a misleading name with code that
says otherwise: a user table called ``...MP`` with no lock is not thread-safe;
a user struct called ``FooVector``/``BarString``/``my_list`` holding scalars
is not a nested container, while a plainly named struct holding a pointer or
a framework container is; a local called ``tid`` holding a packet hash does
not make state per-core, while a local called ``xyz`` holding a framework
thread id that indexes the table does.  The whole pipeline runs (real clang,
libclang source passes, llvmlite IR passes, fusion).
"""
from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from flowmagec.commands.audit import audit
from flowmagec.passes.knowledge import ROWS, match
from flowmagec.passes.knowledge.schema import THREAD_ID

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@lru_cache(maxsize=None)
def _have_dpdk() -> bool:
    try:
        subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True, check=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


def features(tmp_path: Path, framework: str, files: dict[str, str], src=()):
    d = tmp_path / "nf"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    units, facts, feats = audit([str(d)], framework=framework, src=list(src),
                                cache_dir=str(tmp_path / "bc"))
    assert len(feats.nfs) == 1, [nf.name for nf in feats.nfs]
    return feats.nfs[0], facts[0]


# ---------------------------------------------------------------------------
# (a) a user table named ...MP is not thread-safe because of its name
# ---------------------------------------------------------------------------

ELEMENT_HH = """#ifndef CLICK_{upper}_HH
#define CLICK_{upper}_HH
#include <click/batchelement.hh>
#include <click/hashtablemp.hh>
#include <click/ipaddress.hh>
CLICK_DECLS

{decls}

class {cls} : public BatchElement {{
  public:
    {cls}() CLICK_COLD {{}}
    const char *class_name() const override {{ return "{cls}"; }}
    const char *port_count() const override {{ return "1/1"; }}
    const char *processing() const override {{ return PUSH; }}
    void push_batch(int port, PacketBatch *batch) override;

  private:
    struct Meter {{
        uint64_t packets;
        uint64_t bytes;
        Meter() : packets(0), bytes(0) {{}}
    }};
    {table} _meters;
}};

CLICK_ENDDECLS
#endif
"""

ELEMENT_CC = """#include <click/config.h>
#include "{lower}.hh"
CLICK_DECLS

void {cls}::push_batch(int, PacketBatch *batch)
{{
    FOR_EACH_PACKET_SAFE(batch, p) {{
        IPAddress host(p->ip_header()->ip_src);
        auto m = _meters.find_insert(host, Meter());
        m->packets += 1;
        m->bytes += p->length();
        output_push(0, p);
    }}
}}

CLICK_ENDDECLS
EXPORT_ELEMENT({cls})
"""

# A hand-written table with nothing that synchronises writers.
USER_TABLE_MP = """template <typename K, typename V> class CounterTableMP {
  public:
    struct slot { K key; V value; bool used; };
    V *find_insert(const K &k, const V &init) {
        unsigned h = k.hashcode() % 1024;
        if (!_slots[h].used) { _slots[h].key = k; _slots[h].value = init; _slots[h].used = true; }
        return &_slots[h].value;
    }
  private:
    slot _slots[1024];
};"""


def element(cls: str, table: str, decls: str = "") -> dict[str, str]:
    lower = cls.lower()
    return {f"{lower}.hh": ELEMENT_HH.format(upper=cls.upper(), cls=cls, table=table, decls=decls),
            f"{lower}.cc": ELEMENT_CC.format(cls=cls, lower=lower)}


def test_user_table_named_mp_is_not_thread_safe(tmp_path):
    nf, _ = features(tmp_path, "fastclick",
                     element("HostTally", "CounterTableMP<IPAddress, Meter>", USER_TABLE_MP),
                     src=[CORPUS / "fastclick"])
    assert nf.stateful and nf.key == ["src_ip"]
    assert nf.sharing == "unsafe"


def test_framework_hashtablemp_is_thread_safe(tmp_path):
    """The control: the same element on FastClick's own HashTableMP."""
    nf, _ = features(tmp_path, "fastclick", element("HostTally", "HashTableMP<IPAddress, Meter>"),
                     src=[CORPUS / "fastclick"])
    assert nf.stateful and nf.key == ["src_ip"]
    assert nf.sharing == "thread-safe"


def test_user_class_named_like_a_framework_table_is_the_users():
    """A record the NF defines itself is not the framework's, whatever its name."""
    class Rec:
        def __init__(self, name, file):
            self.name, self.file = name, file

    class Index:
        records = {"HashTableMP": Rec("HashTableMP", "/src/mynf/mytables.hh")}
        typedefs: dict = {}

    tokens = ["HashTableMP", "<", "int", ",", "int", ">"]
    assert match.thread_safe_type(tokens)                  # spelled only: the framework's
    assert not match.thread_safe_type(tokens, Index())     # defined by the NF: its own
    Index.records = {"HashTableMP": Rec("HashTableMP", "/fc/include/click/hashtablemp.hh")}
    assert match.thread_safe_type(tokens, Index())         # resolved to the framework header
    assert not match.thread_safe_type(["FooMP"]) and not match.thread_safe_type(["clib_bihash_x"])
    assert match.thread_safe_type(["clib_bihash_16_8_t"])


# ---------------------------------------------------------------------------
# (b) container-looking names do not make an entry hold pointers
# ---------------------------------------------------------------------------

DPDK_ENTRY_NF = """// flowmage: entry entrynf_burst
#include <stdint.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

{decls}

struct entrynf_entry {{
	uint64_t packets;
	{member}
}};

static struct rte_hash *entrynf_index;
static struct entrynf_entry entrynf_entries[65536];

void
entrynf_burst(struct rte_mbuf **pkts, uint16_t n)
{{
	for (uint16_t i = 0; i < n; i++) {{
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(pkts[i], struct rte_ipv4_hdr *,
								  sizeof(struct rte_ether_hdr));
		uint32_t key = ip->src_addr;
		int32_t slot = rte_hash_lookup(entrynf_index, &key);
		if (slot < 0)
			slot = rte_hash_add_key(entrynf_index, &key);
		if (slot < 0)
			continue;
		struct entrynf_entry *e = &entrynf_entries[slot];
		e->packets++;
		{use}
	}}
}}
"""

SCALAR_STRUCTS = """struct FooVector { uint32_t first; uint32_t count; };
struct BarString { uint8_t len; uint8_t bytes[15]; };
struct my_list { uint16_t head; uint16_t tail; };"""


@pytest.mark.skipif(not _have_dpdk(), reason="pkg-config libdpdk not available")
def test_container_named_scalar_structs_are_not_pointers(tmp_path):
    nf, facts = features(tmp_path, "dpdk", {"entrynf.c": DPDK_ENTRY_NF.format(
        decls=SCALAR_STRUCTS,
        member="struct FooVector window; struct BarString label; struct my_list order;",
        use="e->window.count++; e->label.len = 1; e->order.tail++;")})
    assert nf.stateful and "src_ip" in nf.key
    assert nf.pointer is False
    assert not [f for f in facts.facts if f.kind == "pointer_field"]


@pytest.mark.skipif(not _have_dpdk(), reason="pkg-config libdpdk not available")
def test_plainly_named_struct_with_a_pointer_member_is_a_pointer(tmp_path):
    decls = "struct hop { uint32_t addr; struct hop *next; };\nstruct plain { struct hop *first; uint32_t n; };"
    nf, facts = features(tmp_path, "dpdk", {"entrynf.c": DPDK_ENTRY_NF.format(
        decls=decls, member="struct plain path;",
        use="if (e->path.first) e->path.first->addr = key;")})
    assert nf.stateful and nf.pointer is True
    assert any(f.kind == "pointer_field" and f.value.get("field") == "path"
               for f in facts.facts)


def test_plainly_named_member_holding_a_framework_container_is_nested(tmp_path):
    """A FastClick entry whose struct (no container-like name) holds a Vector."""
    decls = """struct Samples { Vector<uint32_t> sizes; };"""
    files = element("HostTally", "HashTable<IPAddress, Meter>", decls)
    hh = files["hosttally.hh"].replace("#include <click/hashtablemp.hh>",
                                       "#include <click/hashtable.hh>\n#include <click/vector.hh>")
    hh = hh.replace("uint64_t bytes;\n", "uint64_t bytes;\n        Samples recent;\n")
    files["hosttally.hh"] = hh
    files["hosttally.cc"] = files["hosttally.cc"].replace(
        "m->bytes += p->length();", "m->bytes += p->length();\n        m->recent.sizes.push_back(p->length());")
    nf, facts = features(tmp_path, "fastclick", files, src=[CORPUS / "fastclick"])
    assert nf.stateful and nf.pointer is True
    assert any(f.kind == "pointer_field" and f.value.get("field") == "recent" and f.value["nested"]
               for f in facts.facts)


def test_container_kind_is_exact():
    assert match.container_kind(["Vector", "<", "int", ">"]) == "array"
    assert match.container_kind(["std", "::", "unordered_map", "<", "int", ",", "int", ">"]) == "hashtable"
    for name in ("FooVector", "BarString", "my_list", "MyHashTable", "bitmap_t", "offset"):
        assert match.container_kind([name]) is None, name
    assert match.container_kind(["mylib", "::", "vector", "<", "int", ">"]) is None


# ---------------------------------------------------------------------------
# (c) thread identity is a taint source, not a variable name
# ---------------------------------------------------------------------------

DPDK_THREAD_NF = """// flowmage: entry tnf_burst
#include <stdint.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

struct tnf_slot {{
	struct rte_hash *index;
	uint64_t packets[4096];
}};

static struct tnf_slot tnf_slots[RTE_MAX_LCORE];

void
tnf_burst(struct rte_mbuf **pkts, uint16_t n)
{{
	for (uint16_t i = 0; i < n; i++) {{
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(pkts[i], struct rte_ipv4_hdr *,
								  sizeof(struct rte_ether_hdr));
		uint32_t key = ip->dst_addr;
		{pick}
		struct tnf_slot *s = &tnf_slots[{index}];
		int32_t at = rte_hash_lookup(s->index, &key);
		if (at < 0)
			at = rte_hash_add_key(s->index, &key);
		if (at >= 0)
			s->packets[at & 4095]++;
	}}
}}
"""


@pytest.mark.skipif(not _have_dpdk(), reason="pkg-config libdpdk not available")
def test_local_named_tid_holding_a_packet_hash_is_not_per_core(tmp_path):
    nf, _ = features(tmp_path, "dpdk", {"tnf.c": DPDK_THREAD_NF.format(
        pick="unsigned tid = (ip->src_addr ^ ip->dst_addr) % RTE_MAX_LCORE;", index="tid")})
    assert nf.stateful and "dst_ip" in nf.key
    assert nf.sharing != "per-core"


@pytest.mark.skipif(not _have_dpdk(), reason="pkg-config libdpdk not available")
@pytest.mark.parametrize("pick", ["unsigned xyz = rte_lcore_id();",
                                  "unsigned w = rte_lcore_id(); unsigned xyz = w;"])
def test_local_named_xyz_holding_the_lcore_id_is_per_core(tmp_path, pick):
    nf, _ = features(tmp_path, "dpdk", {"tnf.c": DPDK_THREAD_NF.format(pick=pick, index="xyz")})
    assert nf.stateful and "dst_ip" in nf.key
    assert nf.sharing == "per-core"


VPP_NODE = """#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{{
  clib_bihash_8_8_t by_host;
  u64 hits;
}} hostslot_t;

typedef struct
{{
  hostslot_t *slots;
}} hostslot_main_t;

hostslot_main_t hostslot_main;

VLIB_NODE_FN (hostslot_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{{
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];
  {pick}
  hostslot_t *hs = vec_elt_at_index (hostslot_main.slots, xyz);
  for (u32 i = 0; i < frame->n_vectors; i++)
    {{
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      clib_bihash_kv_8_8_t kv, hit;
      nexts[i] = 0;
      kv.key = ip->src_address.as_u32;
      kv.value = 1;
      if (clib_bihash_search_8_8 (&hs->by_host, &kv, &hit))
        clib_bihash_add_del_8_8 (&hs->by_host, &kv, 1);
      hs->hits++;
    }}
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}}

VLIB_REGISTER_NODE (hostslot_node) = {{
  .name = "hostslot",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = {{ [0] = "ip4-lookup" }},
}};
"""


@pytest.mark.parametrize("pick, per_core", [
    ("u32 xyz = vm->thread_index;", True),
    ("u32 xyz = vlib_get_thread_index ();", True),
    ("u32 thread_index = vlib_frame_vector_args (frame)[0] & 7; u32 xyz = thread_index;", False),
])
def test_vpp_thread_index_taint(tmp_path, pick, per_core):
    nf, facts = features(tmp_path, "vpp", {"node.c": VPP_NODE.format(pick=pick)},
                         src=[CORPUS / "vpp"])
    assert nf.stateful and nf.key == ["src_ip"]
    state = [f for f in facts.facts if f.kind == "state" and f.value.get("container") == "by_host"]
    assert state and bool(state[0].value["per_core"]) is per_core


@pytest.mark.parametrize("expr, expected", [
    ("rte_lcore_id ( )", True), ("click_current_cpu_id ( )", True),
    ("vlib_get_thread_index ( )", True), ("os_get_thread_index ( )", True),
    ("rte_lcore_index ( -1 )", True), ("pthread_self ( )", True), ("sched_getcpu ( )", True),
    ("vm -> thread_index", True),
    ("tid", False), ("cpu_id", False), ("my_thread", False), ("lcore_id", False),
    ("get_id ( )", False), ("my_rte_lcore_id ( )", False),
])
def test_thread_id_sources(expr, expected):
    assert match.thread_id_source(expr.split()) is expected


def test_thread_index_member_of_a_user_struct_is_not_a_thread_id():
    assert match.thread_id_source("s -> thread_index".split(), {"s": ["my_session_t", "*"]}) is False
    assert match.thread_id_source("vm -> thread_index".split(), {"vm": ["vlib_main_t", "*"]})


def test_every_row_names_a_declaration():
    """Rows are reviewable: a name without wildcards, a known role; thread-id rows
    name a header."""
    for r in ROWS:
        plain = r.name[len("operator"):].strip() if r.name.startswith("operator") else r.name
        assert plain and not any(c in plain for c in "*? "), r
        assert r.name.startswith("operator") or not any(c in r.name for c in "[]"), r
        if r.role == THREAD_ID:
            assert r.header, r


# ---------------------------------------------------------------------------
# locks and atomics: framework calls, exactly
# ---------------------------------------------------------------------------

def test_lock_calls_are_framework_calls():
    from flowmagec.passes import source_sharing as sh
    assert sh.is_lock_call("clib_spinlock_lock") and sh.is_unlock_call("rte_spinlock_unlock")
    assert sh.is_lock_call("pthread_mutex_lock")
    assert not sh.is_lock_call("my_table_lock") and not sh.is_unlock_call("flow_unlock")
    # a method: FastClick Spinlock::acquire on a Spinlock member, not on the NF's own class
    assert sh.is_lock_call("acquire", ["Spinlock"])
    assert not sh.is_lock_call("acquire", ["TicketCounter"])
    assert sh.is_atomic_call("__atomic_add_fetch") and sh.is_atomic_call("fetch_and_add",
                                                                          ["atomic_uint32_t"])
    assert not sh.is_atomic_call("my_atomic_add") and not sh.is_atomic_call("fetch_and_add",
                                                                              ["Tally"])


# ---------------------------------------------------------------------------
# analyses, not pass-to-pass imports
# ---------------------------------------------------------------------------

def test_no_pass_module_imports_another_pass_module():
    """Shared logic is reached through ``passes.analyses``; a module defining a fact
    pass does not import another module defining one (at any depth of its code)."""
    import ast
    passes_dir = Path(__file__).resolve().parent.parent / "passes"
    trees = {p.stem: ast.parse(p.read_text()) for p in passes_dir.glob("*.py")}

    def defines_pass(tree) -> bool:
        return any(isinstance(n, ast.ClassDef) and any(
            getattr(b, "id", None) == "Pass" for b in n.bases) for n in tree.body)

    pass_modules = {m for m, t in trees.items() if defines_pass(t)}
    assert {"source_state", "source_writes", "source_pointer", "ir_pointer"} <= pass_modules
    for mod in sorted(pass_modules):
        for n in ast.walk(trees[mod]):
            if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module:
                assert n.module.split(".")[0] not in pass_modules - {mod}, (mod, n.module)


def test_nf_function_named_like_a_thread_id_call_is_the_nfs():
    class Fn:
        def __init__(self, file):
            self.file = file

    class Index:
        records: dict = {}
        typedefs: dict = {}

        def functions_named(self, name):
            return [Fn("/src/mynf/util.c")] if name == "rte_lcore_id" else []

    assert match.thread_id_source("rte_lcore_id ( )".split())
    assert not match.thread_id_source("rte_lcore_id ( )".split(), None, Index())
    assert match.thread_id_source("sched_getcpu ( )".split(), None, Index())
