"""State containers held by an NF, and whether each one is keyed by packet data.

``state_catalog`` lists the candidate containers (members of the NF's classes
and of the classes its per-packet code runs in, file-scope variables, DPDK
per-lcore variables, the fields of a global "main" struct and of its
per-thread records); ``StateContainerPass`` reports as per-flow state those
the per-packet code looks up with a packet-derived key *and* writes (insert
or entry update), and the per-flow state blocks a flow manager hands to
per-packet hooks.  Keyed but never written per packet = a lookup table
(routes, configuration): reported with ``per_flow: false``.  Other state
written per packet (counters) is reported as not per-flow.  With no per-flow
state it emits a ``stateless`` fact saying why.  Each fact carries the
container's sharing (``source_sharing``).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import source_sharing as sh
from .analyses import state_writes
from .base import Pass
from .knowledge import match, names, rows
from .knowledge.schema import CONTEXT, NON_STATE, PACKET, SCALAR, VEC_OP
from .source_dataflow import flow_facts, paths_in, split_assignment, lhs_target
from .source_tu import (PACKET_API, FunctionInfo, RecordInfo, Stmt, TypedName, reachable,
                        source_index, spell, stmts_of)

# Framework knowledge (reviewed rows in passes/knowledge, matched exactly).
SCALAR_WORDS = names(SCALAR)                  # numbers and flags, never a table
NON_STATE_TYPES = names(NON_STATE)            # framework objects a member may hold: not state
# Parameter types that are the packet, never a per-flow block.
PACKET_TYPES = names(PACKET)
# Framework context parameters that sit next to the packet but are not flow state.
CONTEXT_TYPES = names(CONTEXT)
# VPP pool macros: a member they operate on is a pool of entries.
POOL_CALLS = frozenset(r.name for r in rows(VEC_OP) if r.name.startswith("pool_"))


PER_LCORE_PREFIX = "per_lcore_"


@dataclass
class Candidate(TypedName):
    file: str
    line: int
    owner: str                  # record name or '' for globals


def container_kind(type_tokens: list[str], uses: set[str], index=None) -> str:
    """hashtable | map | array | pool | bihash | rte_hash | counter | scalar | other.

    From the framework container the type names (exactly, through the NF's
    typedefs when ``index`` is given), never from a look-alike name."""
    text = " ".join(type_tokens)
    if set(uses) & POOL_CALLS:
        return "pool"
    kind = match.container_kind(type_tokens, index)
    if kind and kind != "string":
        return kind
    if "*" in type_tokens or "[" in type_tokens:
        return "array"
    if any(t in SCALAR_WORDS for t in type_tokens):
        return "counter" if "bool" not in type_tokens else "scalar"
    return "other" if text else "scalar"


def value_type(type_tokens: list[str]) -> str | None:
    """Value type of a template container: last top-level argument of the innermost table."""
    if "<" not in type_tokens:
        if "*" in type_tokens:
            return spell([t for t in type_tokens if t not in ("*", "const", "struct")]) or None
        return None
    start = type_tokens.index("<")
    args, cur, depth = [], [], 0
    for t in type_tokens[start:]:
        if t == "<":
            depth += 1
            if depth == 1:
                continue
        elif t in (">", ">>"):
            depth -= 2 if t == ">>" else 1
            if depth <= 0:
                break
        if t == "," and depth == 1:
            args.append(cur)
            cur = []
        else:
            cur.append(t)
    args.append(cur)
    if sh.per_core_wrapper(type_tokens[:start]) is not None and args:
        return value_type(args[0]) or spell(args[0])
    return spell(args[-1]) if args and args[-1] else None


def state_catalog(unit, ctx) -> list[Candidate]:
    def make():
        index = source_index(unit, ctx)
        reach = reachable(unit, ctx)
        names = [unit.name, *unit.bases] + [f.owner for f in reach.functions if f.owner]
        recs, seen = [], set()
        while names:
            n = names.pop(0)
            r = index.records.get(n)
            if r is None or n in seen:
                continue
            seen.add(n)
            recs.append(r)
            names += [t for b in r.bases for t in b if t in index.records]
        out = [Candidate(f.name, f.type_tokens, f.file, f.line, r.name)
               for r in recs for f in r.fields]
        for g in index.globals:
            if g.name.startswith(PER_LCORE_PREFIX):   # DPDK RTE_DEFINE_PER_LCORE(T, name)
                out.append(Candidate(g.name[len(PER_LCORE_PREFIX):], ["per_lcore", "<"] +
                                     g.type_tokens + [">"], g.file, g.line, ""))
                continue
            out.append(Candidate(g.name, g.type_tokens, g.file, g.line, ""))
            rec = None if any(t in ("*", "[") for t in g.type_tokens) else \
                _record_of(index, g.type_tokens)
            if rec is not None:       # VPP: the plugin's main struct holds the tables
                out += [Candidate(f.name, f.type_tokens, f.file, f.line, rec.name)
                        for f in rec.fields]
                for f in rec.fields:  # ... directly or in its per-thread data records
                    sub = _record_of(index, f.type_tokens)
                    if sub is not None and sub is not rec:
                        out += [Candidate(x.name, x.type_tokens, x.file, x.line, sub.name)
                                for x in sub.fields]
        return [c for c in out if not any(t in NON_STATE_TYPES for t in c.type_tokens)
                or _table_of_packets(c.type_tokens)]
    return ctx.memo("source.catalog", make)


def _table_of_packets(type_tokens: list[str]) -> bool:
    """``WritablePacket *_map[NMAP]``: an array of packet queues (fragments waiting
    for their datagram) is a table, though a single ``Packet *`` member is not."""
    return "[" in type_tokens and any(t in PACKET_TYPES for t in type_tokens)


def _record_of(index, type_tokens: list[str]) -> RecordInfo | None:
    for t in type_tokens:
        if t in index.records:
            return index.records[t]
        if t in index.typedefs:
            for u in index.typedefs[t]:
                if u in index.records:
                    return index.records[u]
    return None


def container_names(unit, ctx) -> set[str]:
    return {c.name for c in state_catalog(unit, ctx)}


def scalar_names(unit, ctx) -> frozenset[str]:
    """Candidates that are plain flags or numbers (never a table)."""
    # memoised: every ``unit_flow`` call asks, and classifying the catalog is not cheap
    return ctx.memo("source.scalars", lambda: frozenset(
        c.name for c in state_catalog(unit, ctx)
        if container_kind(c.type_tokens, set(), source_index(unit, ctx)) in ("counter", "scalar")))


def unit_flow(unit, ctx):
    return flow_facts(unit, ctx, container_names(unit, ctx), scalar_names(unit, ctx))


@dataclass
class Block:
    """A per-flow state block handed to a per-packet function by a flow manager."""
    fn: FunctionInfo
    param: str
    type_name: str
    file: str
    line: int


def state_blocks(unit, ctx) -> list[Block]:
    """Parameters like ``process(State* s, Packet* p)`` / ``push_flow(int, T* fcb, PacketBatch*)``:
    a pointer to per-flow data next to the packet in a framework per-packet hook
    (API names such as process/push_flow), and the same type's parameters in the
    other per-packet functions (new-flow hooks)."""
    def make():
        reach = reachable(unit, ctx)
        if reach.fallback:
            return []
        index = source_index(unit, ctx)
        template_params = {t for r in index.records.values() for t in r.template_params}
        found = [(fn, p, name) for fn in reach.functions for p, name in _block_params(fn)
                 if name not in template_params]
        api_types = {name for fn, _, name in found if fn.name in PACKET_API}
        return [Block(fn, p.name, name, fn.file, fn.line) for fn, p, name in found
                if name in api_types]
    return ctx.memo("source.blocks", make)


def _block_params(fn: FunctionInfo):
    types = [p.type_tokens for p in fn.params]
    if not any(t in PACKET_TYPES for ts in types for t in ts):
        return
    for p in fn.params:
        ts = p.type_tokens
        if ("*" in ts and p.name and ts.count("*") == 1 and "const" not in ts and "void" not in ts
                and not any(t in PACKET_TYPES or t in NON_STATE_TYPES or t in CONTEXT_TYPES
                            for t in ts)):
            name = spell([t for t in ts if t not in ("*", "&", "struct")])
            if name not in ("char", "uint8_t", "unsigned char", "u8"):
                yield p, name


def statement_uses(unit, ctx) -> dict[str, list[tuple[FunctionInfo, Stmt]]]:
    """Container name -> per-packet statements that mention it."""
    def make():
        names = container_names(unit, ctx)
        uses: dict[str, list] = {}
        for fn in reachable(unit, ctx).functions:
            for st in stmts_of(fn, ctx):
                for t in set(st.texts) & names:
                    uses.setdefault(t, []).append((fn, st))
        return uses
    return ctx.memo("source.uses", make)


def protection_of(cand: Candidate, uses: list[tuple[FunctionInfo, Stmt]], ctx) -> tuple[bool | None, str]:
    """(per_core, protection) of one container."""
    index = source_index(ctx.unit, ctx)
    wrapper = sh.per_core_wrapper(cand.type_tokens, index)
    if wrapper:
        return True, "per-core"
    # indexed by a value derived from a framework thread id (data flow), or by one in place
    if cand.name in unit_flow(ctx.unit, ctx).thread_indexed or \
            any(sh.indexed_by_thread(st.texts, cand.name) for _, st in uses):
        return True, "per-core"
    if sh.thread_safe_type(cand.type_tokens, index):
        return False, "atomic" if sh.atomic_type(cand.type_tokens, index) else "lock"
    for fn, st in uses:
        if _under_lock(fn, st, ctx):
            return False, "lock"
        if any(sh.is_atomic_call(c.name, sh.receiver_type(c, sh.member_types(ctx))) for c in st.calls):
            return False, "atomic"
    return (False if wrapper is False else None), "none"


def _under_lock(fn: FunctionInfo, target: Stmt, ctx) -> bool:
    held = 0
    for st in stmts_of(fn, ctx):
        for c in st.calls:
            if sh.is_lock_call(c.name, sh.receiver_type(c, sh.member_types(ctx))):
                held += 1
            elif sh.is_unlock_call(c.name, sh.receiver_type(c, sh.member_types(ctx))):
                held = max(0, held - 1)
        if any(t in sh.LOCK_GUARDS for t in st.texts) and not st.guarded:
            held += 1
        if st is target:
            return held > 0
    return False


def written_members(unit, ctx) -> dict[str, tuple[FunctionInfo, Stmt]]:
    """Members/globals assigned or incremented on per-packet paths."""
    # memoised: the pointer pass asks once per field of every per-flow type
    return ctx.memo("source.written", lambda: _written_members(unit, ctx))


def _written_members(unit, ctx) -> dict[str, tuple[FunctionInfo, Stmt]]:
    names = container_names(unit, ctx)
    out: dict[str, tuple[FunctionInfo, Stmt]] = {}
    if reachable(unit, ctx).fallback:       # no per-packet code: nothing is written per packet
        return out
    for fn in reachable(unit, ctx).functions:
        for st in stmts_of(fn, ctx):
            texts = st.texts
            targets = []
            asg = split_assignment(texts)
            if asg:
                targets.append(lhs_target(asg[0])[0])
            for i, t in enumerate(texts):
                if t in ("++", "--"):
                    ps = paths_in(texts[:i]) if i and texts[i - 1] not in ("(", ",") else paths_in(texts[i + 1:])
                    if ps:
                        targets.append(ps[-1][0] if i and texts[i - 1] not in ("(", ",") else ps[0][0])
            for tg in targets:
                for part in tg.split("."):
                    if part in names:
                        out.setdefault(part, (fn, st))
                        break
    return out


class StateContainerPass(Pass):
    name = "StateContainerPass"
    level = "source"

    def run(self, unit, ctx):
        index = source_index(unit, ctx)
        cat = {c.name: c for c in state_catalog(unit, ctx)}
        flow = unit_flow(unit, ctx)
        uses = statement_uses(unit, ctx)
        facts, reported = [], set()
        written = {w.container for w in state_writes(unit, ctx)}
        for lk in flow.lookups:
            if lk.container in reported or lk.container not in cat:
                continue
            if lk.container not in written:
                # looked up per packet but never written by per-packet code:
                # a configuration / routing table, not per-flow state
                reported.add(lk.container)
                c = cat[lk.container]
                facts.append(self.fact("state", {
                    "container": c.name, "type": c.type_text,
                    "kind": container_kind(c.type_tokens, set(), index), "per_flow": False,
                    "per_core": None, "protection": None, "value_type": value_type(c.type_tokens),
                    "read_only": True,
                }, lk.fn.file, lk.line, f"{c.name}: looked up with packet fields "
                   f"{','.join(sorted(lk.fields))} but never written per packet (a lookup table)",
                    confidence=0.7))
                continue
            reported.add(lk.container)
            c = cat[lk.container]
            per_core, prot = protection_of(c, uses.get(c.name, []), ctx)
            if lk.inner in cat:     # a wrapper class: its inner table decides
                per_core, prot = protection_of(cat[lk.inner], uses.get(lk.inner, []), ctx)
            if lk.thread_local or (lk.via in cat and
                                   protection_of(cat[lk.via], uses.get(lk.via, []), ctx)[0]):
                per_core, prot = True, "per-core"
            kind = container_kind(c.type_tokens, {x.name for _, s in uses.get(c.name, [])
                                                  for x in s.calls}, index)
            facts.append(self.fact("state", {
                "container": c.name, "type": c.type_text, "kind": kind, "per_flow": True,
                "per_core": per_core, "protection": prot, "value_type": value_type(c.type_tokens),
            }, lk.fn.file, lk.line,
                f"{c.name}: {c.type_text} looked up by {lk.how} with packet fields "
                f"{','.join(sorted(lk.fields))}", confidence=0.85))
        for b in state_blocks(unit, ctx):
            if b.type_name in reported:
                continue
            reported.add(b.type_name)
            facts.append(self.fact("state", {
                "container": b.type_name, "type": b.type_name + " *", "kind": "other",
                "per_flow": True, "per_core": None, "protection": None, "value_type": b.type_name,
                "block": True,
            }, b.file, b.line,
                f"{b.fn.qualname} receives per-flow state block {b.type_name} *{b.param}",
                confidence=0.75))
        for name, (fn, st) in written_members(unit, ctx).items():
            if name in reported or name not in cat:
                continue
            c = cat[name]
            per_core, prot = protection_of(c, uses.get(name, []), ctx)
            facts.append(self.fact("state", {
                "container": name, "type": c.type_text,
                "kind": container_kind(c.type_tokens, set(), index), "per_flow": False,
                "per_core": per_core, "protection": prot, "value_type": value_type(c.type_tokens),
            }, fn.file, st.line, f"{name}: {c.type_text} written per packet, not keyed by a flow",
                confidence=0.7))
        if not any(f.value["per_flow"] for f in facts):
            reach = reachable(unit, ctx)
            fn = next(iter(reach.roots), None)
            reason = ("no per-packet entry point in the unit's sources" if reach.fallback else
                      "no container is looked up with packet header fields and no per-flow "
                      "state block is received")
            facts.append(self.fact(
                "stateless", {"reason": reason, "no_entry": reach.fallback},
                fn.file if fn else (unit.files or [""])[0], fn.line if fn else 1,
                "no per-flow state on the per-packet path", confidence=0.3 if reach.fallback else 0.7))
        return facts
