"""HeaderTaintPass: which header fields reach a keyed lookup, from the IR.

Reads the lookups of the IR data flow (``ir_dataflow``): every header field
whose value reaches the key of a table call, a container method or an array
index becomes a ``key_field`` fact; a key mixing a field with its
other-direction twin through min/max/xor/sum becomes ``symmetric``.
"""
from __future__ import annotations

from . import header_fields as hf
from .base import Pass
from .ir_dataflow import flow_analysis
from .ir_module import own_files

FIVE = ("src_ip", "dst_ip", "src_port", "dst_port", "protocol")
# Taint on fields that never identify a flow on their own (header checks, rewrites).
NON_KEY = {"ethertype", "tos"}


def _ordered(fields) -> list[str]:
    return sorted(fields, key=lambda f: (FIVE.index(f) if f in FIVE else 9, f))


class HeaderTaintPass(Pass):
    name = "HeaderTaintPass"
    level = "ir"

    def run(self, unit, ctx):
        flow = flow_analysis(unit, ctx)
        facts, seen = [], set()
        for lk in sorted(flow.lookups.values(), key=lambda l: (l.fn.name, l.ins.index)):
            fields = [f for f in _ordered(lk.fields) if f not in NON_KEY]
            if not fields:
                continue
            file, line = lk.fn.location(lk.ins, own_files(unit))
            for f in fields:
                if (lk.container, f) in seen:
                    continue
                seen.add((lk.container, f))
                facts.append(self.fact("key_field", {"field": f, "container": lk.container},
                                       file, line,
                                       f"{lk.container or '?'}: {f} reaches {lk.how} in "
                                       f"{lk.fn.qualname}", confidence=0.8))
            if lk.sym and ("sym", lk.container) not in seen:
                seen.add(("sym", lk.container))
                facts.append(self.fact("symmetric", {"container": lk.container}, file, line,
                                       f"{lk.container or '?'}: key mixes both directions "
                                       f"(min/max/xor) before {lk.how}", confidence=0.7))
        return facts
