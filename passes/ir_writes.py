"""WriteDominancePass: is per-flow state written on every packet, or only at setup?

State memory is what a keyed lookup hands back (its returned pointer, the
pointer loaded from its iterator / out-parameter, an array element indexed by
the returned position or handle: ``pool_elt_at_index(pool, value.value)``,
``&entries[pos]``), plus the per-flow blocks a flow manager passes to its
hooks (the source passes name those parameters; the IR finds them through
the ``#dbg_value`` records of the inlined hook's parameter).

A store (or memset/memcpy, atomicrmw) through state memory is an
``every-packet`` write when its block post-dominates the point where the
state became available, in the CFG (networkx, from the terminators) with the
lookup's *miss* edges and allocation-failure edges removed: the insertion
branch is the flow's first packet only, the hit branch is the common path.
Arms a phi of constants rules out once those edges are gone are removed too
(``keep = created ? new_flow(s, p) : true; if (keep) ...``).
Branches that test the entry's own contents (token counts, timestamps) do not
make a write rare -- unless their arm stores the packet's key into the entry
(claiming an empty slot of a hand-written table).  Writes in a callee count
at the call site, the function holding the lookup must itself run for every
packet (its call sites common in a root's batch loop), and a lookup that only
runs after another one missed writes at flow setup.  Insertion calls
(``set``, ``add_del``) write the table itself.  Anything else is ``per-flow``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import networkx as nx

from flowmagec.artifacts import KEY_FIELDS

from .base import Pass
from .ir_dataflow import PASS_THROUGH, flow_analysis
from .ir_module import IRFunction, Ins, own_files, source_hint

EXIT = "<exit>"
# Allocation functions (demangled names): a fresh object, not a lookup's result.
ALLOCATORS = ("operator new", "malloc", "calloc", "realloc", "rte_malloc", "rte_zmalloc",
              "rte_calloc", "clib_mem_alloc", "aligned_alloc", "posix_memalign")
WRITE_CALLS = ("llvm.memset", "llvm.memcpy", "llvm.memmove", "memset", "memcpy")


@dataclass(frozen=True)
class Origin:
    """Where state memory became available: a lookup's block or a hook's entry."""
    container: str
    fn: str
    block: str
    miss_edges: frozenset = frozenset()     # (from, to) blocks of the lookup's miss side
    caller: Optional["Origin"] = None       # for a callee's parameter: the call site
    call_block: str = ""


@dataclass
class StateWrite:
    container: str
    fn: IRFunction
    ins: Ins
    every_packet: bool


class PostDominators:
    """Post-dominator tree of a function's CFG (optionally without some edges).

    The exit is a virtual node after every ``ret``; blocks ending in
    ``unreachable`` (failed assertions) and exception edges lead nowhere."""

    def __init__(self, fn: IRFunction, cut: frozenset = frozenset()):
        g = fn.cfg.copy()
        g.remove_edges_from(cut)
        g.remove_edges_from(constant_branch_edges(fn, g))
        for ins in fn.ins:
            if ins.opcode == "ret":
                g.add_edge(ins.block, EXIT)
        self.graph = g
        self.idom: dict = {}
        if EXIT in g:
            rev = g.reverse(copy=False)
            live = nx.descendants(rev, EXIT) | {EXIT}
            self.idom = nx.immediate_dominators(rev.subgraph(live), EXIT)

    def dominates(self, later: str, earlier: str) -> bool:
        """``later`` is on every path from ``earlier`` to the exit."""
        if later == earlier:
            return True
        node = earlier
        for _ in range(len(self.idom) + 1):
            nxt = self.idom.get(node)
            if nxt is None or nxt == node:
                return False
            if nxt == later:
                return True
            node = nxt
        return False

    def controlling(self, block: str) -> list[tuple[str, str]]:
        """(branch block, successor taken) pairs ``block`` is control dependent on."""
        out = []
        for b in self.graph.nodes:
            succ = [s for s in self.graph.successors(b) if s != EXIT]
            if len(succ) < 2 or b not in self.idom or self.dominates(block, b):
                continue
            out += [(b, s) for s in succ if s in self.idom and self.dominates(block, s)]
        return out


_PHI_ARM_RE = re.compile(r'\[\s*([^,\]]+),\s*%("[^"]+"|[-\w.$]+)\s*\]')


def constant_branch_edges(fn: IRFunction, g: nx.DiGraph) -> set:
    """Arms of ``br i1 %c`` never taken in CFG ``g``: ``%c`` is a phi whose incoming
    values along the edges left in ``g`` are all one constant.  With a lookup's
    miss edges cut, ``keep = created ? new_flow(s, p) : true; if (keep) process(s, p)``
    always calls ``process`` for a packet of a known flow."""
    if fn.entry not in g:
        return set()
    live = nx.descendants(g, fn.entry) | {fn.entry}
    out = set()
    for ins in fn.ins:
        if ins.opcode != "br" or len(ins.operands) != 3 or ins.block not in live:
            continue
        cond = fn.value_of(ins.operands[0])
        if cond is None or cond.opcode != "phi":
            continue
        values = {v.strip() for v, pred in _PHI_ARM_RE.findall(cond.text)
                  if pred.strip('"') in live and g.has_edge(pred.strip('"'), cond.block)}
        labels = fn.successors.get(ins.block, [])
        if values in ({"true"}, {"false"}) and len(labels) == 2:
            out.add((ins.block, labels[1] if values == {"true"} else labels[0]))
    return out


def allocation_failure_edges(fn: IRFunction) -> frozenset:
    """Edges taken when ``malloc``/``new``/``pool_get``-style allocation returned NULL:
    error handling, not a path packets normally take."""
    cache = fn.__dict__.get("_alloc_fail")
    if cache is not None:
        return cache
    out = set()
    for ins in fn.ins:
        if ins.opcode != "br" or len(ins.operands) != 3:
            continue
        cond = fn.value_of(ins.operands[0])
        m = re.match(r"%\S+ = icmp (eq|ne) ptr (\S+), null", cond.text) if cond else None
        src = fn.value_of(cond.operands[0]) if m else None
        if src is None or src.opcode not in ("call", "invoke"):
            continue
        c = fn.callee(src)
        name = c.qualname if isinstance(c, IRFunction) else str(c or "")
        labels = fn.successors.get(ins.block, [])
        if name.startswith(ALLOCATORS) and len(labels) == 2:
            out.add((ins.block, labels[0] if m.group(1) == "eq" else labels[1]))
    fn.__dict__["_alloc_fail"] = frozenset(out)
    return fn.__dict__["_alloc_fail"]


def post_dominators(fn: IRFunction, cut: frozenset = frozenset()) -> PostDominators:
    cut = cut | allocation_failure_edges(fn)
    key = ("pdom", cut)
    cache = fn.__dict__.setdefault("_pdom_cache", {})
    if key not in cache:
        cache[key] = PostDominators(fn, cut)
    return cache[key]


def post_dominates(fn: IRFunction, later: str, earlier: str, cut: frozenset = frozenset()) -> bool:
    """Every path from ``earlier`` to the function's return passes ``later``
    (paths through removed edges ``cut`` and into ``unreachable`` don't count)."""
    return post_dominators(fn, cut).dominates(later, earlier)


def common_block(fn: IRFunction, block: str, cut: frozenset = frozenset()) -> bool:
    """Every packet passes ``block``: it post-dominates the function's entry or,
    inside a loop (the walk over a batch), the loop's header (lookup-miss and
    allocation-failure edges ``cut`` aside)."""
    start = fn.entry
    for scc in nx.strongly_connected_components(fn.cfg):
        if block in scc and (len(scc) > 1 or fn.cfg.has_edge(block, block)):
            heads = [b for b in scc if any(p not in scc for p in fn.cfg.predecessors(b))]
            start = heads[0] if heads else start
    return post_dominates(fn, block, start, cut)


class StateMemory:
    """State pointers and lookup handles of the per-packet functions, with their origins."""

    def __init__(self, unit, ctx):
        self.flow = flow_analysis(unit, ctx)
        self.mod = self.flow.mod
        self.state: dict = {}       # ValueRef -> Origin  (pointer into per-flow state)
        self.handles: dict = {}     # ValueRef -> Origin  (index/position/status of a lookup)
        self.holders: dict = {}     # root ValueRef -> Origin (iterator / out-parameter memory)
        self.derived: dict[str, str] = {}   # pool/array indexed by a lookup's handle -> table
        self._seed_lookups()
        self._seed_blocks(unit, ctx)
        self._propagate()

    # -- seeds
    def _seed_lookups(self):
        for lk in self.flow.lookups.values():
            origin = Origin(lk.container, lk.fn.name, lk.ins.block)
            for r in lk.results:
                if lk.how == "index" or str(r.type) == "ptr":
                    self.state[r] = origin
                else:
                    self.handles[r] = origin
            for r in lk.holders:
                self.holders[r] = origin

    def _seed_blocks(self, unit, ctx):
        if self.flow.pp.dispatch_missing:
            return      # hooks seen without their caller: new-flow vs per-packet is unknown
        from .analyses import state_blocks
        blocks = source_hint(ctx, "blocks", lambda: state_blocks(unit, ctx), [])
        debug = self.mod.debug
        for b in blocks:
            for fn in self.flow.pp.functions:
                if fn.simple == b.fn.name:
                    for a in fn.args:
                        if a.name == b.param:
                            self.state[a] = Origin(b.type_name, fn.name, fn.entry)
                for ins in fn.ins:
                    for var in fn.declared.get(ins.name, []):
                        sp = debug.subprogram_of(debug.ref(var, "scope"))
                        if debug.name(var) == b.param and debug.get(var, "arg") \
                                and debug.name(sp) == b.fn.name:
                            self.state[ins.ref] = Origin(b.type_name, fn.name, ins.block)

    # -- propagation inside and across functions
    def _propagate(self):
        fns = self.flow.pp.functions
        for _ in range(4):
            changed = False
            for fn in fns:
                for ins in fn.ins:
                    changed |= self._step(fn, ins)
            if not changed:
                break
        self._miss_edges()

    def _step(self, fn: IRFunction, ins: Ins) -> bool:
        op, ops = ins.opcode, ins.operands
        new: Optional[tuple[dict, Origin]] = None
        if ins.ref in self.state or ins.ref in self.handles:
            return False
        if op == "getelementptr":
            o = self.state.get(ops[0])
            if o is None:
                o = next((self.handles[x] for x in ops[1:] if x in self.handles), None)
                if o is not None:
                    # ``pool[value.value]``: the entry lives in the indexed pool/array
                    pool = self.flow.container_name(fn, ops[0])
                    if pool and pool != o.container:
                        self.derived.setdefault(pool, o.container)
                        o = Origin(pool, o.fn, o.block, o.miss_edges, o.caller, o.call_block)
            if o is not None:
                new = (self.state, o)
        elif op in PASS_THROUGH or op in ("phi", "select"):
            src = ops[1:] if op == "select" else ops
            o = self._earliest([self.state[x] for x in src if x in self.state])
            if o is not None:
                new = (self.state, o)
            else:
                h = self._earliest([self.handles[x] for x in src if x in self.handles])
                if h is not None:
                    new = (self.handles, h)
        elif op in ("zext", "sext", "trunc", "and", "urem", "srem"):    # widened / masked
            h = self.handles.get(ops[0])
            if h is not None:
                new = (self.handles, h)
        elif op == "load":
            root = self.flow.root(fn, ops[0])
            o = self.holders.get(root)
            if o is not None:
                new = (self.state if str(ins.ref.type) == "ptr" else self.handles, o)
            elif str(ins.ref.type) == "ptr" and ops[0] in self.state and self._entry_link(fn, ops[0]) \
                    and self.flow.inlined_table_method(ins) is None:   # not a library's bucket walk
                new = (self.state, self.state[ops[0]])
        elif op in ("call", "invoke"):
            return self._into_callee(fn, ins)
        elif op == "store" and ops[0] in self.state and self.flow.is_local(fn, ops[1]):
            root = self.flow.root(fn, ops[1])     # 'Session *s' kept in memory: loads give it back
            if root not in self.holders:
                self.holders[root] = self.state[ops[0]]
                return True
            return False
        if new is None:
            return False
        new[0][ins.ref] = new[1]
        return True

    def _earliest(self, origins: list[Origin]) -> Optional[Origin]:
        """Of the lookups merging at a phi (hit path, insertion path), the one
        laid out first: the lookup every packet makes."""
        def order(o: Origin):
            fn = self.mod.functions.get(o.fn)
            return fn.blocks.index(o.block) if fn and o.block in fn.blocks else 1 << 30
        return min(origins, key=order) if origins else None

    def _entry_link(self, fn: IRFunction, addr) -> bool:
        """A pointer read from state that leads to another entry: a bucket slot of
        an array of entry pointers (``buckets[h]``) or a chain link to the same
        record type (``e->chain``)."""
        lk = next((l for l in self.flow.lookups.values() if addr in l.results), None)
        if lk is not None and lk.how == "index":
            return True
        d = fn.value_of(addr)
        if d is None or d.opcode != "getelementptr":
            return False
        _, steps = self.flow.gep_steps(fn, d)
        named = [(c, m) for c, m in steps if m is not None and c is not None]
        if not named:
            return False
        record, member = named[-1]
        debug = self.mod.debug
        return debug.strip_qualifiers(debug.pointee(member.type_id)) == record

    def _into_callee(self, fn: IRFunction, ins: Ins) -> bool:
        callee = fn.callee(ins)
        if not isinstance(callee, IRFunction) or (fn.name, ins.index) in self.flow.lookups:
            return False
        changed = False
        returned = next((self.state[r.operands[0]] for r in callee.ins
                         if r.opcode == "ret" and r.operands and r.operands[0] in self.state), None)
        if returned is not None and ins.ref not in self.state:
            # a helper returning the flow's entry (``session_for(p)``): state from the call on
            self.state[ins.ref] = Origin(returned.container, fn.name, ins.block)
            changed = True
        for i, a in enumerate(ins.operands[:len(callee.args)]):
            o = self.state.get(a)
            if o is not None and callee.args[i] not in self.state:
                self.state[callee.args[i]] = Origin(o.container, callee.name, callee.entry,
                                                    caller=o, call_block=ins.block)
                changed = True
        return changed

    def _miss_edges(self):
        """Attach to each lookup origin the CFG edges taken when the lookup missed."""
        cuts: dict[tuple[str, str], set] = {}
        for fn in self.flow.pp.functions:
            for ins in fn.ins:
                if ins.opcode != "br" or len(ins.operands) != 3:
                    continue
                cond = fn.value_of(ins.operands[0])
                if cond is None or cond.opcode != "icmp":
                    continue
                miss = self._miss_side(cond)
                if miss is None:
                    continue
                origin, side = miss
                labels = fn.successors.get(ins.block, [])
                if len(labels) == 2:
                    cuts.setdefault((origin.fn, origin.block), set()).add(
                        (ins.block, labels[0] if side else labels[1]))
        for table in (self.state, self.handles):
            for v, o in list(table.items()):
                extra = cuts.get((o.fn, o.block))
                if extra and o.caller is None:
                    table[v] = Origin(o.container, o.fn, o.block, frozenset(extra))

    def _miss_side(self, cond: Ins) -> Optional[tuple[Origin, bool]]:
        """(origin, True if the branch's true side is the miss) for a test of a lookup result."""
        m = re.match(r"%\S+ = icmp (\w+) (\w+) (\S+), (\S+?)(,|$)", cond.text)
        if not m:
            return None
        pred, ty, _, rhs = m.group(1), m.group(2), m.group(3), m.group(4)
        a = cond.operands[0]
        o = self.state.get(a) or self.handles.get(a)
        if o is None:
            return self._null_select(cond)
        if ty == "ptr" and rhs == "null":
            return (o, pred == "eq") if pred in ("eq", "ne") else None
        if rhs in ("0", "-1"):
            if pred in ("slt", "sle") or (pred == "eq" and rhs == "-1"):
                return o, True          # negative position: not found
            if pred in ("sgt", "sge") or (pred == "ne" and rhs == "-1"):
                return o, False
            if pred == "eq":
                return o, False         # status 0 = found (bihash, rte_hash_*_data)
            if pred == "ne":
                return o, True
        return None

    def _null_select(self, cond: Ins) -> Optional[tuple[Origin, bool]]:
        """``e = c ? nullptr : &node->value`` (an inlined lookup): ``c`` is its miss test."""
        for v, o in self.state.items():
            fn = self.mod.functions.get(o.fn)
            d = fn.value_of(v) if fn is not None else None
            if d is not None and d.opcode == "select" and d.operands[0] == cond.ref:
                arms = [getattr(x, "is_constant", False) and "null" in str(x) for x in d.operands[1:]]
                if arms[0] != arms[1]:
                    return o, arms[0]
        return None

    # -- writes
    def writes(self) -> list[StateWrite]:
        out = []
        for fn in self.flow.pp.functions:
            for ins in fn.ins:
                target = self._written(fn, ins)
                if target is None:
                    continue
                o = self.state[target]
                out.append(StateWrite(o.container, fn, ins, self.every_packet(fn, ins, o)))
        return out + self._insert_calls()

    def _insert_calls(self) -> list[StateWrite]:
        """``table.set(k, v)`` / ``add_del(&kv, 1)`` write the table itself: on every
        packet when the call sits on the common path, at flow setup when it
        follows a miss."""
        out = []
        for lk in self.flow.lookups.values():
            if not (lk.inserts and lk.how.startswith("call")):
                continue
            fn, o = lk.fn, Origin(lk.container, lk.fn.name, lk.ins.block)
            every = (not self._after_a_miss(o)
                     and common_block(fn, lk.ins.block, self.miss_edges_in(fn))
                     and self.runs_every_packet(fn))
            out.append(StateWrite(lk.container, fn, lk.ins, every))
        return out

    def _written(self, fn: IRFunction, ins: Ins):
        ops = ins.operands
        if ins.opcode == "store" and len(ops) == 2 and ops[1] in self.state:
            return ops[1]
        if ins.opcode in ("atomicrmw", "cmpxchg") and ops and ops[0] in self.state:
            return ops[0]
        if ins.opcode == "call" and ops and ops[0] in self.state:
            c = fn.callee(ins)
            name = c.qualname if isinstance(c, IRFunction) else str(c or "")
            if name.startswith(WRITE_CALLS):
                return ops[0]
        return None

    def every_packet(self, fn: IRFunction, ins: Ins, o: Origin) -> bool:
        if not self._on_common_path(fn, ins.block, o) or self._after_a_miss(o):
            return False
        while o.caller is not None:
            caller = self.mod.functions[o.caller.fn]
            if not post_dominates(caller, o.call_block, o.caller.block, o.caller.miss_edges):
                return False
            o = o.caller
        return self.runs_every_packet(self.mod.functions[o.fn])

    def miss_edges_in(self, fn: IRFunction) -> frozenset:
        cut = set()
        for table in (self.state, self.handles):
            for o in table.values():
                if o.fn == fn.name:
                    cut |= o.miss_edges
        return frozenset(cut)

    def _after_a_miss(self, o: Origin) -> bool:
        """The lookup itself only runs once another lookup missed (the insert
        after ``if (!found)``): whatever it writes is flow setup."""
        fn = self.mod.functions[o.fn]
        cut = set()
        for table in (self.state, self.handles):
            for other in table.values():
                if other.fn == o.fn and other.block != o.block:
                    cut |= other.miss_edges
        g = fn.cfg.copy()
        g.remove_edges_from(cut)
        return fn.entry in g and o.block not in nx.descendants(g, fn.entry) | {fn.entry}

    def _on_common_path(self, fn: IRFunction, block: str, o: Origin) -> bool:
        """``block`` runs for every packet that found its entry: it post-dominates
        the lookup, or the only branches it depends on (after the lookup) test
        the entry's own contents (token counts, timers: a read-modify-write of
        the entry, taken on most packets) rather than packet flags or a miss."""
        pdom = post_dominators(fn, o.miss_edges)
        if pdom.dominates(block, o.block):
            return True
        if block not in nx.descendants(pdom.graph, o.block):
            return False        # only reached through a miss (insertion) edge
        before = {b for b, _ in pdom.controlling(o.block)}
        todo, seen = [block], set()
        while todo:
            b = todo.pop()
            if b in seen:
                continue
            seen.add(b)
            for branch, arm in pdom.controlling(b):
                if branch in before:        # also gates the lookup itself
                    continue
                if not self._tests_state(fn, branch) or self._inserts_under(fn, pdom, branch, arm):
                    return False
                todo.append(branch)
        return True

    def _inserts_under(self, fn: IRFunction, pdom, branch: str, arm: str) -> bool:
        """The arm stores the packet's key into the entry: an empty slot being
        claimed (open addressing), i.e. the miss side of a hand-written lookup."""
        for blk in self._insert_blocks(fn):
            if (branch, arm) in pdom.controlling(blk):
                return True
        return False

    def _key_fields(self) -> frozenset:
        """Fields some lookup of the unit keys on: storing those into an entry is
        writing its key (an insertion); other packet fields are just data."""
        keys = frozenset()
        for lk in self.flow.lookups.values():
            if not (lk.how == "index" and self.reaches_state(lk.fn, lk.ins.operands[0])):
                keys |= lk.fields
        return keys & frozenset(KEY_FIELDS) or frozenset(KEY_FIELDS)

    def _insert_blocks(self, fn: IRFunction) -> set[str]:
        cache = fn.__dict__.setdefault("_insert_blocks", None)
        if cache is not None:
            return cache
        out = set()
        for ins in fn.ins:
            ops = ins.operands
            if ins.opcode == "store" and ops[1] in self.state:
                t = self.flow.taint_of(fn, ops[0])
            elif ins.opcode == "call" and len(ops) > 2 and ops[0] in self.state:
                t = self.flow.pointee_taint(fn, ops[1])       # memcpy(entry, &key, n)
            else:
                continue
            if t is not None and t.fields & self._key_fields():
                out.add(ins.block)
        fn.__dict__["_insert_blocks"] = out
        return out

    def reaches_state(self, fn: IRFunction, addr) -> bool:
        """``addr`` is state memory or is found through it (``e->ports[i]``)."""
        return self.state_base(fn, addr) is not None

    def state_base(self, fn: IRFunction, addr):
        """The state pointer ``addr`` is state memory through (itself, ``e->ports[i]``,
        a stored packet's header ``q->ip_header()->ip_src``), or None."""
        for _ in range(8):
            if addr in self.state:
                return addr
            d = fn.value_of(addr)
            if d is None or d.opcode not in ("getelementptr", "load", "bitcast"):
                return None
            addr = d.operands[0]
        return None

    def _tests_state(self, fn: IRFunction, block: str) -> bool:
        """The branch ending ``block`` compares a value read from per-flow state."""
        term = next((i for i in reversed(fn.ins) if i.block == block), None)
        if term is None or term.opcode != "br" or len(term.operands) != 3:
            return False
        todo, seen = [term.operands[0]], set()
        while todo and len(seen) < 64:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            d = fn.value_of(v)
            if d is None:
                continue
            if d.opcode == "load":
                if self.reaches_state(fn, d.operands[0]):
                    return True
                continue
            if d.opcode in ("call", "invoke", "alloca"):
                continue
            todo += d.operands
        return False

    def runs_every_packet(self, fn: IRFunction, seen: frozenset = frozenset()) -> bool:
        """A root, or called from a block every packet passes in a function that is."""
        if fn in self.flow.pp.roots or fn.name in seen:
            return True
        sites = self.flow.call_sites(fn)
        if not sites:
            return True
        return any(common_block(caller, site.block, self.miss_edges_in(caller)) and
                   self.runs_every_packet(caller, seen | {fn.name}) for caller, site in sites)


def state_memory(unit, ctx) -> StateMemory:
    """The unit's state memory, computed once per analysis context."""
    return ctx.memo("ir.state_memory", lambda: StateMemory(unit, ctx))


class WriteDominancePass(Pass):
    name = "WriteDominancePass"
    level = "ir"

    def run(self, unit, ctx):
        writes = state_memory(unit, ctx).writes()
        files = own_files(unit)
        facts = []
        for cont in sorted({w.container for w in writes}):
            ws = [w for w in writes if w.container == cont]
            every = [w for w in ws if w.every_packet]
            w = (every or ws)[0]
            file, line = w.fn.location(w.ins, files)
            path = "every-packet" if every else "per-flow"
            why = ("on every path after the lookup" if every else
                   "only on the insertion / a conditional path")
            facts.append(self.fact("state_write", {"container": cont, "path": path},
                                   file, line, f"{cont or '?'} written in {w.fn.qualname} {why}",
                                   confidence=0.75 if every else 0.65))
        return facts
