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
lookup's *miss* edges removed: the insertion branch is the flow's first
packet only, the hit branch is the common path.  Writes in a callee count at
the call site.  Anything else is a ``per-flow`` write.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import networkx as nx

from .base import Pass
from .ir_dataflow import PASS_THROUGH, flow_analysis
from .ir_module import IRFunction, Ins, _ref, own_files

EXIT = "<exit>"
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


def post_dominates(fn: IRFunction, later: str, earlier: str, cut: frozenset = frozenset()) -> bool:
    """Every path from ``earlier`` to the function's return passes ``later``
    (paths through removed edges ``cut`` and into ``unreachable`` don't count)."""
    if later == earlier:
        return True
    g = fn.cfg.copy()
    g.remove_edges_from(cut)
    for ins in fn.ins:
        if ins.opcode in ("ret", "resume"):
            g.add_edge(ins.block, EXIT)
    if EXIT not in g or earlier not in g:
        return False
    rev = g.reverse(copy=False)
    reach = nx.descendants(rev, EXIT)
    if earlier not in reach:
        return False
    idom = nx.immediate_dominators(rev.subgraph(reach | {EXIT}), EXIT)
    node = earlier
    for _ in range(len(idom) + 1):
        nxt = idom.get(node)
        if nxt is None or nxt == node:
            return False
        if nxt == later:
            return True
        node = nxt
    return False


def common_block(fn: IRFunction, block: str) -> bool:
    """Every packet passes ``block``: it post-dominates the function's entry or,
    inside a loop (the walk over a batch), the loop's header."""
    start = fn.entry
    for scc in nx.strongly_connected_components(fn.cfg):
        if block in scc and (len(scc) > 1 or fn.cfg.has_edge(block, block)):
            heads = [b for b in scc if any(p not in scc for p in fn.cfg.predecessors(b))]
            start = heads[0] if heads else start
    return post_dominates(fn, block, start)


class StateMemory:
    """State pointers and lookup handles of the per-packet functions, with their origins."""

    def __init__(self, unit, ctx):
        self.flow = flow_analysis(unit, ctx)
        self.mod = self.flow.mod
        self.state: dict = {}       # ValueRef -> Origin  (pointer into per-flow state)
        self.handles: dict = {}     # ValueRef -> Origin  (index/position/status of a lookup)
        self.holders: dict = {}     # root ValueRef -> Origin (iterator / out-parameter memory)
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
        try:
            from .source_state import state_blocks
            blocks = state_blocks(unit, ctx)
        except Exception:      # no source index: only lookup-based state
            return
        debug = self.mod.debug
        for b in blocks:
            for fn in self.flow.pp.functions:
                if fn.simple == b.fn.name:
                    for a in fn.args:
                        if a.name == b.param:
                            self.state[a] = Origin(b.type_name, fn.name, fn.entry)
                for ins in fn.ins:
                    for var in fn.declared.get(ins.name, []):
                        sp = debug.subprogram_of(_ref(debug.get(var, "scope")))
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

    def _origin_of(self, fn, v, table) -> Optional[Origin]:
        o = table.get(v)
        if o is None and str(getattr(v, "value_kind", "")).endswith("argument"):
            return None
        return o

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
                new = (self.state, o)
        elif op in PASS_THROUGH or op in ("phi", "select"):
            src = ops[1:] if op == "select" else ops
            o = next((self.state[x] for x in src if x in self.state), None)
            if o is not None:
                new = (self.state, o)
            else:
                h = next((self.handles[x] for x in src if x in self.handles), None)
                if h is not None:
                    new = (self.handles, h)
        elif op in ("zext", "sext", "trunc"):
            h = self.handles.get(ops[0])
            if h is not None:
                new = (self.handles, h)
        elif op == "load":
            root = self.flow.root(fn, ops[0])
            o = self.holders.get(root)
            if o is not None:
                new = (self.state if str(ins.ref.type) == "ptr" else self.handles, o)
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
            return None
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
        if not post_dominates(fn, ins.block, o.block, o.miss_edges):
            return False
        while o.caller is not None:
            caller = self.mod.functions[o.caller.fn]
            if not post_dominates(caller, o.call_block, o.caller.block, o.caller.miss_edges):
                return False
            o = o.caller
        return self.runs_every_packet(self.mod.functions[o.fn])

    def runs_every_packet(self, fn: IRFunction, seen: frozenset = frozenset()) -> bool:
        """A root, or called from a block every packet passes in a function that is."""
        if fn in self.flow.pp.roots or fn.name in seen:
            return True
        sites = self.flow.call_sites(fn)
        if not sites:
            return True
        return any(common_block(caller, site.block) and
                   self.runs_every_packet(caller, seen | {fn.name}) for caller, site in sites)


class WriteDominancePass(Pass):
    name = "WriteDominancePass"
    level = "ir"

    def run(self, unit, ctx):
        mem = ctx.memo("ir.state_memory", lambda: StateMemory(unit, ctx))
        writes = mem.writes()
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
