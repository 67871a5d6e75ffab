"""Flow key: which packet header fields select a per-flow state entry.

Reads the lookups found by the data-flow analysis (a container indexed or
searched with values carrying header fields) and reports each field as a
``key_field`` fact, plus ``symmetric`` when the key mixes both directions
(min/max, xor, sum of source and destination).  A per-flow block handed over
by a FastClick flow-control-block manager with no key built in the unit is
keyed by the framework classifier upstream: the 5-tuple of ``IPFlow5ID``,
unless the unit declares its own session context string.
"""
from __future__ import annotations

import re

from . import header_fields as hf
from .base import Pass
from .source_state import state_blocks, unit_flow
from .source_tu import source_index

# Offsets from the IP header in a FLOW_ELEMENT_DEFINE_SESSION_CONTEXT string.
SESSION_OFFSETS = {9: "protocol", 12: "src_ip", 16: "dst_ip", 20: "src_port", 22: "dst_port"}
FCB_WORDS = ("FlowControlBlock", "fcb_stack")


def _order(fields):
    five = ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]
    return sorted(fields, key=lambda f: (five.index(f) if f in five else 9, f))


def framework_flow_table(unit, ctx):
    """(file, line, fields) when the unit's per-flow data lives in a FastClick
    flow control block (classified upstream), else None."""
    index = source_index(unit, ctx)
    for fn in index.functions:
        texts = [t.text for t in fn.body]
        for i, t in enumerate(texts):
            if t == "FLOW_ELEMENT_DEFINE_SESSION_CONTEXT" and i + 2 < len(texts):
                offs = [int(m) for m in re.findall(r"(?:^|\s)(\d+)/", texts[i + 2])]
                fields = [SESSION_OFFSETS[o] for o in offs if o in SESSION_OFFSETS]
                return fn.file, fn.body[i].line, fields
    for fn in index.functions:
        for tok in fn.body:
            if tok.text in FCB_WORDS:
                return fn.file, tok.line, list(hf.FLOW_ID_TYPES["IPFlow5ID"])
    return None


class FlowKeyPass(Pass):
    name = "FlowKeyPass"
    level = "source"

    def run(self, unit, ctx):
        flow = unit_flow(unit, ctx)
        facts, seen = [], set()
        for lk in flow.lookups:
            for f in _order(lk.fields):
                if (lk.container, f) in seen:
                    continue
                seen.add((lk.container, f))
                facts.append(self.fact("key_field", {"field": f, "container": lk.container},
                                       lk.fn.file, lk.line,
                                       f"{lk.container} keyed via {lk.how} on {f}",
                                       confidence=0.85))
        blocks = state_blocks(unit, ctx)
        if blocks and not flow.lookups:
            found = framework_flow_table(unit, ctx)
            if found:
                file, line, fields = found
                for b in {b.type_name: b for b in blocks}.values():
                    for f in fields:
                        facts.append(self.fact(
                            "key_field", {"field": f, "container": b.type_name, "framework": True},
                            file, line,
                            f"{b.type_name} lives in a flow control block classified upstream "
                            f"by the flow manager (IPFlow5ID)", confidence=0.65))
        return facts


class SymmetricKeyPass(Pass):
    name = "SymmetricKeyPass"
    level = "source"

    def run(self, unit, ctx):
        out, seen = [], set()
        for lk in unit_flow(unit, ctx).lookups:
            if lk.symmetric and lk.container not in seen:
                seen.add(lk.container)
                out.append(self.fact("symmetric", {"container": lk.container}, lk.fn.file,
                                     lk.line, f"{lk.container} key combines both directions",
                                     confidence=0.75))
        return out
