"""HeaderTaintPass: which header fields reach a keyed lookup, from the IR.

Reads the lookups of the IR data flow (``ir_dataflow``): every header field
whose value reaches the key of a table call, a container method or an array
index becomes a ``key_field`` fact; a key mixing a field with its
other-direction twin through min/max/xor/sum becomes ``symmetric``.
"""
from __future__ import annotations

import re

from flowmagec.artifacts import KEY_FIELDS

from .base import Pass
from .ir_dataflow import flow_analysis
from .ir_module import own_files
from .ir_writes import state_memory

# Taint on fields that never identify a flow on their own (header checks, rewrites).
NON_KEY = {"ethertype", "tos"}


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
        facts, seen = [], set()
        for lk in sorted(flow.lookups.values(), key=lambda l: (l.fn.name, l.ins.index)):
            fields = [f for f in _ordered(lk.fields) if f not in NON_KEY]
            if not fields or lk.container not in written:
                continue        # a table only read per packet (routes, steering) is configuration
            if lk.how == "index" and mem.reaches_state(lk.fn, lk.ins.operands[0]):
                continue        # an array inside a flow's entry (``e->ports[i]``) is its data
            file, line = lk.fn.location(lk.ins, own_files(unit))
            # the table itself, and the pool/array its result indexes (VPP bihash -> pool)
            named = [lk.container] + sorted(p for p, t in mem.derived.items() if t == lk.container)
            for cont in named:
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

    def _compared_keys(self, unit, flow, mem, seen) -> list:
        """``entry->key.sport == packet sport``: fields a lookup compares against the
        stored entry are key fields too (they may be masked out of the hash)."""
        out = []
        files = own_files(unit)
        hashed = {lk.container for lk in flow.lookups.values() if lk.fields and lk.how != "index"}
        hashed |= {c for c, _ in seen}        # containers already keyed by a hash of the fields

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
                    if d is None or d.opcode != "load" or d.operands[0] not in mem.state or not t:
                        continue
                    cont = mem.state[d.operands[0]].container
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
