"""Data flow over a unit's IR: packet-header pointers, header-field taint, keyed
lookups and the state memory they return.

An abstract value per SSA value, computed by a small fixpoint over the
per-packet functions (and their callees in the module, through parameters):

- ``Hdr(layer, offset, record)``: a pointer ``offset`` bytes into a packet
  header of ``layer`` (``ip4``, ``l4``, ``ether``, ``frame`` = Ethernet+IPv4
  from the start of the packet data, or None when unknown).  Sources: calls to
  header accessors (``ip_header``, ``transport_header``,
  ``vlib_buffer_get_current``...), instructions inlined from them (their
  ``!dbg`` scope names the accessor), and values whose ``#dbg_value``
  variable is declared as a header-struct pointer (how DPDK's
  ``rte_pktmbuf_mtod`` macro results and plain-C casts are recognised), and
  byte-buffer parameters of an entry point (``const uint8_t *l3``) read at
  fixed offsets, whose layer is the one those (offset, width) reads fit
  (``raw_layer``: 4 bytes at 12 and 2 at 22 are an IPv4 header's source
  address and destination port).
- ``Taint(fields, sym)``: data loaded from a header field (by the header
  struct's debug layout, else the standard IPv4/L4/Ethernet offsets), from
  buffer metadata (``vnet_buffer(b)->ip.reass.l4_src_port``) or an annotation
  accessor, and everything computed from it (also through hash intrinsics
  such as crc32).  ``sym`` marks a direction-free key part: min/max/xor/sum
  of a field and its other-direction twin, a select/phi ordering them, or one
  key slot filled with either direction on two branches.
- memory taint: an object a tainted value (or a pointer to tainted memory)
  was stored or copied into: locals and parameters by identity, other memory
  by member path (``this->_tables->hashes``) so that functions agree.

Calls through the vtable on ``this`` are resolved with the unit's own class
vtable (``ir_module``), so ``IFlowManager::push_batch`` reaches the
element's ``calculate_hash`` override.

Sinks are keyed lookups: calls of ``KEYED_METHODS`` on an object, library
table calls (``TABLE_CALLS``) and GEPs indexing a non-local array with a
tainted index.  Each lookup records the container (named through the debug
layouts: ``this->_flows`` -> ``_flows``), the key fields, and the values that
carry its result (state memory for the write pass).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import networkx as nx

from . import header_fields as hf
from .ir_module import (GEP_TYPE_RE, IRFunction, IRModule, Ins, ir_module, per_packet, source_hint,
                        unmangle_global)
from .source_dataflow import COPY_CALLS, KEYED_METHODS, TABLE_CALLS
from .knowledge import names as _knowledge_names
from .knowledge.schema import PACKET as _PACKET

PACKET_TYPES = _knowledge_names(_PACKET)    # (framework knowledge: passes/knowledge)

# Standard byte offsets -> field, per layer, for when no debug layout is known.
STANDARD_OFFSETS: dict[str, dict[int, tuple[str, int]]] = {
    # 20/22: the transport ports right after an option-less IPv4 header
    "ip4": {12: ("src_ip", 4), 16: ("dst_ip", 4), 9: ("protocol", 1), 4: ("ip_id", 2),
            1: ("tos", 1), 20: ("src_port", 2), 22: ("dst_port", 2)},
    "l4": {0: ("src_port", 2), 2: ("dst_port", 2)},
    "ether": {0: ("dst_mac", 6), 6: ("src_mac", 6), 12: ("ethertype", 2)},
    "frame": {0: ("dst_mac", 6), 6: ("src_mac", 6), 26: ("src_ip", 4), 30: ("dst_ip", 4),
              23: ("protocol", 1), 18: ("ip_id", 2), 34: ("src_port", 2),
              36: ("dst_port", 2)},
}
for _l4 in ("tcp", "udp"):
    STANDARD_OFFSETS[_l4] = STANDARD_OFFSETS["l4"]
STANDARD_OFFSETS["ip"] = STANDARD_OFFSETS["ip4"]
# Where a raw byte buffer may start, best first on a tie (a frame also holds the MACs).
RAW_LAYERS = ("frame", "ip4", "l4", "ether")

# Accessors whose result is the start of the packet data (layer from the declared type).
DATA_ACCESSORS = {"data", "buffer", "vlib_buffer_get_current", "rte_pktmbuf_mtod",
                  "rte_pktmbuf_mtod_offset"}
# ... of which these point wherever the framework's parsing left off (VPP: the
# IP header in an ip4 node); the others point at the Ethernet frame.
CURRENT_ACCESSORS = {"vlib_buffer_get_current"}
PACKET_OWNERS = ("Packet", "WritablePacket")
INT_OPS = {"zext", "sext", "trunc", "shl", "lshr", "ashr", "and", "or", "add", "sub", "mul",
           "urem", "srem", "udiv", "xor", "bitcast", "freeze", "ptrtoint", "inttoptr",
           "fshl", "fshr"}
SYM_OPS = {"xor", "add"}
MINMAX = ("llvm.umin", "llvm.umax", "llvm.smin", "llvm.smax")
# Intrinsics that compute nothing from their arguments (the others -- crc32,
# bswap, rotates -- carry the taint of their inputs to their result).
NON_VALUE_INTRINSICS = ("llvm.lifetime", "llvm.dbg", "llvm.memset", "llvm.assume",
                        "llvm.prefetch", "llvm.expect", "llvm.objectsize")
# Library calls whose result is a byte count or status, not a value computed from
# their arguments (``sprintf(buf, "%02x", *data)`` returns 2 whatever the byte).
COUNT_RESULT_CALLS = ("strlen", "strnlen", "fwrite", "fputs", "puts", "write")
PASS_THROUGH = {"bitcast", "addrspacecast", "freeze"}
# Container methods: the source passes' keyed methods plus FastClick HashMap's findp.
TABLE_METHODS = KEYED_METHODS | {"findp", "find_force", "lookup"}
# Calls whose pointer arguments are inputs (key, value to insert), not results.
INSERT_WORDS = ("set", "insert", "emplace", "add", "put", "update")
PAIRS = [("src_ip", "dst_ip"), ("src_port", "dst_port"), ("src_mac", "dst_mac")]


@dataclass(frozen=True)
class Hdr:
    layer: Optional[str]
    offset: Optional[int]
    record: Optional[str] = None     # header struct name when declared


@dataclass(frozen=True)
class Taint:
    fields: frozenset
    sym: bool = False

    def __or__(self, other: "Taint") -> "Taint":
        return Taint(self.fields | other.fields, self.sym or other.sym)


@dataclass
class Lookup:
    """One keyed access to a container on the per-packet path."""
    fn: IRFunction
    ins: Ins
    container: str
    fields: frozenset
    sym: bool
    how: str                              # 'call X' | 'index' | 'inlined X'
    results: set = field(default_factory=set)   # ValueRefs carrying the result
    holders: set = field(default_factory=set)   # local memory the result is written to

    @property
    def inserts(self) -> bool:
        """An insertion (``set``/``insert``/``add_del``/``find_insert``...)."""
        name = self.how.split(" ", 1)[-1].lower()
        return any(w in name for w in INSERT_WORDS)


def _dominates(fn: IRFunction, a: str, b: str) -> bool:
    """Block ``a`` dominates block ``b`` in ``fn``'s CFG (dominator tree cached per function)."""
    idom = fn.__dict__.get("_idom")
    if idom is None:
        g = fn.cfg
        idom = fn.__dict__["_idom"] = (nx.immediate_dominators(g, fn.entry)
                                       if fn.entry in g else {})
    seen = 0
    while b in idom and seen < 10000:
        if b == a:
            return True
        if idom[b] == b:
            return False
        b, seen = idom[b], seen + 1
    return b == a


def has_pair(fields) -> bool:
    return any(a in fields and b in fields for a, b in PAIRS)


class HeaderLayouts:
    """Header field of a (layer, record, offset, size) access."""

    def __init__(self, mod: IRModule):
        self.mod = mod

    def fields_at(self, hdr: Hdr, size: int) -> set[str]:
        if hdr.offset is None:
            return set()
        out = set()
        comp = self.mod.debug.composite(hdr.record) if hdr.record else None
        if comp is not None and self.mod.debug.members(comp):
            layer = hdr.layer or hf.HEADER_STRUCTS.get(hdr.record)
            for name in self._member_names(comp, hdr.offset, size, 0):
                out |= hf.fields_of(layer, name)
            return out
        table = STANDARD_OFFSETS.get(hdr.layer or "", {})
        for off, (name, width) in table.items():
            if self._reads_field(hdr.offset, size, off, width):
                out.add(name)
        return out

    @staticmethod
    def _reads_field(start: int, size: int, off: int, width: int) -> bool:
        """Without a struct layout, an access names a standard field when it covers
        the whole field, or a 2-byte-or-wider part of it (a masked address); a
        single byte inside a wider field (``data()[1]`` of a non-Ethernet
        payload) is more likely some other protocol's header than a MAC."""
        if not (off < start + size and start < off + width):
            return False
        return (start <= off and off + width <= start + size) or size >= 2


    def _member_names(self, comp, offset: int, size: int, base: int, depth: int = 0) -> list[str]:
        """Names of the members overlapping [offset, offset+size), looking inside
        anonymous unions/structs (glibc's ``tcphdr`` wraps its fields in one)."""
        out = []
        debug = self.mod.debug
        for m in debug.members(comp):
            start = base + m.offset
            if not (start < offset + size and offset < start + max(m.size, 1)):
                continue
            if m.name:
                out.append(m.name)
            elif depth < 4:
                inner = debug.strip_qualifiers(m.type_id)
                out += self._member_names(inner, offset, size, start, depth + 1)
        return out


def layer_of_record_names(names: list[str]) -> tuple[Optional[str], Optional[str]]:
    """(layer, record name) of a type named like a header struct."""
    for n in names:
        if n in hf.HEADER_STRUCTS and n != "ip":
            return hf.HEADER_STRUCTS[n], n
    return None, None


def returns_count(simple: str) -> bool:
    """The printf family and friends: their result says how much, not what."""
    return simple.endswith("printf") or simple in COUNT_RESULT_CALLS


def raw_accesses(fn: IRFunction, start) -> list[tuple[int, int]]:
    """(byte offset, width) of the loads at constant offsets from pointer ``start``
    (through byte GEPs and casts): how code reads a buffer it has no struct for."""
    out, todo, seen = [], [(start, 0)], set()
    while todo:
        v, off = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        for ins in fn.ins:
            ops = ins.operands
            if not ops or ops[0] != v:
                continue
            if ins.opcode in PASS_THROUGH:
                todo.append((ins.ref, off))
            elif ins.opcode == "getelementptr" and len(ops) == 2 and ops[1].is_constant:
                m = GEP_TYPE_RE.search(ins.text)
                width = {"i8": 1, "i16": 2, "i32": 4, "i64": 8}.get(m.group(1) if m else "")
                if width:
                    todo.append((ins.ref, off + width * ops[1].get_constant_value()))
            elif ins.opcode == "load":
                m = re.search(r"= load (?:volatile )?i(\d+)", ins.text)
                if m:
                    out.append((off, int(m.group(1)) // 8))
    return out


def raw_layer(accesses: list[tuple[int, int]]) -> Optional[str]:
    """The header a raw buffer starts with: the layer whose standard fields the
    accesses hit exactly (offset and width), e.g. loads of 4 bytes at 12 and 2 at
    22 fit an IPv4 header (source address, destination port), not a frame."""
    def fit(layer: str) -> int:
        table = STANDARD_OFFSETS[layer]
        return sum(1 for off, width in set(accesses) if table.get(off, (None, 0))[1] == width)
    scores = {layer: fit(layer) for layer in RAW_LAYERS}
    best = max(RAW_LAYERS, key=lambda l: scores[l])     # first on a tie
    return best if scores[best] > 0 else None


class FlowAnalysis:
    """Abstract interpretation of the per-packet functions (see module doc)."""

    MAX_ROUNDS = 4

    def __init__(self, unit, ctx, container_names: set[str]):
        self.unit = unit
        self.mod = ir_module(unit, ctx)
        self.pp = per_packet(unit, ctx)
        self.layouts = HeaderLayouts(self.mod)
        self.known_containers = container_names
        self.env: dict = {}                 # ValueRef -> Hdr | Taint
        self.mem: dict = {}                 # root ValueRef -> Taint
        self.params: dict = {}              # (fn name, arg index) -> Hdr | Taint
        self.lookups: dict = {}             # (fn name, ins index) -> Lookup
        self.slots: dict = {}               # (memory, byte offset) -> Taint stored there
        self._paths: dict = {}              # (fn, value) -> path names
        self._mem_keys: dict = {}           # (fn, pointer) -> abstract location
        self.fn_of: dict = {}

    # ------------------------------------------------------------ helpers
    def root(self, fn: IRFunction, v):
        """The object a pointer points into: follow GEPs and casts to their base."""
        for _ in range(32):
            ins = fn.value_of(v)
            if ins is None or ins.opcode not in ("getelementptr", *PASS_THROUGH):
                return v
            v = ins.operands[0]
        return v

    def gep_offset(self, fn: IRFunction, ins: Ins) -> tuple[Optional[int], list[str]]:
        """(constant byte offset or None, member names stepped through) of a GEP."""
        off, steps = self.gep_steps(fn, ins)
        return off, [m.name if m is not None else "[]" for _, m in steps]

    def gep_steps(self, fn: IRFunction, ins: Ins) -> tuple[Optional[int], list]:
        """(constant byte offset or None, [(record DI id or None, Member or None for an
        array step)]) of a GEP, members named through the debug layouts."""
        cached = ins.__dict__.get("_gep_steps")
        if cached is None:
            cached = ins.__dict__["_gep_steps"] = self._gep_steps(fn, ins)
        return cached

    def _gep_steps(self, fn: IRFunction, ins: Ins) -> tuple[Optional[int], list]:
        m = GEP_TYPE_RE.search(ins.text)
        if not m:
            return None, []
        ty_text = m.group(1)
        ops = ins.operands[1:]
        consts = [o.get_constant_value() if o.is_constant else None for o in ops]
        if not consts:
            return None, []
        steps: list = []
        arrays = 0
        while ty_text.startswith("["):          # [N x [M x %struct.T]]: one index per layer
            m2 = re.match(r"\[\d+ x (.*)\]$", ty_text)
            if not m2:
                return None, []
            ty_text, arrays = m2.group(1).strip(), arrays + 1
        if arrays:
            if not ty_text.startswith("%") or len(consts) < arrays + 1:
                return None, [(None, None)] * min(len(consts), arrays + 1)
            steps = [(None, None)] * (arrays + 1)
            consts = [0] + consts[arrays + 1:]
            ty = self.mod.struct_type(ty_text)
            record = self.mod.record_name(ty_text)
            if ty is None:
                return None, steps
            off, inner = self._struct_steps(ty, record, consts)
            return None, steps + inner
        if ty_text.startswith("%"):
            ty = self.mod.struct_type(ty_text)
            record = self.mod.record_name(ty_text)
        else:
            width = {"i8": 1, "i16": 2, "i32": 4, "i64": 8, "ptr": 8}.get(ty_text)
            if width is None or consts[0] is None:
                return None, []
            return consts[0] * width, []
        if ty is None:
            return None, []
        off: Optional[int] = 0
        steps.append((None, None))          # one step per index: the first walks the pointer
        if consts[0] != 0:
            off = None if consts[0] is None else consts[0] * self.mod.size_of(ty)
        inner_off, inner = self._struct_steps(ty, record, consts)
        return (None if off is None or inner_off is None else off + inner_off), steps + inner

    def _struct_steps(self, ty, record: Optional[str], consts: list) -> tuple[Optional[int], list]:
        """Offset and (record, member) steps of GEP indices after the first, into ``ty``."""
        steps: list = []
        off: Optional[int] = 0
        cur, comp = ty, self.mod.debug.composite(record) if record else None
        for c in consts[1:]:
            if cur.is_struct:
                if c is None:
                    return None, steps
                elem_off = self.mod.target.get_element_offset(cur, c)
                mem = self.mod.debug.member_at(comp, elem_off) if comp is not None else None
                steps.append((comp, mem))
                if mem is not None:
                    inner = self.mod.debug.strip_qualifiers(mem.type_id)
                    comp = inner if self.mod.debug.kind(inner) == "DICompositeType" else None
                else:
                    comp = None
                if off is not None:
                    off += elem_off
                cur = list(cur.elements)[c]
            elif cur.is_array or cur.is_vector:
                elem = list(cur.elements)[0]
                steps.append((None, None))
                if off is not None:
                    off = None if c is None else off + c * self.mod.size_of(elem)
                cur, comp = elem, None
            else:
                return None, steps
        return off, steps

    def path(self, fn: IRFunction, v, depth: int = 0) -> list[str]:
        """Names from the root object to ``v`` (memoised; cycles through phis cut)."""
        key = (fn.name, v)
        if key not in self._paths:
            self._paths[key] = []            # in progress: a phi cycle sees no path
            self._paths[key] = self._path(fn, v, depth)
        return self._paths[key]

    def _path(self, fn: IRFunction, v, depth: int = 0) -> list[str]:
        """Names from the root object to ``v``: ``['flowstat_main', 'per_thread_data', '[]', 'table']``."""
        if depth > 24:
            return []
        ins = fn.value_of(v)
        if ins is None:
            name = getattr(v, "name", "") or ""
            if not name and getattr(v, "is_constant", False):
                return self.const_gep_path(v)
            if name and self.mod.global_record(name) is not None:
                # ``&g.first_member`` is ``@g`` itself: name the members at offset 0 too
                return [name] + self.first_members(self.mod.global_record(name))
            return [name] if name else []
        if ins.opcode == "load" and fn.value_of(ins.operands[0]) is None:
            # a load straight from a global reads its first member (no GEP for offset 0)
            g = ins.operands[0]
            first = self.mod.debug.member_at(self.mod.global_record(getattr(g, "name", "")), 0)
            return self.path(fn, g, depth + 1) + ([first.name] if first else [])
        if ins.opcode == "getelementptr":
            _, names = self.gep_offset(fn, ins)
            if all(n == "[]" for n in names) and self._member_like(ins.name):
                names = [self._member_like(ins.name)]     # ``%_counts = gep i8, %this, 8``
            return self.path(fn, ins.operands[0], depth + 1) + names
        if ins.opcode in PASS_THROUGH or ins.opcode == "load":
            return self.path(fn, ins.operands[0], depth + 1)
        if ins.opcode in ("phi", "select"):      # ``_shared ? _table->hash : _tables->hash``
            for o in (ins.operands[1:] if ins.opcode == "select" else ins.operands):
                p = self.path(fn, o, depth + 1)
                if len(p) > 1:
                    return p
        if ins.opcode in ("call", "invoke"):
            c = fn.callee(ins)
            name = c.simple if isinstance(c, IRFunction) else str(c or "")
            return [name.split("(")[0] + "()"]
        return [ins.name.lstrip("%")] if ins.name else []

    def first_members(self, record) -> list[str]:
        out = []
        for _ in range(8):
            m = self.mod.debug.member_at(record, 0)
            if m is None:
                break
            out.append(m.name)
            record = self.mod.debug.strip_qualifiers(m.type_id)
        return out

    def const_gep_path(self, v) -> list[str]:
        """Path of a constant ``getelementptr (%struct.T, ptr @g, i64 0, i32 k)`` operand."""
        m = re.search(r"getelementptr (?:inbounds )?\((%\S+), ptr @([-\w.$]+)((?:, i\d+ -?\d+)*)\)",
                      str(v))
        if not m:
            return []
        ty = self.mod.struct_type(m.group(1))
        idx = [int(x) for x in re.findall(r"i\d+ (-?\d+)", m.group(3))]
        comp = self.mod.debug.composite(self.mod.record_name(m.group(1)))
        names = [m.group(2)]
        for c in idx[1:]:
            if ty is None or not ty.is_struct:
                break
            mem = self.mod.debug.member_at(comp, self.mod.target.get_element_offset(ty, c))
            if mem is None:
                break
            names.append(mem.name)
            inner = self.mod.debug.strip_qualifiers(mem.type_id)
            comp = inner if self.mod.debug.kind(inner) == "DICompositeType" else None
            ty = list(ty.elements)[c]
        return names

    @staticmethod
    def _member_like(value_name: str) -> str:
        """``%_counts.i`` -> ``_counts``; numbered temporaries and ``arrayidx``-style
        names clang makes up say nothing."""
        n = re.sub(r"(\.i\d*|\.\d+)+$", "", value_name.lstrip("%"))
        generated = ("arrayidx", "add.ptr", "incdec.ptr", "arraydecay", "call", "cond", "retval")
        return "" if not n or n[0].isdigit() or n.startswith(generated) else n

    def container_name(self, fn: IRFunction, v, depth: int = 0) -> str:
        """The member/global a container pointer names, as the source passes spell it."""
        root = self.base_object(fn, v)
        if root in fn.args and getattr(root, "name", "") != "this" and depth < 4:
            # a table passed by reference (``on_control(HashTable &t, ...)``): the caller's name
            i = fn.args.index(root)
            for caller, site in self.call_sites(fn):
                args = site.operands
                if i < len(args) - 1:
                    name = self.container_name(caller, args[i], depth + 1)
                    if name:
                        return name
        parts = [p for p in self.path(fn, v) if p and p not in ("this", "[]")]
        parts = [re.sub(r"\.(i|\d+)(\.i\d*)*$", "", p) for p in parts]
        parts = [unmangle_global(p) for p in parts]
        for p in reversed(parts):      # innermost member the source passes also name
            if p in self.known_containers:
                return p
        return parts[-1] if parts else ""

    def base_object(self, fn: IRFunction, v):
        """Like ``root`` but also through loads: the argument/global/alloca a path starts at."""
        for _ in range(32):
            ins = fn.value_of(v)
            if ins is None or ins.opcode not in ("getelementptr", "load", *PASS_THROUGH):
                return v
            v = ins.operands[0]
        return v

    def call_sites(self, callee: IRFunction) -> list[tuple[IRFunction, Ins]]:
        out = []
        for caller_name in self.mod.call_graph.predecessors(callee.name):
            caller = self.mod.functions[caller_name]
            out += [(caller, i) for i in caller.ins if caller.callee(i) is callee]
        return out

    def is_local(self, fn: IRFunction, v) -> bool:
        ins = fn.value_of(self.root(fn, v))
        return ins is not None and ins.opcode == "alloca"

    def in_local_object(self, fn: IRFunction, v) -> bool:
        """``v`` points into a buffer held by a local object (a ``StringAccum``'s
        characters, a local vector): scratch memory of this packet, not a table."""
        ins = fn.value_of(self.base_object(fn, v))
        return ins is not None and ins.opcode == "alloca"

    # ------------------------------------------------------------ sources
    def declared_header(self, fn: IRFunction, value_name: str) -> Optional[Hdr]:
        """A header pointer by the declared type of the variable the value is bound to."""
        for var in fn.declared.get(value_name, []):
            _, tid = self.mod.debug.local_variable(var)
            pointee = self.mod.debug.pointee(tid)
            if pointee is None:
                continue
            layer, record = layer_of_record_names(self.mod.debug.type_names(pointee))
            if layer:
                return Hdr(layer, 0, record)
        return None

    def accessor_result(self, fn: IRFunction, ins: Ins) -> Optional[Hdr]:
        """An instruction inlined from a header accessor whose value leaves the accessor."""
        chain = self.mod.debug.inline_chain(ins.dbg)
        if not chain or not chain[0][0]:
            return None
        acc = chain[0][0]
        if acc not in hf.HEADER_ACCESSORS and acc not in DATA_ACCESSORS:
            return None
        if ins.opcode not in ("load", "getelementptr", "select", "phi"):
            return None
        if not str(ins.ref.type) == "ptr":
            return None
        if acc in DATA_ACCESSORS:
            return Hdr(None if acc in CURRENT_ACCESSORS else "frame", 0)
        return Hdr(hf.HEADER_ACCESSORS.get(acc), 0)

    def metadata_field(self, fn: IRFunction, ins: Ins) -> Optional[str]:
        """Header fields kept in buffer metadata (``vnet_buffer(b)->ip.reass.l4_src_port``)
        or read through a packet-annotation accessor (``p->dst_ip_anno()``, inlined)."""
        if "_meta" not in ins.__dict__:
            ins.__dict__["_meta"] = self._metadata_field(fn, ins)
        return ins.__dict__["_meta"]

    def _metadata_field(self, fn: IRFunction, ins: Ins) -> Optional[str]:
        if str(ins.ref.type) == "ptr":
            return None
        chain = self.mod.debug.inline_chain(ins.dbg)
        if chain and chain[0][0] in hf.ANNOTATION_FIELDS:
            return hf.ANNOTATION_FIELDS[chain[0][0]]
        addr = fn.value_of(ins.operands[0])
        while addr is not None and addr.opcode in PASS_THROUGH:
            addr = fn.value_of(addr.operands[0])
        if addr is None or addr.opcode != "getelementptr":
            return None
        _, steps = self.gep_steps(fn, addr)
        named = [m.name for _, m in steps if m is not None]
        # anonymous records (``struct { ... } reass``) have no debug name to look up;
        # the GEP keeps the member's name as its value name
        last = named[-1] if named else re.sub(r"(\.i\d*|\d+)+$", "", addr.name.lstrip("%"))
        return hf.METADATA_FIELDS.get(last)

    def call_source(self, fn: IRFunction, ins: Ins, callee) -> Optional[Hdr]:
        name = callee.qualname if isinstance(callee, IRFunction) else str(callee)
        simple = re.sub(r"\(.*$", "", name).rsplit("::", 1)[-1]
        owner = re.sub(r"\(.*$", "", name).rsplit("::", 1)[0] if "::" in name else ""
        if simple in hf.HEADER_ACCESSORS and hf.HEADER_ACCESSORS[simple]:
            return Hdr(hf.HEADER_ACCESSORS[simple], 0)
        if simple in DATA_ACCESSORS and (not owner or owner.endswith(PACKET_OWNERS)):
            return Hdr(None if simple in CURRENT_ACCESSORS else "frame", 0)
        return None

    # ------------------------------------------------------------ transfer
    def get(self, fn: IRFunction, v):
        if v in self.env:
            return self.env[v]
        if v in fn.args:
            return self.params.get((fn.name, fn.args.index(v)))
        return None

    def set(self, v, val) -> bool:
        if val is None:
            return False
        old = self.env.get(v)
        if isinstance(old, Taint) and isinstance(val, Taint):
            val = old | val
        elif isinstance(old, Hdr) and isinstance(val, Hdr):
            if old.layer and not val.layer:
                val = old
        if old == val:
            return False
        self.env[v] = val
        return True

    def taint_of(self, fn: IRFunction, v) -> Optional[Taint]:
        val = self.get(fn, v)
        return val if isinstance(val, Taint) else None

    def mem_key(self, fn: IRFunction, ptr):
        """Abstract location of the memory ``ptr`` points into: a local object or a
        parameter by identity; anything else (``this->_tables->hashes[i]``) by its
        member path, so that per-packet functions reading it elsewhere agree."""
        key = (fn.name, ptr)
        if key not in self._mem_keys:
            self._mem_keys[key] = self._mem_key(fn, ptr)
        return self._mem_keys[key]

    def _mem_key(self, fn: IRFunction, ptr):
        r = self.root(fn, ptr)
        if r in fn.args:
            return (fn.name, fn.args.index(r))
        d = fn.value_of(r)
        if d is None or d.opcode == "alloca":
            return r
        names = tuple(p for p in self.path(fn, ptr) if p != "[]")
        return ("path", names) if len(names) > 1 else r

    def pointee_taint(self, fn: IRFunction, v) -> Optional[Taint]:
        """Taint of the memory a pointer argument points to."""
        return self.mem.get(self.mem_key(fn, v))

    def add_mem(self, fn: IRFunction, ptr, t: Taint) -> bool:
        key = self.mem_key(fn, ptr)
        old = self.mem.get(key)
        new = t if old is None else old | t
        if new == old:
            return False
        self.mem[key] = new
        return True

    def step(self, fn: IRFunction, ins: Ins) -> bool:
        op, ops = ins.opcode, ins.operands
        changed = False
        declared = self.declared_header(fn, ins.name) if ins.name else None
        if op == "getelementptr":
            base = self.get(fn, ops[0])
            if isinstance(base, Hdr):
                off, _ = self.gep_offset(fn, ins)
                if off is not None and base.offset is not None:
                    changed |= self.set(ins.ref, Hdr(base.layer, base.offset + off, base.record))
                elif base.layer in ("ip4", "ip") and base.offset == 0:
                    changed |= self.set(ins.ref, Hdr("l4", 0))     # ip + ihl*4
                elif base.layer is None and base.offset is not None:
                    changed |= self.set(ins.ref, Hdr(None, None))
            else:
                changed |= self._index_sink(fn, ins)
        elif op in PASS_THROUGH or op in ("select", "phi"):
            vals = [self.get(fn, o) for o in (ops[1:] if op == "select" else ops)]
            hdrs = [v for v in vals if isinstance(v, Hdr)]
            taints = [v for v in vals if isinstance(v, Taint)]
            if hdrs:
                changed |= self.set(ins.ref, hdrs[0])
            elif taints:
                t = taints[0]
                for x in taints[1:]:
                    t = t | x
                if self._orders_directions(fn, ins, taints):
                    t = Taint(t.fields, True)
                changed |= self.set(ins.ref, t)
        elif op == "load":
            src = self.get(fn, ops[0])
            meta = self.metadata_field(fn, ins)
            if meta:
                changed |= self.set(ins.ref, Taint(frozenset({meta})))
            elif isinstance(src, Hdr) and str(ins.ref.type) != "ptr":
                size = self._load_size(ins)
                fields = self.layouts.fields_at(src, size)
                if fields:
                    changed |= self.set(ins.ref, Taint(frozenset(fields)))
            elif not isinstance(src, Hdr):
                t = self.pointee_taint(fn, ops[0])
                if t is not None and str(ins.ref.type) != "ptr":
                    changed |= self.set(ins.ref, t)
        elif op == "store":
            t = self.taint_of(fn, ops[0])
            if t is None and str(ops[0].type) == "ptr" and not isinstance(self.get(fn, ops[0]), Hdr):
                t = self.pointee_taint(fn, ops[0])     # key_array[i] = &hashes[i]: one level down
            if t is not None and not isinstance(self.get(fn, ops[1]), Hdr):
                if self._stores_other_direction(fn, ops[1], t, ins.block):
                    t = Taint(t.fields, True)
                changed |= self.add_mem(fn, ops[1], t)
        elif op in INT_OPS:
            taints = [t for t in (self.taint_of(fn, o) for o in ops) if t is not None]
            if taints:
                t = taints[0]
                for x in taints[1:]:
                    t = t | x
                if op in SYM_OPS and len(taints) == 2 and self._crosses(taints) \
                        and all(self._is_raw(fn, o) for o in ops):
                    t = Taint(t.fields, True)
                changed |= self.set(ins.ref, t)
        elif op in ("call", "invoke"):
            changed |= self._call(fn, ins)
        if declared is not None:
            cur = self.env.get(ins.ref)
            if not (isinstance(cur, Hdr) and cur.record == declared.record and cur.offset == 0):
                self.env[ins.ref] = declared
                changed = True
        elif ins.ref not in self.env:
            acc = self.accessor_result(fn, ins)
            if acc is not None:
                changed |= self.set(ins.ref, acc)
        return changed

    def _stores_other_direction(self, fn: IRFunction, ptr, t: Taint, block: str = "") -> bool:
        """``k->lo = src`` on one branch and ``k->lo = dst`` on the other: the same
        key slot receives either direction (a canonicalised, symmetric key).  The
        two stores must sit on alternative paths (neither block dominates the
        other): refilling the slot after a first lookup, for a second one by the
        other address (gtpu's multicast check), keeps one direction per lookup."""
        off = self._offset_in_object(fn, ptr)
        if off is None:
            return False
        by_block = self.slots.setdefault((self.mem_key(fn, ptr), off), {})
        by_block[block] = t if block not in by_block else by_block[block] | t
        if self._crosses([t, t]):
            return False
        return any(self._crosses([other, t]) and not _dominates(fn, b, block)
                   and not _dominates(fn, block, b)
                   for b, other in by_block.items() if b != block)

    def _offset_in_object(self, fn: IRFunction, ptr) -> Optional[int]:
        total = 0
        for _ in range(16):
            d = fn.value_of(ptr)
            if d is None or d.opcode not in ("getelementptr", *PASS_THROUGH):
                return total
            if d.opcode == "getelementptr":
                off, _ = self.gep_offset(fn, d)
                if off is None:
                    return None
                total += off
            ptr = d.operands[0]
        return None

    @staticmethod
    def _load_size(ins: Ins) -> int:
        m = re.search(r"= load (?:volatile )?i(\d+)", ins.text)
        return int(m.group(1)) // 8 if m else 4

    def _is_raw(self, fn: IRFunction, v) -> bool:
        """A header field as loaded (maybe widened / byte-swapped), not yet hashed:
        ``s ^ d`` is direction-free, ``s * 31 + d`` is not."""
        for _ in range(8):
            d = fn.value_of(v)
            if d is None:
                return False
            if d.opcode == "load":
                return True
            if d.opcode not in ("zext", "sext", "trunc", "freeze", "call"):
                return False
            v = d.operands[0]
        return False

    @staticmethod
    def _crosses(taints: list[Taint]) -> bool:
        a, b = taints[0].fields, taints[1].fields
        return any((x in a and y in b) or (y in a and x in b) for x, y in PAIRS)

    def _orders_directions(self, fn: IRFunction, ins: Ins, taints) -> bool:
        """``lo = src < dst ? src : dst`` (a select on a comparison of both
        directions, or the phi after such a branch): a direction-free key part."""
        if len(taints) != 2 or not self._crosses(taints):
            return False
        if ins.opcode == "phi":
            return True
        todo, seen = [ins.operands[0]], 0
        while todo and seen < 16:
            seen += 1
            d = fn.value_of(todo.pop())
            if d is None:
                continue
            if d.opcode == "icmp":
                ts = [self.taint_of(fn, o) for o in d.operands[:2]]
                if all(ts) and self._crosses(ts):
                    return True
            elif d.opcode in ("and", "or", "xor", "zext", "select"):
                todo += d.operands
        return False

    def _call(self, fn: IRFunction, ins: Ins) -> bool:
        callee = fn.callee(ins)
        args = ins.operands[:-1] if ins.opcode == "call" else ins.operands[:-3]
        name = callee.qualname if isinstance(callee, IRFunction) else str(callee or "")
        bare = re.sub(r"\(.*$", "", name)
        simple = bare.rsplit("::", 1)[-1]
        changed = False
        src = self.call_source(fn, ins, callee)
        if src is not None:
            changed |= self.set(ins.ref, src)
        if simple in hf.ANNOTATION_FIELDS and str(ins.ref.type) != "ptr":
            changed |= self.set(ins.ref, Taint(frozenset({hf.ANNOTATION_FIELDS[simple]})))
        if simple.startswith(MINMAX) or bare.startswith(MINMAX):
            ts = [t for t in (self.taint_of(fn, a) for a in args) if t is not None]
            if ts:
                t = ts[0] if len(ts) == 1 else ts[0] | ts[1]
                changed |= self.set(ins.ref, Taint(t.fields, len(ts) == 2 and self._crosses(ts)))
            return changed
        if simple in COPY_CALLS or bare.startswith("llvm.memcpy") or bare.startswith("llvm.memmove"):
            changed |= self._copy(fn, args)
            return changed
        flow_id = self._flow_id_ctor(bare, name)
        if flow_id and args:
            changed |= self.add_mem(fn, args[0], Taint(frozenset(flow_id)))
            return changed
        if self._is_table_call(simple, bare, name):
            # the container's own code (hashing, buckets) is not the NF's keying
            return self._table_sink(fn, ins, simple, args, name) | changed
        if isinstance(callee, IRFunction):
            changed |= self._bind_params(fn, callee, args)
            ret = self._return_value(callee)
            if ret is not None:
                changed |= self.set(ins.ref, ret)
        elif not bare.startswith(NON_VALUE_INTRINSICS) and str(ins.ref.type) != "ptr" \
                and src is None and not returns_count(simple):
            ts = [t for t in (self.taint_of(fn, a) or self.pointee_taint(fn, a) for a in args)
                  if t is not None]
            if ts and not self._is_table_call(simple, bare, name):   # hash(key) keeps the key
                t = ts[0]
                for x in ts[1:]:
                    t = t | x
                changed |= self.set(ins.ref, t)
        if bare.startswith(("llvm.bswap", "llvm.fshl", "llvm.fshr")) and args:
            t = self.taint_of(fn, args[0])
            if t is not None:
                changed |= self.set(ins.ref, t)
        return changed

    def _copy(self, fn: IRFunction, args) -> bool:
        if len(args) < 3:
            return False
        dst, src, n = args[0], args[1], args[2]
        size = n.get_constant_value() if n.is_constant else 4
        h = self.get(fn, src)
        if isinstance(h, Hdr):
            fields = self.layouts.fields_at(h, size or 4)
            return bool(fields) and self.add_mem(fn, dst, Taint(frozenset(fields)))
        t = self.pointee_taint(fn, src)
        return t is not None and self.add_mem(fn, dst, t)

    @staticmethod
    def _flow_id_ctor(bare: str, name: str) -> Optional[tuple[str, ...]]:
        parts = bare.split("::")
        if len(parts) >= 2 and parts[-1] == parts[-2] and parts[-1] in hf.FLOW_ID_TYPES \
                and "Packet" in name:
            return hf.FLOW_ID_TYPES[parts[-1]]
        return None

    @staticmethod
    def _is_table_call(simple: str, bare: str, name: str) -> bool:
        if "::" in bare and simple in TABLE_METHODS:
            return True
        return any(simple.startswith(prefix) for prefix, _, _ in TABLE_CALLS)

    def _table_sink(self, fn: IRFunction, ins: Ins, simple: str, args, name: str) -> bool:
        table_arg, key_args = 0, range(1, len(args))
        text = ins.text
        if "sret(" in text.split("(", 1)[-1].split(",")[0]:
            table_arg, key_args = 1, range(2, len(args))
        if table_arg >= len(args):
            return False
        t: Optional[Taint] = None
        for i in key_args:
            a = args[i]
            ti = self.taint_of(fn, a) or self.pointee_taint(fn, a)
            if ti is not None:
                t = ti if t is None else t | ti
        results, holders = {ins.ref}, set()
        inserting = any(w in simple.lower() for w in INSERT_WORDS) and "find" not in simple
        method = "::" in name
        for i in range(len(args)):
            # sret iterators; for C lookups also the out-parameters (``&value``), i.e.
            # local pointers that carry no key (C++ methods take key/default by const ref)
            out_param = i < table_arg or not (inserting or method)
            keyish = self.pointee_taint(fn, args[i]) is not None
            if out_param and i != table_arg and not keyish and str(args[i].type) == "ptr" \
                    and (self.is_local(fn, args[i]) or not method):
                holders.add(self.root(fn, args[i]))
        key = (fn.name, ins.index)
        container = self.container_name(fn, args[table_arg])
        old = self.lookups.get(key)
        fields = frozenset(t.fields) if t else frozenset()
        sym = bool(t and t.sym)
        if old is not None and old.fields == fields and old.sym == sym:
            return False
        self.lookups[key] = Lookup(fn, ins, container, fields, sym, f"call {simple}", results,
                                   holders)
        return True

    def inlined_table_method(self, ins: Ins) -> Optional[tuple[str, Optional[int]]]:
        """(name, inlinedAt) of the outermost container method (``get``, ``find``...)
        this instruction was inlined from, or None."""
        chain = self.mod.debug.inline_chain(ins.dbg)
        hit = None
        for name, at in chain[:-1]:          # the last frame is the function itself
            if name in TABLE_METHODS:
                hit = (name, at)
        return hit

    def in_packet(self, fn: IRFunction, v) -> bool:
        """``v`` points into a packet buffer: reached (through GEPs/loads) from a value
        the debug info declares as a Packet / rte_mbuf / vlib_buffer_t pointer."""
        for _ in range(16):
            if isinstance(self.get(fn, v), Hdr):
                return True
            name = f"%{v.name}" if getattr(v, "name", "") else (
                fn.value_of(v).name if fn.value_of(v) is not None else "")
            for var in fn.declared.get(name, []):
                _, tid = self.mod.debug.local_variable(var)
                names = self.mod.debug.type_names(self.mod.debug.pointee(tid))
                if any(n in PACKET_TYPES for n in names):
                    return True
            d = fn.value_of(v)
            if d is None or d.opcode not in ("getelementptr", "load", *PASS_THROUGH):
                return False
            v = d.operands[0]
        return False

    def _index_sink(self, fn: IRFunction, ins: Ins) -> bool:
        ops = ins.operands
        ts = [t for t in (self.taint_of(fn, o) for o in ops[1:]) if t is not None]
        if not ts or self.is_local(fn, ops[0]) or self.in_local_object(fn, ops[0]) \
                or self.in_packet(fn, ops[0]):
            return False        # a local buffer, or an offset inside the packet itself
        t = ts[0]
        for x in ts[1:]:
            t = t | x
        frame = self.inlined_table_method(ins)
        if frame is not None:
            # a container method inlined into the NF: one lookup per inlined call;
            # its hashing (xor of both directions...) says nothing of the NF's key
            key, how, sym = (fn.name, "inlined", frame), f"inlined {frame[0]}", False
            results = self.inline_results(fn, frame)
        else:
            # every GEP into the same array with the same packet-derived index is one
            # lookup (``table[i].used``, ``table[i].t``...), located at the first one
            index = tuple(o for o in ops[1:] if self.taint_of(fn, o) is not None)
            key, how, sym = (fn.name, self.root(fn, ops[0]), index), "index", t.sym
            results = {ins.ref} | (self.lookups[key].results if key in self.lookups else set())
        old = self.lookups.get(key)
        if old is not None and t.fields <= old.fields and ins.ref in old.results:
            return False
        fields = t.fields | (old.fields if old else frozenset())
        container = self.indexed_container(fn, ins) if frame is None else \
            self.container_name(fn, ins.ref)
        first = old.ins if old is not None and old.ins.index < ins.index else ins
        self.lookups[key] = Lookup(fn, first, container, frozenset(fields), sym or bool(
            old and old.sym), how, results)
        return True

    def indexed_container(self, fn: IRFunction, ins: Ins) -> str:
        """The array a packet-derived index selects in: the GEP's base plus the
        members stepped through before that index (``this->_counts[h].n`` -> ``_counts``)."""
        _, steps = self.gep_steps(fn, ins)
        names = []
        for (_, member), op in zip(steps, ins.operands[1:]):
            if self.taint_of(fn, op) is not None:
                break
            if member is not None:
                names.append(member.name)
        known = [n for n in names if n in self.known_containers]
        if known:
            return known[-1]
        return names[-1] if names else self.container_name(fn, ins.operands[0])

    def _names_container(self, fn: IRFunction, d: Ins) -> bool:
        """A pointer to the container object itself (``&this->_map``), not an entry."""
        if d.opcode not in ("getelementptr", *PASS_THROUGH):
            return False
        base = self.base_object(fn, d.ref)
        return base in fn.args or fn.value_of(base) is None

    def inline_results(self, fn: IRFunction, frame) -> set:
        """Values computed inside one inlined container call and used after it."""
        inside = {i.ref for i in fn.ins
                  if frame in self.mod.debug.inline_chain(i.dbg)[:-1]}
        out = set()
        for i in fn.ins:
            if i.ref in inside or i.opcode in ("br", "switch") or i.dbg is None:
                continue
            for o in i.operands:
                if o in inside:
                    d = fn.value_of(o)
                    if d is not None and d.opcode != "icmp" \
                            and self.taint_of(fn, o) is None and not self._names_container(fn, d):
                        out.add(o)
        return out

    def _bind_params(self, fn: IRFunction, callee: IRFunction, args) -> bool:
        changed = False
        for i, a in enumerate(args[:len(callee.args)]):
            val = self.get(fn, a)
            if val is not None and self.params.get((callee.name, i)) != val:
                self.params[(callee.name, i)] = val
                changed = True
            mt = self.pointee_taint(fn, a)
            if mt is not None:
                old = self.mem.get((callee.name, i))
                new = mt if old is None else old | mt
                if new != old:
                    self.mem[(callee.name, i)] = new
                    changed = True
            back = self.mem.get((callee.name, i))     # callee filled a caller's key struct
            if back is not None and str(a.type) == "ptr":
                changed |= self.add_mem(fn, a, back)
        return changed

    def _return_value(self, callee: IRFunction):
        for ins in callee.ins:
            if ins.opcode == "ret" and ins.operands:
                val = self.get(callee, ins.operands[0])
                if val is not None:
                    return val
        return None

    # ------------------------------------------------------------ driver
    def raw_packet_param(self, fn: IRFunction, arg) -> Optional[Hdr]:
        """A per-packet entry's byte-buffer parameter (``const uint8_t *l3``) read at
        fixed offsets: a packet header, of the layer those offsets fit."""
        if fn not in self.pp.roots or not arg.name:
            return None
        var = next(iter(fn.declared.get(f"%{arg.name}", [])), None)
        _, tid = self.mod.debug.local_variable(var)
        if not self.mod.debug.is_byte_pointer(tid):
            return None
        layer = raw_layer(raw_accesses(fn, arg))
        return Hdr(layer, 0) if layer else None

    def run(self) -> "FlowAnalysis":
        fns = self.pp.functions
        for fn in fns:      # parameters declared as header pointers (``const struct iphdr *ip = l3``)
            for i, a in enumerate(fn.args):
                hdr = self.declared_header(fn, f"%{a.name}") if a.name else None
                hdr = hdr or self.raw_packet_param(fn, a)
                if hdr is not None:
                    self.params[(fn.name, i)] = hdr
        for _ in range(self.MAX_ROUNDS):
            changed = False
            for fn in fns:
                for _ in range(3):          # loops and phis inside one function
                    local = False
                    for ins in fn.ins:
                        local |= self.step(fn, ins)
                    changed |= local
                    if not local:
                        break
            if not changed:
                break
        return self


def flow_analysis(unit, ctx) -> FlowAnalysis:
    def make():
        from .source_state import container_names
        names = source_hint(ctx, "containers", lambda: set(container_names(unit, ctx)), set())
        return FlowAnalysis(unit, ctx, names).run()
    return ctx.memo("ir.flow", make)
