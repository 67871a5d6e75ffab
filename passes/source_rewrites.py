"""RewritePass (source): which packet header fields the NF writes.

A ``rewrite`` fact per header field stored on the per-packet path (the
functions reachable from the entry points, across the NF's own files and
helpers): ``iph->ip_src = ...``, ``ip->src_address.as_u32 = ...``,
``udph->uh_sport = htons (p)``, ``--iph->ip_ttl`` when the field is a named
header field.  The store's base must be a header *pointer* (a parameter or
local declared with a header type and ``*``, or a header accessor such as
``p->ip_header()``): a header struct copied into a local is not the packet.
Checksum fields are not header fields here (``header_fields`` does not name
them), so checksum updates do not count.  What a field means comes from
``header_fields`` (the data the key passes use), never from the NF's names.
"""
from __future__ import annotations

import os
from dataclasses import replace

from . import header_fields as hf
from .base import Pass
from . import knowledge
from .knowledge.schema import COPY_CALL, HEADER_SETTER
from .source_dataflow import ASSIGN_OPS, FlowAnalysis, Taint, lhs_target, split_assignment
from .source_tu import build_index, reachable, stmts_of

SOURCE_EXTENSIONS = (".cc", ".cpp", ".c")

# memcpy-like calls: name -> destination argument (knowledge rows, role copy)
COPY_DESTINATIONS = {d.name: d.args[0] for d in knowledge.rows(COPY_CALL) if d.args}
# framework helpers that rewrite header fields: name -> [(selector arg, field sets)]
HEADER_SETTERS: dict[str, list[tuple[int, list[list[str]]]]] = {}
for _d in knowledge.rows(HEADER_SETTER):
    HEADER_SETTERS.setdefault(_d.name, []).append(
        (_d.args[0], [alt.split(",") for alt in _d.kind.split("|")]))


def setter_fields(call) -> set[str]:
    """Fields a framework header setter call writes: the set its constant
    selector argument picks, all of them when the selector is not a constant."""
    out: set[str] = set()
    for selector, alternatives in HEADER_SETTERS.get(call.name, ()):
        if selector >= len(call.args):
            continue            # another overload (the method vs. the helper's form)
        arg = "".join(call.args[selector])
        if arg.isdigit() and int(arg) < len(alternatives):
            return set(alternatives[int(arg)])
        out |= {f for alt in alternatives for f in alt}
    return out


def _pointer_layer(type_tokens: list[str]) -> str | None:
    """Header layer of a declared header pointer (``click_ip *iph``), else None."""
    return hf.layer_of_type(type_tokens) if "*" in type_tokens else None


def _written_fields(fa: FlowAnalysis, lhs: list[str], taint: Taint) -> set[str]:
    """Header fields named by the first member access of a store target whose base
    is a header pointer: ``iph->ip_src.s_addr`` -> {src_ip}."""
    depth = 0
    for i, t in enumerate(lhs):
        depth += t in ("(", "[")
        depth -= t in (")", "]")
        if depth == 0 and t in ("->", ".") and i + 1 < len(lhs):   # not inside t[f (iph->x)]
            layer = fa._base_layer(lhs, i, taint)
            if layer is None:
                continue
            if t == "." and lhs[i - 1] != ")" and lhs[i - 1] not in taint.layers:
                return set()          # a member of a header *value* (a local copy)
            return hf.fields_of(layer, lhs[i + 1])
    return set()


def _call_destinations(fa: FlowAnalysis, fn, call) -> list[list[str]]:
    """Arguments a call writes: the destination of a memcpy-like copy, and those
    bound to reference parameters that the NF's own callee assigns
    (``swap_fields (iph->ip_src, iph->ip_dst)`` with ``void swap_fields (T &a, T &b)``)."""
    out = []
    if call.name in COPY_DESTINATIONS and COPY_DESTINATIONS[call.name] < len(call.args):
        out.append([t for t in call.args[COPY_DESTINATIONS[call.name]] if t != "&"])
    for g in fa.index.functions_named(call.name):
        if g is fn:
            continue
        for i in _assigned_reference_params(fa, g):
            if i < len(call.args):
                out.append(list(call.args[i]))
    return out


def _assigned_reference_params(fa: FlowAnalysis, fn) -> list[int]:
    """Indices of ``T &x`` parameters that ``fn`` assigns as a whole."""
    refs = {p.name: i for i, p in enumerate(fn.params) if "&" in p.type_tokens
            and "const" not in p.type_tokens}
    if not refs:
        return []
    found = set()
    for st in stmts_of(fn, fa.ctx):
        asg = split_assignment(st.texts)
        if asg and not lhs_target(asg[0])[1] and lhs_target(asg[0])[0] in refs:
            found.add(refs[lhs_target(asg[0])[0]])
    return sorted(found)


def companion_functions(unit, ctx, called: set[str]) -> list:
    """Definitions the per-packet code calls that live in the source file next to
    one of the unit's headers but outside the unit (``flow->apply (p, dir)``
    declared in tcprewriter.hh, defined in tcprewriter.cc): the declaration's
    translation unit, parsed with the unit's flags; followed transitively
    inside those files."""
    def make():
        own = {os.path.realpath(f) for f in unit.files}
        files = []
        for h in unit.headers:
            stem = os.path.splitext(h)[0]
            for ext in SOURCE_EXTENSIONS:
                if os.path.exists(stem + ext) and os.path.realpath(stem + ext) not in own:
                    files.append(stem + ext)
        if not files:
            return None
        return build_index(replace(unit, files=files, headers=[]))
    index = ctx.memo("source.companion_index", make)
    if index is None:
        return []
    out, names, seen = [], list(called), set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        for g in index.functions_named(name):
            out.append(g)
            names += [c.name for st in stmts_of(g, ctx) for c in st.calls]
    return out


def other_elements(unit, index) -> set[str]:
    """Classes of other FastClick elements in the unit's files (each declares its
    own ``class_name``): a base's virtual ``push_flow`` call reaches their
    overrides by name, but the element runs only its own."""
    own = {unit.name, unit.attrs.get("cxx_class"), *unit.bases}
    return {f.owner for f in index.functions
            if f.name == "class_name" and f.owner and f.owner not in own}


def header_writes(unit, ctx) -> list[tuple[str, object, int, str]]:
    """(field, function, line, statement text) of each header field store on the
    per-packet path, including the NF's callees defined next to its headers;
    memoised per unit (the IR pass does not need it)."""
    def make():
        fa = FlowAnalysis(unit, ctx, set())
        out = []
        others = other_elements(unit, fa.index)
        own = sorted((f for f in reachable(unit, ctx).functions if f.owner not in others),
                     key=lambda f: (f.file, f.line))
        defined = {f.name for f in fa.index.functions}
        called = {c.name for fn in own for st in stmts_of(fn, ctx) for c in st.calls} - defined
        for fn in own + companion_functions(unit, ctx, called):
            taint = Taint()
            for p in fn.params:
                lay = _pointer_layer(p.type_tokens)
                if lay:
                    taint.layers[p.name] = lay
            for st in stmts_of(fn, ctx):
                texts = st.texts
                asg = split_assignment(texts)
                targets: list[list[str]] = []
                if asg:
                    lhs, rhs, op = asg
                    target, decl = lhs_target(lhs)
                    lay = _pointer_layer(decl) or (fa.layer_of_rhs(rhs, taint)
                                                   if "*" in decl or not decl else None)
                    if decl and lay and target:
                        taint.layers[target] = lay          # const click_ip *iph = p->ip_header()
                        continue
                    if not decl and op in ASSIGN_OPS:
                        if lay and target and "." not in target and "->" not in lhs:
                            taint.layers[target] = lay      # iph = p->ip_header()
                            continue
                        targets.append(lhs)
                elif len(texts) > 1 and (texts[0] in ("++", "--") or texts[-1] in ("++", "--")):
                    targets.append([t for t in texts if t not in ("++", "--")])
                else:
                    fa._declared_headers(texts, taint)
                for c in st.calls:
                    targets += _call_destinations(fa, fn, c)
                    for f in sorted(setter_fields(c)):
                        out.append((f, fn, st.line, " ".join(texts)))
                for lhs in targets:
                    for f in sorted(_written_fields(fa, lhs, taint)):
                        out.append((f, fn, st.line, " ".join(texts)))
        return out
    return ctx.memo("source.header_writes", make)


class RewritePass(Pass):
    name = "RewritePass"
    level = "source"

    def run(self, unit, ctx):
        facts, seen = [], set()
        for f, fn, line, text in header_writes(unit, ctx):
            if f in seen:
                continue
            seen.add(f)
            facts.append(self.fact("rewrite", {"field": f}, fn.file, line,
                                   f"{fn.qualname} writes the packet's {f}: {text[:80]}",
                                   confidence=0.8))
        return facts
