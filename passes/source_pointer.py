"""Pointers and nested containers inside the per-flow state type.

The per-flow entry types are the state blocks handed to per-packet code and
the value types of keyed containers.  A field whose type is a pointer, a
reference or a container of its own (Vector, HashTable, std::vector, VPP vec)
makes the state irregular in memory.  A pointer that per-packet code never
dereferences (an opaque library handle only passed to calls, e.g. a regex
stream) is not reported: the NF itself does no irregular access through it.
"""
from __future__ import annotations

from .base import Pass
from .source_state import container_kind, state_blocks, state_catalog, unit_flow, value_type
from .source_tu import reachable, source_index, spell, stmts_of

NESTED = ("Vector", "vector", "HashTable", "HashMap", "unordered_map", "map", "list", "deque",
          "String", "string", "Bitvector", "clib_bihash")
SKIP_POINTEE = {"char"}


def entry_types(unit, ctx) -> list[tuple[str, str, int]]:
    """(type name, file, line) of the per-flow entry types."""
    out = [(b.type_name, b.file, b.line) for b in state_blocks(unit, ctx)]
    cat = {c.name: c for c in state_catalog(unit, ctx)}
    for lk in unit_flow(unit, ctx).lookups:
        c = cat.get(lk.container)
        if c is None:
            continue
        if container_kind(c.type_tokens, {lk.how}) in ("hashtable", "map", "pool", "array"):
            vt = value_type(c.type_tokens)
            if vt:
                out.append((vt, lk.fn.file, lk.line))
    return out


def record_fields(index, name: str, seen: set[str]):
    """Fields of a record and of its bases, following typedefs."""
    name = name.replace("struct ", "").strip()
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


class PointerFieldPass(Pass):
    name = "PointerFieldPass"
    level = "source"

    def run(self, unit, ctx):
        index = source_index(unit, ctx)
        facts, seen_types = [], set()
        for tname, file, line in entry_types(unit, ctx):
            if tname in seen_types:
                continue
            seen_types.add(tname)
            for f in record_fields(index, tname, set()):
                ts = f.type_tokens
                pointer = ("*" in ts or "&" in ts) and not any(t in SKIP_POINTEE for t in ts)
                nested = any(n in t for t in ts for n in NESTED)
                if not (pointer or nested):
                    continue
                deref = nested or dereferenced(unit, ctx, f.name)
                if not deref:
                    continue   # opaque library handle: the NF never chases it
                facts.append(self.fact("pointer_field", {
                    "container": tname, "field": f.name, "type": f.type_text,
                    "nested": nested, "deref": deref,
                }, f.file, f.line,
                    f"{tname}.{f.name}: {f.type_text}" + (" (nested container)" if nested else
                                                         " (dereferenced per packet)"),
                    confidence=0.8))
        return facts
