"""Per-packet vs per-flow writes of per-flow state.

For every per-packet function, the variables holding a per-flow entry (from
a keyed lookup, a helper returning one, a lookup's data output, or a state
block parameter) are followed; a write through one of them (assignment,
++/--, a mutating method call on a member, passing a handle to a library
call) or an insert into a per-flow container is classified by the path it
sits on (``source_tu.on_common_path``):

- every-packet: no guard, or only guards every packet of a flow takes after
  its first -- the 'found' side of a lookup test (including early returns
  on a hit), the 'else' of a branch on the entry's own state, protocol
  dispatch, filters on the packet or the configuration;
- per-flow: the 'not found' side of a lookup, the 'then' of a branch on the
  entry's state (first packet, expiry, limit), TCP SYN/FIN/RST handling,
  one arm of a ``?:``, and functions reached only through such paths.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import knowledge
from .base import Pass
from .knowledge.schema import INSERT_CALL, INSERT_METHOD, READ_METHOD, TABLE_CALL
from .source_dataflow import paths_in, split_assignment
from .analyses import state_blocks, unit_flow
from .source_tu import (C_KEYWORDS, CallGraph, FunctionInfo, Stmt, calls_in, lookup_vars, on_common_path, reachable,
                        source_index, stmts_of)

# Framework knowledge (passes/knowledge), matched by exact name.
INSERT_CALLS = tuple(sorted({r.name for r in knowledge.rows(TABLE_CALL) if r.kind == "insert"}
                            | knowledge.names(INSERT_CALL)))
INSERT_METHODS = knowledge.names(INSERT_METHOD)
READ_METHODS = knowledge.names(READ_METHOD)


@dataclass
class Write:
    container: str
    fn: FunctionInfo
    stmt: Stmt
    every_packet: bool
    how: str


def entry_vars(unit, ctx, fn: FunctionInfo) -> dict[str, str]:
    flow = unit_flow(unit, ctx)
    out = dict(flow.entries.get(id(fn), {}))
    for b in state_blocks(unit, ctx):
        if b.fn is fn:
            out[b.param] = b.type_name
    for var, cont in lookup_outputs(unit, ctx, fn).items():
        out.setdefault(var, cont)
    return out


def table_params(unit, ctx, fn: FunctionInfo) -> dict[str, str]:
    """Parameters of ``fn`` bound to a per-flow container: ``fn`` implements the
    table (``lb_hash_get (lb_hash_t *ht, ...)`` called with ``sticky_ht``)."""
    aliases = unit_flow(unit, ctx).aliases.get(id(fn), {})
    return {p.name: aliases[p.name] for p in fn.params if p.name in aliases}


def slot_outputs(unit, ctx, fn: FunctionInfo) -> dict[int, str]:
    """Output parameters a table routine fills from a slot of its table
    (``*found_value = bucket->value[i]``): parameter index -> container."""
    def make():
        entries = unit_flow(unit, ctx).entries.get(id(fn), {})
        tables = set(table_params(unit, ctx, fn).values())
        names = {p.name: i for i, p in enumerate(fn.params) if "*" in p.type_tokens}
        out: dict[int, str] = {}
        for st in stmts_of(fn, ctx):
            asg = split_assignment(st.texts)
            if not asg or len(asg[0]) != 2 or asg[0][0] != "*" or asg[0][1] not in names:
                continue
            roots = {p.split(".")[0] for p, _ in paths_in(asg[1])} - {asg[0][1]}
            conts = {entries[r] for r in roots if r in entries} & tables
            if conts:
                out[names[asg[0][1]]] = sorted(conts)[0]
        return out
    return ctx.memo(f"source.slot_outputs.{id(fn)}", make)


def lookup_outputs(unit, ctx, fn: FunctionInfo) -> dict[str, str]:
    """Caller variables a table routine's lookup result is written into
    (``lb_hash_get (sticky_ht, ..., &asindex0)``): they hold the flow's entry
    value, so ``if (asindex0 != 0)`` tests hit / miss."""
    index = source_index(unit, ctx)
    out: dict[str, str] = {}
    for st in stmts_of(fn, ctx):
        for c in st.calls:
            for g in index.functions_named(c.name):
                if g is fn:
                    continue
                for i, cont in slot_outputs(unit, ctx, g).items():
                    arg = list(c.args[i]) if i < len(c.args) else []
                    if len(arg) == 2 and arg[0] == "&":
                        out[arg[1]] = cont
    return out


def result_output(w: "Write", unit, ctx) -> bool:
    """``*found_value = bucket->value[i]``: a lookup routine handing its result
    to the caller's local, not a write into the table."""
    asg = split_assignment(w.stmt.texts)
    if not asg or len(asg[0]) != 2 or asg[0][0] != "*":
        return False
    outs = slot_outputs(unit, ctx, w.fn)
    return any(w.fn.params[i].name == asg[0][1] for i in outs if i < len(w.fn.params))


def helper_results(unit, ctx, fn: FunctionInfo) -> dict[str, str]:
    """Entry variables assigned from a unit helper's return (``ste =
    nat64_db_st_entry_find (...)``): the helper searched the table, so
    ``if (ste)`` tests hit / miss rather than the entry's state."""
    index = source_index(unit, ctx)
    entries = unit_flow(unit, ctx).entries.get(id(fn), {})
    out: dict[str, str] = {}
    for st in stmts_of(fn, ctx):
        asg = split_assignment(st.texts)
        if not asg:
            continue
        target = [p for p, _ in paths_in(asg[0])]
        calls = calls_in(asg[1])
        if len(target) == 1 and target[0] in entries and calls and calls[0].start == 0 \
                and any(g is not fn for g in index.functions_named(calls[0].name)):
            out[target[0]] = entries[target[0]]
    return out


def found_vars(unit, ctx, fn: FunctionInfo) -> dict[str, None]:
    """Lookup results that are not plain search calls: out-parameters of a table
    routine and entries returned by a helper."""
    return dict.fromkeys({**helper_results(unit, ctx, fn), **lookup_outputs(unit, ctx, fn)})


def table_maintenance(w: "Write", unit, ctx) -> bool:
    """An expiry refresh inside the table's own routine: ``bucket->timeout[i] =
    time_now + ht->timeout`` in ``lb_hash_get (lb_hash_t *ht, ...)``.  The value
    is built from the table's own setting (a field read through the table
    parameter), not from the NF's flow state: it is the container's aging, like
    the internals of a library table, and is not counted as a flow-state write
    (docs/features.md)."""
    tables = {p for p, c in table_params(unit, ctx, w.fn).items() if c == w.container}
    asg = split_assignment(w.stmt.texts)
    if not tables or not asg or w.how != "assignment":
        return False
    rhs = asg[1]
    return any(t in tables and k + 2 < len(rhs) and rhs[k + 1] in ("->", ".")
               for k, t in enumerate(rhs))


def writes_in(stmt: Stmt, entries: dict[str, str], containers: set[str],
              handles: frozenset[str] = frozenset(),
              aliases: dict[str, str] | None = None,
              local_fns: frozenset[str] = frozenset(),
              refs: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(container, how) for each write through an entry variable or into a container.

    ``handles``: pointer fields of entry types; passing one (or the address of
    any entry field) to a call lets the callee update the flow's state."""
    texts, out = stmt.texts, []
    asg = split_assignment(texts)
    if asg and not stmt.is_condition:
        lhs = asg[0]
        ps = paths_in(lhs)
        if ps:
            root = ps[-1][0].split(".")[0]
            deref = "." in ps[-1][0] or "[" in lhs or (lhs and lhs[0] == "*") or root in refs
            decl = ps[-1][1] > 0 and lhs[ps[-1][1] - 1] not in ("*", "(")
            if root in entries and deref and not decl:
                out.append((entries[root], "assignment"))
            elif "[" in lhs and (root in containers or root in (aliases or {})):
                out.append((root if root in containers else aliases[root], "indexed assignment"))
    for i, t in enumerate(texts):
        if t in ("++", "--"):
            prev = texts[i - 1] if i else ""
            prefix = i + 1 < len(texts) and (prev in C_KEYWORDS or not (
                prev[:1].isalnum() or prev[:1] == "_" or prev in (")", "]")))
            side = texts[i + 1:] if prefix else texts[:i]
            ps = paths_in(side)
            p = (ps[0] if prefix else ps[-1]) if ps else None
            if p:
                root = p[0].split(".")[0]
                if root in entries and ("." in p[0] or "*" in side or "[" in side
                                        or root in refs):     # uint64_t &n = t[k]; n++
                    out.append((entries[root], t))
                elif root in containers and "[" in side:
                    out.append((root, t))
    for c in stmt.calls:
        if c.receiver and c.name not in READ_METHODS:
            recv = [p for p, at in paths_in(texts[:c.start])]
            if recv:
                root = recv[-1].split(".")[0]
                if root in entries and "." in recv[-1] and _is_call_statement(texts, c):
                    out.append((entries[root], f"{c.name}()"))    # e->tb.refill();
                elif c.name in INSERT_METHODS and (root in containers or root in (aliases or {})):
                    out.append((root if root in containers else aliases[root], f"{c.name}()"))
        elif not c.receiver and c.name not in local_fns and \
                any(_passes_entry_state(a, entries, handles) for a in c.args):
            arg = next(a for a in c.args if _passes_entry_state(a, entries, handles))
            out.append((entries[arg[0] if arg[0] != "&" else arg[1]], f"passed to {c.name}()"))
        elif c.name in INSERT_CALLS and c.args:
            tab = [p for p, _ in paths_in(list(c.args[0]))]
            for p in tab:
                hit = next((x for x in reversed(p.split(".")) if x in containers), None)
                hit = hit or (aliases or {}).get(p.split(".")[0])
                if hit:
                    out.append((hit, c.name))
                    break
    return out


def _is_call_statement(texts: list[str], c) -> bool:
    """``e->tb.refill(...)`` as a statement of its own: its value is not read."""
    recv = paths_in(texts[:c.start])
    return len(recv) == 1 and recv[0][1] == 0 and texts[-1] == ")"


def _passes_entry_state(arg: tuple[str, ...], entries: dict[str, str], handles) -> bool:
    """``&e->f`` or ``e->h`` (h a pointer field) as a call argument."""
    a = list(arg)
    if len(a) >= 4 and a[0] == "&" and a[1] in entries and a[2] in ("->", "."):
        return True
    return len(a) == 3 and a[0] in entries and a[1] in ("->", ".") and a[2] in handles


def handle_fields(unit, ctx) -> frozenset[str]:
    from .analyses import entry_types, record_fields
    index = source_index(unit, ctx)
    out = set()
    for _, tname, _, _ in entry_types(unit, ctx):
        out |= {f.name for f in record_fields(index, tname, set()) if "*" in f.type_tokens}
    return frozenset(out)


def always_run(unit, ctx) -> set[int]:
    """Functions every packet of a flow runs, judging branches on flow state with
    the entry variables the data-flow analysis found in each function."""
    def make():
        reach = reachable(unit, ctx)
        graph = CallGraph(source_index(unit, ctx), ctx,
                          lambda fn: frozenset(entry_vars(unit, ctx, fn)),
                          lambda fn: found_vars(unit, ctx, fn))
        return graph.closure(reach.roots, True)
    return ctx.memo("source.always", make)


def find_writes(unit, ctx, containers: set[str]) -> list[Write]:
    reach = reachable(unit, ctx)
    always = always_run(unit, ctx)
    handles = handle_fields(unit, ctx)
    # the unit's own helpers are analysed directly (their parameters become entries)
    local_fns = frozenset(f.name for f in source_index(unit, ctx).functions)
    out = []
    for fn in reach.functions:
        entries = entry_vars(unit, ctx, fn)
        aliases = unit_flow(unit, ctx).aliases.get(id(fn), {})
        refs = frozenset(unit_flow(unit, ctx).refs.get(id(fn), ()))
        sts = stmts_of(fn, ctx)
        found = {**{e: None for e in entries}, **lookup_vars(sts), **found_vars(unit, ctx, fn)}
        for st in sts:
            for cont, how in writes_in(st, entries, containers, handles, aliases, local_fns,
                                       refs):
                every = id(fn) in always and on_common_path(st, found, frozenset(entries))
                out.append(Write(cont, fn, st, every, how))
    return out


class StateWritePass(Pass):
    name = "StateWritePass"
    level = "source"

    def run(self, unit, ctx):
        flow = unit_flow(unit, ctx)
        per_flow = {lk.container for lk in flow.lookups} | {b.type_name for b in state_blocks(unit, ctx)}
        writes = [w for w in find_writes(unit, ctx, per_flow) if w.container in per_flow]
        aging = [w for w in writes if w.every_packet and table_maintenance(w, unit, ctx)]
        writes = [w for w in writes if w not in aging and not result_output(w, unit, ctx)]
        facts = []
        for cont in sorted({w.container for w in writes}):
            ws = [w for w in writes if w.container == cont]
            every = sorted((w for w in ws if w.every_packet), key=lambda w: len(w.stmt.guards))
            w = every[0] if every else ws[0]
            path = "every-packet" if every else "per-flow"
            why = ("unconditional " if every else "only under a condition: ") + w.how
            facts.append(self.fact("state_write", {"container": cont, "path": path},
                                   w.fn.file, w.stmt.line,
                                   f"{cont} written in {w.fn.qualname} ({why})",
                                   confidence=0.8 if every else 0.7))
        return facts
