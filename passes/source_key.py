"""Flow key: which packet header fields select a per-flow state entry.

Reads the lookups found by the data-flow analysis (a container indexed or
searched with values carrying header fields or packet annotations) and
reports each field as a ``key_field`` fact, plus ``symmetric`` when the key
mixes both directions (min/max, xor, sum of source and destination).  A
per-flow block handed over by a FastClick flow manager (the packet's flow
control block) with no key built in the unit is keyed *upstream*: the unit
declares its key only through a session context string; otherwise the key is
``upstream:flow-manager`` until the chain stage resolves it from the manager
in front of the element (``flowmagec/chain_features.py``).  ``ProvidesPass``
records what an NF hands to the elements after it: per-flow blocks (it sets
the packet's flow control block) and annotations it sets.
"""
from __future__ import annotations

import re

from flowmagec.artifacts import KEY_FIELDS

from . import header_fields as hf
from .base import Pass
from . import knowledge
from .knowledge.schema import FLOW_BLOCK
from .source_dataflow import operand as _operand
from .analyses import state_blocks, unit_flow
from .source_tu import source_index, stmts_of, unique_by

# Offsets from the IP header in a FLOW_ELEMENT_DEFINE_SESSION_CONTEXT string.
SESSION_OFFSETS = {9: "protocol", 12: "src_ip", 16: "dst_ip", 20: "src_port", 22: "dst_port"}
# Framework names of the packet's per-flow block (knowledge rows, role flow-block).
FLOW_BLOCK_NAMES = {d.name: d.kind for d in knowledge.rows(FLOW_BLOCK)}
# The key of state handed over by an upstream element, until the chain resolves it.
UPSTREAM_KEY = "upstream:flow-manager"


def _order(fields):
    return sorted(fields, key=lambda f: (KEY_FIELDS.index(f) if f in KEY_FIELDS else 9, f))


def framework_flow_table(unit, ctx):
    """(file, line, fields) when the unit's per-flow data lives in a FastClick
    flow control block (classified upstream), else None.  ``fields`` are those
    of the session context string the unit's own class declares, or
    ``[UPSTREAM_KEY]`` when the key is whatever the flow manager in front of
    it classifies on."""
    index = source_index(unit, ctx)
    for name in dict.fromkeys((unit.attrs.get("cxx_class") or unit.name, unit.name, *unit.bases)):
        rec = index.records.get(name)
        found = rec and _session_context(rec.file, rec.line)
        if found:
            line, fields = found
            return rec.file, line, fields
    for fn in index.functions:
        for tok in fn.body:
            if tok.text in FLOW_BLOCK_NAMES:
                return fn.file, tok.line, [UPSTREAM_KEY]
    return None


SESSION_CONTEXT = re.compile(r'FLOW_ELEMENT_DEFINE_SESSION_CONTEXT\s*\(\s*"([^"]*)"')


def _session_context(path: str, line: int):
    """(line, fields) of the FLOW_ELEMENT_DEFINE_SESSION_CONTEXT in the class body
    starting at ``line`` of ``path`` (commented-out ones do not count)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except OSError:
        return None
    depth, opened = 0, False
    for n in range(line - 1, len(lines)):
        text = lines[n].split("//", 1)[0]
        m = SESSION_CONTEXT.search(text)
        if m and opened:
            offs = [int(x) for x in re.findall(r"(?:^|\s)(\d+)/", m.group(1))]
            return n + 1, _order({SESSION_OFFSETS[o] for o in offs if o in SESSION_OFFSETS})
        depth += text.count("{") - text.count("}")
        opened = opened or "{" in text
        if opened and depth <= 0:
            return None
    return None


def slot_match_keys(unit, ctx):
    """(container, field, fn, line, param) for each packet field reaching a
    parameter that a table routine compares with a slot of its table:
    ``bucket->vip[i] == vip`` in ``lb_hash_get (lb_hash_t *ht, u32 hash, u32 vip, ...)``
    makes ``vip`` (chosen by protocol and port) part of the sticky key, as the
    bucket index makes ``hash`` part of it."""
    from .analyses import table_params
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


def header_match_keys(unit, ctx):
    """(container, field, fn, line, helper) for each header field a search of a
    container matches between two headers: a function that looks the container
    up calls one of the unit's helpers comparing the same field of its two
    header parameters (``same_segment (iph, qiph)`` with ``h->ip_id == h2->ip_id
    && h->ip_src.s_addr == h2->ip_src.s_addr ...``): a bucket of stored packets
    searched for the one that belongs with this packet (fragment queues)."""
    flow = unit_flow(unit, ctx)
    index = source_index(unit, ctx)
    by_fn: dict[int, set[str]] = {}
    for lk in flow.lookups:
        by_fn.setdefault(id(lk.fn), set()).add(lk.container)
    out = []
    for fn in {id(lk.fn): lk.fn for lk in flow.lookups}.values():
        for st in stmts_of(fn, ctx):
            for c in st.calls:
                for g in index.functions_named(c.name):
                    if g is fn:
                        continue
                    for f in _pairwise_header_fields(g, ctx):
                        for cont in sorted(by_fn[id(fn)]):
                            out.append((cont, f, fn, st.line, g.name))
    return out


def _pairwise_header_fields(fn, ctx) -> list[str]:
    """Fields ``fn`` compares between two of its header-pointer parameters of one
    layer (``a->ip_src == b->ip_src``)."""
    layers = {p.name: hf.layer_of_type(p.type_tokens) for p in fn.params if "*" in p.type_tokens}
    layers = {n: lay for n, lay in layers.items() if lay}
    if len(layers) < 2:
        return []
    found = set()
    for st in stmts_of(fn, ctx):
        t = st.texts
        for k, tok in enumerate(t):
            if tok != "==":
                continue
            left, right = _operand(t, k, -1), _operand(t, k, 1)
            if len(left) >= 3 and len(right) >= 3 and left[1] == right[1] == "->" \
                    and left[0] in layers and right[0] in layers and left[0] != right[0] \
                    and layers[left[0]] == layers[right[0]] and left[2] == right[2]:
                found |= hf.fields_of(layers[left[0]], left[2])
    return _order(found)


class FlowKeyPass(Pass):
    name = "FlowKeyPass"
    level = "source"

    def run(self, unit, ctx):
        flow = unit_flow(unit, ctx)
        # (container, field, file, line, why, confidence); the first reason per pair is reported
        keyed = [(lk.container, f, lk.fn.file, lk.line,
                  f"{lk.container} keyed via {lk.how} on {f}", 0.85)
                 for lk in flow.lookups for f in _order(lk.fields - hf.NON_KEY_FIELDS)]
        keyed += [(cont, f, fn.file, line,
                   f"{cont}: {fn.name} matches a slot against '{param}', which carries {f}", 0.75)
                  for cont, f, fn, line, param in slot_match_keys(unit, ctx)]
        keyed += [(cont, f, fn.file, line,
                   f"{cont}: {fn.name} compares the packet's {f} with a stored packet's "
                   f"(via {helper})", 0.75)
                  for cont, f, fn, line, helper in header_match_keys(unit, ctx)]
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
                        why = (f"{b.type_name} lives in the packet's flow control block: keyed "
                               f"by the flow manager upstream (resolved in the chain)"
                               if f == UPSTREAM_KEY else
                               f"{b.type_name}: the element's session context classifies on {f}")
                        facts.append(self.fact(
                            "key_field", {"field": f, "container": b.type_name, "framework": True,
                                          "upstream": f == UPSTREAM_KEY},
                            file, line, why, confidence=0.65))
        return facts


class SymmetricKeyPass(Pass):
    name = "SymmetricKeyPass"
    level = "source"

    def run(self, unit, ctx):
        symmetric = [lk for lk in unit_flow(unit, ctx).lookups if lk.symmetric]
        return [self.fact("symmetric", {"container": lk.container}, lk.fn.file, lk.line,
                          f"{lk.container} key combines both directions", confidence=0.75)
                for lk in unique_by(symmetric, lambda lk: lk.container)]


class ProvidesPass(Pass):
    """What the NF hands to the elements after it: ``provides {"what": "flow-manager"}``
    when its per-packet code sets the packet's flow control block (framework
    knowledge, role flow-block), ``{"what": "anno:<name>"}`` for each annotation
    it sets (role annotation-set).  The chain stage reads these to resolve the
    key of downstream elements whose state is keyed upstream."""
    name = "ProvidesPass"
    level = "source"

    def run(self, unit, ctx):
        from .source_tu import reachable
        facts, seen = [], set()
        for fn in reachable(unit, ctx).functions:
            for st in stmts_of(fn, ctx):
                t = st.texts
                what = None
                if t and t[0] in FLOW_BLOCK_NAMES and len(t) > 2 and t[1] == "=" \
                        and FLOW_BLOCK_NAMES[t[0]] == "flow-manager":
                    what = "flow-manager"
                for c in st.calls:
                    if c.name in hf.ANNOTATION_SETTERS:
                        what = hf.ANNOTATION_SETTERS[c.name]
                if what and what not in seen:
                    seen.add(what)
                    facts.append(self.fact("provides", {"what": what}, fn.file, st.line,
                                           f"{fn.qualname} sets {what} for the elements after it",
                                           confidence=0.8))
        return facts
