"""HeaderTaintPass: which header fields reach a keyed lookup, from the IR.

Reads the lookups of the IR data flow (``ir_dataflow``): every header field
whose value reaches the key of a table call, a container method or an array
index becomes a ``key_field`` fact; a key mixing a field with its
other-direction twin through min/max/xor/sum becomes ``symmetric``.  A
container that is both keyed by header data and written on the per-packet
path is per-flow state: a ``state`` fact (per_flow true), so that the IR
alone can find state the source passes miss (keys read through raw byte
offsets).  Tables only read per packet are configuration and get nothing.
"""
from __future__ import annotations

import os
import re

from flowmagec.artifacts import KEY_FIELDS

from . import header_fields as hf
from .base import Pass
from .ir_dataflow import Hdr, flow_analysis
from .ir_module import own_files
from .analyses import state_memory

# Taint on fields that never identify a flow on their own (header checks, rewrites).
NON_KEY = hf.NON_KEY_FIELDS
# Container kind by the library call that looks it up (first matching prefix).
CALL_KINDS = (("rte_hash", "rte_hash"), ("clib_bihash", "bihash"), ("pool_", "pool"),
              ("vec_", "array"), ("hash_", "hashtable"))
STATE_CONFIDENCE = 0.75


def container_kind(how: str) -> str:
    """``index`` -> array; ``call rte_hash_lookup`` -> rte_hash; a method -> hashtable."""
    if how == "index":
        return "array"
    callee = how.split(" ", 1)[-1]
    return next((kind for prefix, kind in CALL_KINDS if callee.startswith(prefix)), "hashtable")


def _normalised(path: str) -> str:
    return os.path.normpath(os.path.abspath(path)) if path else path


def _ordered(fields) -> list[str]:
    return sorted(fields, key=lambda f: (KEY_FIELDS.index(f) if f in KEY_FIELDS else 9, f))


class HeaderTaintPass(Pass):
    name = "HeaderTaintPass"
    level = "ir"

    def run(self, unit, ctx):
        flow = flow_analysis(unit, ctx)
        mem = state_memory(unit, ctx)
        written = {w.container for w in mem.writes()}
        written |= {table for pool, table in mem.derived.items() if pool in written}
        written |= {lk.container for lk in flow.lookups.values() if lk.inserts}
        facts, seen, stated = [], set(), set()
        files = own_files(unit)
        for lk in sorted(flow.lookups.values(), key=lambda l: (l.fn.name, l.ins.index)):
            fields = [f for f in _ordered(lk.fields) if f not in NON_KEY]
            if not fields or lk.container not in written:
                continue        # a table only read per packet (routes, steering) is configuration
            if lk.how == "index" and mem.reaches_state(lk.fn, lk.ins.operands[0]):
                continue        # an array inside a flow's entry (``e->ports[i]``) is its data
            file, line = lk.fn.location(lk.ins, files)
            if lk.how == "index" and _normalised(lk.fn.location(lk.ins)[0]) not in files:
                continue        # an array indexed inside a library's own (inlined) code:
                                # Vector::push_back's l_[n_], not the NF's table
            # the table itself, and the pool/array its result indexes (VPP bihash -> pool)
            named = [lk.container] + sorted(p for p, t in mem.derived.items() if t == lk.container)
            for cont in named:
                # state only from the NF's own code: a library's internals (a hash
                # table's bucket array indexed in its own methods) are not the NF's table
                if cont in written and file in files and cont not in stated:
                    stated.add(cont)
                    state = self._state(flow, cont, lk, cont != lk.container, file, line)
                    facts += [state] if state else []
                for f in fields:
                    if (cont, f) in seen:
                        continue
                    seen.add((cont, f))
                    via = "" if cont == lk.container else f" (entry in {cont} by its result)"
                    facts.append(self.fact("key_field", {"field": f, "container": cont},
                                           file, line,
                                           f"{lk.container or '?'}: {f} reaches {lk.how} in "
                                           f"{lk.fn.qualname}{via}", confidence=0.8))
            if lk.sym and ("sym", lk.container) not in seen:
                seen.add(("sym", lk.container))
                facts.append(self.fact("symmetric", {"container": lk.container}, file, line,
                                       f"{lk.container or '?'}: key mixes both directions "
                                       f"(min/max/xor) before {lk.how}", confidence=0.7))
        facts += self._compared_keys(unit, flow, mem, seen)
        return facts

    def _state(self, flow, cont: str, lk, derived: bool, file: str, line: int):
        """The per-flow container ``cont``: keyed by header data and written per packet;
        None when the debug info declares no global or member by that name (a
        function's static scratch buffer, an unnamed temporary)."""
        kind = "array" if derived else container_kind(lk.how)
        tid = flow.mod.declared_type(cont) if cont else None
        if tid is None:
            return None
        spelled = flow.mod.debug.spell(tid)
        how = f"indexed by the result of {lk.container}'s lookup" if derived else \
            f"{lk.how} keyed by {', '.join(_ordered(lk.fields))}"
        return self.fact("state", {"container": cont, "type": spelled, "kind": kind,
                                   "per_flow": True, "per_core": None, "protection": None,
                                   "value_type": None}, file, line,
                         f"{cont}: {spelled} {how} in {lk.fn.qualname}, written on the packet path",
                         confidence=STATE_CONFIDENCE)

    def _compared_keys(self, unit, flow, mem, seen) -> list:
        """``entry->key.sport == packet sport``: fields a lookup compares against the
        stored entry are key fields too (they may be masked out of the hash).  The
        entry may hold a whole packet (a fragment queue: ``q->ip_header()->ip_src``
        compared with the new fragment's)."""
        out = []
        files = own_files(unit)
        hashed = {lk.container for lk in flow.lookups.values() if lk.fields and lk.how != "index"}
        hashed |= {c for c, f in seen if c != "sym"}    # containers already keyed by the fields

        def fixed_member(fn, addr) -> bool:       # entry->key.f, not entry->list[i]
            d = fn.value_of(addr)
            return d is None or d.opcode != "getelementptr" or all(
                o.is_constant or flow.taint_of(fn, o) is not None for o in d.operands[1:]) or \
                any(addr in lk.results for lk in flow.lookups.values())
        for fn in flow.pp.functions:
            for ins in fn.ins:
                if ins.opcode != "icmp" or not re.match(r"%\S+ = icmp (eq|ne) ", ins.text):
                    continue
                a, b = ins.operands[:2]
                for stored, pkt in ((a, b), (b, a)):
                    d = fn.value_of(stored)
                    t = flow.taint_of(fn, pkt)
                    base = self._stored_key(fn, flow, mem, d)
                    if base is None or not t or self._from_state(fn, mem, pkt):
                        continue
                    cont = mem.state[base].container
                    if cont not in hashed or not fixed_member(fn, d.operands[0]):
                        continue    # a search through the entry's data, not its key
                    for f in _ordered(t.fields):
                        if f not in KEY_FIELDS or (cont, f) in seen:
                            continue    # context checks (ip_id, tcp_seq) are not the key
                        seen.add((cont, f))
                        file, line = fn.location(ins, files)
                        out.append(self.fact("key_field", {"field": f, "container": cont},
                                             file, line, f"{cont or '?'}: stored key compared "
                                             f"with the packet's {f} in {fn.qualname}",
                                             confidence=0.75))
        return out

    @staticmethod
    def _stored_key(fn, flow, mem, load):
        """The state pointer a loaded value is the stored key of: a field of the entry
        itself, or a header field of a packet the entry holds; else None."""
        if load is None or load.opcode != "load":
            return None
        addr = load.operands[0]
        if addr in mem.state:
            return addr
        if isinstance(flow.get(fn, addr), Hdr):
            return mem.state_base(fn, addr)
        return None

    @staticmethod
    def _from_state(fn, mem, v) -> bool:
        """``v`` was read from state memory (both sides of the comparison stored)."""
        d = fn.value_of(v)
        for _ in range(4):
            if d is None or d.opcode not in ("zext", "sext", "trunc", "and", "load"):
                return False
            if d.opcode == "load":
                return mem.reaches_state(fn, d.operands[0])
            d = fn.value_of(d.operands[0])
        return False
