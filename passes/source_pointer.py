"""Pointers and nested containers inside the per-flow state type.

The per-flow entry types are the state blocks handed to per-packet code and
the value types of keyed containers.  A field whose type is a pointer, a
reference or a container of its own (Vector, HashTable, std::vector, VPP vec)
makes the state irregular in memory.  A container is a framework container
type (``knowledge``: FastClick ``Vector``/``HashTable``/``String``, ``std::``
containers, VPP bihash) matched exactly, or a record of the NF whose own
definition holds one or a pointer -- never a type whose name merely looks like
a container (``FooVector`` with scalar members is plain data).  A pointer that
per-packet code never dereferences (an opaque library handle only passed to
calls, e.g. a regex stream) is not reported: the NF itself does no irregular
access through it.
"""
from __future__ import annotations

from .base import Pass
from .knowledge import match, names
from .knowledge.schema import CONTAINER, INDEX_CALL, VEC_OP
from .analyses import (container_kind, state_blocks, state_catalog, unit_flow, value_type,
                       written_members)
from .source_tu import reachable, source_index, spell, stmts_of, unique_by

# Framework container names (matching goes through ``knowledge.match``).
NESTED = tuple(sorted(names(CONTAINER)))
SKIP_POINTEE = {"char"}


def entry_types(unit, ctx) -> list[tuple[str, str, str, int]]:
    """(container, per-flow entry type, file, line) for each per-flow container: the
    block types handed to per-packet hooks, the value types of keyed tables, and
    the declared types of the variables that hold a looked-up entry."""
    out = [(b.type_name, b.type_name, b.file, b.line) for b in state_blocks(unit, ctx)]
    cat = {c.name: c for c in state_catalog(unit, ctx)}
    flow = unit_flow(unit, ctx)
    for lk in flow.lookups:
        c = cat.get(lk.container)
        if c is None:
            continue
        if container_kind(c.type_tokens, {lk.how}, source_index(unit, ctx)) in (
                "hashtable", "map", "pool", "array"):
            vt = value_type(c.type_tokens)
            if vt:
                out.append((lk.container, vt, lk.fn.file, lk.line))
        for t in sorted(flow.entry_types.get(lk.container, ())):
            out.append((lk.container, t, lk.fn.file, lk.line))
    out += pool_entry_types(unit, ctx, {lk.container for lk in flow.lookups})
    return out


POOL_ELT_CALLS = tuple(n for n in sorted(names(INDEX_CALL)) if n != "pool_is_free_index"
                       and n != "vec_elt")


def pool_entry_types(unit, ctx, containers: set[str]) -> list[tuple[str, str, str, int]]:
    """Element types of the pools a per-flow container holds, from the code that
    takes their elements: ``pool_get (db->st._tcp_st, ste)`` or ``st = db->st._tcp_st;
    ste = pool_elt_at_index (st, i)`` with ``nat64_db_st_entry_t *ste`` -- VPP
    pools hidden behind macro-generated field names are linked to the container
    through the path that reaches them."""
    out = []
    for fn in source_index(unit, ctx).functions:
        sts = stmts_of(fn, ctx)
        types = _pointer_locals(sts)
        via: dict[str, str] = {}             # local pool variable -> container
        for st in sts:
            t = st.texts
            for k in range(len(t) - 2):
                if t[k + 1] == "=" and t[k] in types and k + 4 < len(t):
                    cont = _member_container(t[k + 2:], containers)
                    if cont:
                        via[t[k]] = cont
            for c in st.calls:
                if not c.args or not (c.name == "pool_get" or c.name in POOL_ELT_CALLS):
                    continue
                arg0 = list(c.args[0])
                cont = _member_container(arg0, containers) or (
                    via.get(arg0[0]) if len(arg0) == 1 else None)
                if c.name == "pool_get" and len(c.args) >= 2 and len(c.args[1]) == 1:
                    elem = c.args[1][0]
                else:
                    k = c.start
                    elem = t[k - 2] if k >= 2 and t[k - 1] == "=" else None
                if cont and elem in types:
                    out.append((cont, types[elem], fn.file, st.line))
    return out


def _pointer_locals(sts) -> dict[str, str]:
    """``T *a, *b`` declarations of a function: local -> T."""
    out = {}
    for st in sts:
        t = st.texts
        if len(t) >= 3 and t[1] == "*" and t[0][:1].isalpha() and t[0] not in ("return", "else"):
            for k in range(1, len(t) - 1):
                if t[k] == "*" and (k == 1 or t[k - 1] == ",") and t[k + 1][:1].isalpha():
                    out[t[k + 1]] = t[0]
    return out


def _member_container(tokens, containers: set[str]) -> str | None:
    """``db -> st . _unk_proto_st``: the per-flow container named on the way."""
    toks = list(tokens)
    for k in range(1, len(toks) - 1):
        if toks[k] in containers and toks[k - 1] in ("->", ".") and toks[k + 1] in ("->", "."):
            return toks[k]
    return None


def record_fields(index, name: str, seen: set[str]):
    """Fields of a record and of its bases, following typedefs."""
    name = name.replace("struct ", "").replace("*", "").replace("const ", "").strip()
    rec = index.records.get(name)
    if rec is None and name in index.typedefs:
        rec = next((index.records[t] for t in index.typedefs[name] if t in index.records), None)
    if rec is None or rec.name in seen:
        return []
    seen.add(rec.name)
    out = list(rec.fields)
    for b in rec.bases:
        for t in b:
            if t in index.records:
                out += record_fields(index, t, seen)
    return out


def dereferenced(unit, ctx, field: str) -> bool:
    """Per-packet code indexes or dereferences ``x->field`` / ``x.field``."""
    for fn in reachable(unit, ctx).functions:
        for st in stmts_of(fn, ctx):
            t = st.texts
            for i in range(1, len(t) - 1):
                if t[i] == field and t[i - 1] in ("->", "."):
                    nxt = t[i + 1]
                    if nxt in ("[", "->") or (nxt == "." and i + 2 < len(t)):
                        return True
                    j = i - 2
                    while j > 0 and t[j - 1] in ("->", "."):
                        j -= 2
                    if j > 0 and t[j - 1] == "*" and (j < 2 or t[j - 2] in ("(", "=", ",", "return")):
                        return True
    return False


VEC_MACROS = names(VEC_OP)


def used_as_vector(unit, ctx, field: str) -> bool:
    """``vec_add1 (e->field, x)``: a VPP vector/pool held in the entry."""
    for fn in reachable(unit, ctx).functions:
        for st in stmts_of(fn, ctx):
            for c in st.calls:
                if c.name in VEC_MACROS and c.args and field in c.args[0]:
                    return True
    return False


INDEX_CALLS = tuple(sorted(names(INDEX_CALL)))


def index_params(unit, ctx) -> dict[str, set[int]]:
    """Unit helpers whose parameter i ends up as a pool/vector index
    (``entry_by_index (db, proto, i) { return pool_elt_at_index (bib, i); }``)."""
    def make():
        out: dict[str, set[int]] = {}
        for fn in source_index(unit, ctx).functions:
            names = {p.name: i for i, p in enumerate(fn.params)}
            for st in stmts_of(fn, ctx):
                for c in st.calls:
                    if c.name in INDEX_CALLS and len(c.args) >= 2:
                        for t in c.args[1]:
                            if t in names:
                                out.setdefault(fn.name, set()).add(names[t])
        return out
    return ctx.memo("source.index_params", make)


def used_as_index(unit, ctx, field: str) -> bool:
    """``pool_elt_at_index (pool, e->field)``: the field names another object."""
    helpers = index_params(unit, ctx)
    written = set(written_members(unit, ctx))
    for fn in reachable(unit, ctx).functions:
        for st in stmts_of(fn, ctx):
            if subscripted_by(st.texts, field, written):
                return True
            for c in st.calls:
                slots = [1] if c.name in INDEX_CALLS else sorted(helpers.get(c.name, ()))
                for i in slots:
                    if i < len(c.args) and _member_in(c.args[i], field):
                        return True
    return False


def subscripted_by(texts: list[str], field: str, state: set[str]) -> bool:
    """``peers[c->peer_index]``: the field indexes another array the NF writes per
    packet (an index into a read-only configuration table is not a pointer)."""
    for i, t in enumerate(texts):
        if t == "[" and i and texts[i - 1] in state:
            depth, j = 0, i
            inner = []
            while j < len(texts):
                depth += texts[j] == "["
                depth -= texts[j] == "]"
                if depth == 0:
                    break
                inner.append(texts[j])
                j += 1
            if _member_in(inner[1:], field):
                return True
    return False


def _member_in(arg, field: str) -> bool:
    a = list(arg)
    return any(t == field and k and a[k - 1] in ("->", ".") for k, t in enumerate(a))


def nested_container(unit, ctx, index, type_tokens: list[str]) -> str | None:
    """Why a member of this (non-pointer) type is a container of its own, or None:
    it names a framework container, or a record of the NF whose definition holds
    a framework container or a pointer that per-packet code chases."""
    kind = match.container_kind(type_tokens, index)
    if kind:
        return f"nested {kind} container"
    for t in type_tokens:
        why = _record_holds(unit, ctx, index, t, set())
        if why:
            return why
    return None


def _record_holds(unit, ctx, index, type_name: str, seen: set[str]) -> str | None:
    rec = index.record(type_name) if type_name[:1].isalpha() or type_name[:1] == "_" else None
    if rec is None or rec.name in seen:
        return None
    seen.add(rec.name)
    for f in rec.fields:
        ts = f.type_tokens
        if ("*" in ts or "&" in ts) and not any(t in SKIP_POINTEE for t in ts):
            target = pointee(ts)
            if target in index.records or target in index.typedefs or \
                    dereferenced(unit, ctx, f.name) or used_as_vector(unit, ctx, f.name):
                return f"{rec.name} holds pointer {f.name}"
            continue
        kind = match.container_kind(ts, index)
        if kind:
            return f"{rec.name} holds a {kind} container ({f.name})"
        for t in ts:
            if t != rec.name:
                why = _record_holds(unit, ctx, index, t, seen)
                if why:
                    return why
    return None


def pointee(type_tokens: list[str]) -> str:
    return spell([t for t in type_tokens if t not in ("*", "&", "const", "struct", "volatile")])


class PointerFieldPass(Pass):
    name = "PointerFieldPass"
    level = "source"

    def run(self, unit, ctx):
        index = source_index(unit, ctx)
        facts = []
        for cont, tname, file, line in unique_by(entry_types(unit, ctx), lambda e: e[:2]):
            if tname.rstrip().endswith("*"):
                # the table stores pointers: each flow's state lives in its own heap object
                facts.append(self.fact("pointer_field", {
                    "container": cont, "field": "*", "type": tname, "nested": False,
                    "deref": True}, file, line, f"{cont}: per-flow values are pointers ({tname})",
                    confidence=0.75))
            for f in record_fields(index, pointee(tname.split()), set()):
                fact = self.field_fact(unit, ctx, index, cont, pointee(tname.split()), f)
                if fact:
                    facts.append(fact)
        return facts

    def field_fact(self, unit, ctx, index, cont: str, owner: str, f):
        """A pointer_field fact for one field of the per-flow type, or None."""
        ts = f.type_tokens
        pointer = ("*" in ts or "&" in ts) and not any(t in SKIP_POINTEE for t in ts)
        nested = nested_container(unit, ctx, index, ts) if not pointer else None
        if not (pointer or nested):
            if used_as_index(unit, ctx, f.name):
                return self.fact("pointer_field", {
                    "container": cont, "entry_type": owner, "field": f.name, "type": f.type_text,
                    "nested": False, "deref": True, "index": True}, f.file, f.line,
                    f"{owner}.{f.name}: {f.type_text} indexes another pool object", confidence=0.7)
            return None
        target = pointee(ts)
        to_record = target in index.records or target in index.typedefs
        why = (nested if nested else "points to " + target if to_record else
               "dereferenced per packet" if dereferenced(unit, ctx, f.name) else
               "VPP vector" if used_as_vector(unit, ctx, f.name) else None)
        if why is None:
            return None   # opaque library handle the NF never chases
        return self.fact("pointer_field", {
            "container": cont, "entry_type": owner, "field": f.name, "type": f.type_text,
            "nested": bool(nested),
            "deref": True}, f.file, f.line, f"{owner}.{f.name}: {f.type_text} ({why})",
            confidence=0.8)
