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

from flowmagec.artifacts import KEY_FIELDS

from . import header_fields as hf
from .base import Pass
from .source_state import state_blocks, unit_flow
from .source_tu import source_index, stmts_of, unique_by

# Offsets from the IP header in a FLOW_ELEMENT_DEFINE_SESSION_CONTEXT string.
SESSION_OFFSETS = {9: "protocol", 12: "src_ip", 16: "dst_ip", 20: "src_port", 22: "dst_port"}
FCB_WORDS = ("FlowControlBlock", "fcb_stack")


def _order(fields):
    return sorted(fields, key=lambda f: (KEY_FIELDS.index(f) if f in KEY_FIELDS else 9, f))


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


def slot_match_keys(unit, ctx):
    """(container, field, fn, line, param) for each packet field reaching a
    parameter that a table routine compares with a slot of its table:
    ``bucket->vip[i] == vip`` in ``lb_hash_get (lb_hash_t *ht, u32 hash, u32 vip, ...)``
    makes ``vip`` (chosen by protocol and port) part of the sticky key, as the
    bucket index makes ``hash`` part of it."""
    from .source_writes import table_params
    flow = unit_flow(unit, ctx)
    out = []
    for fn in source_index(unit, ctx).functions:
        tables = table_params(unit, ctx, fn)
        entries = flow.entries.get(id(fn), {})
        if not tables or not entries:
            continue
        index_of = {p.name: i for i, p in enumerate(fn.params)}
        taint = flow.param_fields.get(id(fn), {})
        for st in stmts_of(fn, ctx):
            t = st.texts
            for k, tok in enumerate(t):
                if tok != "==":
                    continue
                for side, other in ((_operand(t, k, -1), _operand(t, k, 1)),
                                    (_operand(t, k, 1), _operand(t, k, -1))):
                    if len(other) == 1 and other[0] in index_of and side and \
                            side[0] in entries and entries[side[0]] in tables.values():
                        for f in _order(x for x in taint.get(index_of[other[0]], ())
                                        if not x.startswith("_")):
                            out.append((entries[side[0]], f, fn, st.line, other[0]))
    return out


def _operand(texts, k: int, step: int) -> list[str]:
    """Tokens of one operand of the binary operator at ``k`` (up to a boolean
    operator, an unmatched bracket or the statement's end)."""
    out, depth, j = [], 0, k + step
    opening, closing = ("(", "["), (")", "]")
    while 0 <= j < len(texts):
        t = texts[j]
        if t in ("&&", "||", ";", ",", "?", ":", "=") and depth == 0:
            break
        if (t in closing and step > 0) or (t in opening and step < 0):
            if depth == 0:
                break
            depth -= 1
        elif t in opening or t in closing:
            depth += 1
        out.append(t)
        j += step
    return out if step > 0 else out[::-1]


class FlowKeyPass(Pass):
    name = "FlowKeyPass"
    level = "source"

    def run(self, unit, ctx):
        flow = unit_flow(unit, ctx)
        # (container, field, file, line, why, confidence); the first reason per pair is reported
        keyed = [(lk.container, f, lk.fn.file, lk.line,
                  f"{lk.container} keyed via {lk.how} on {f}", 0.85)
                 for lk in flow.lookups for f in _order(lk.fields)]
        keyed += [(cont, f, fn.file, line,
                   f"{cont}: {fn.name} matches a slot against '{param}', which carries {f}", 0.75)
                  for cont, f, fn, line, param in slot_match_keys(unit, ctx)]
        facts = [self.fact("key_field", {"field": f, "container": cont}, file, line, why,
                           confidence=conf)
                 for cont, f, file, line, why, conf in unique_by(keyed, lambda k: k[:2])]
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
        symmetric = [lk for lk in unit_flow(unit, ctx).lookups if lk.symmetric]
        return [self.fact("symmetric", {"container": lk.container}, lk.fn.file, lk.line,
                          f"{lk.container} key combines both directions", confidence=0.75)
                for lk in unique_by(symmetric, lambda lk: lk.container)]
