"""IRPointerPass: pointers and nested containers inside the per-flow entries, from the IR.

The entry records are the records whose fields per-packet code reaches
through state memory (``ir_writes.StateMemory``): the parent record of each
field a GEP on a state pointer selects (so a hash table's own node links
around the value, like ``elt::_hashnext``, are not mistaken for the NF's).
Their members come from the ``!DIDerivedType(tag: DW_TAG_member ...)``
records.  A member is reported when it is a container of its own (a framework
container type -- FastClick Vector/HashTable, std::vector, a bihash -- matched
exactly through ``knowledge``, or a record of the NF whose own members hold a
pointer or such a container), a pointer that per-packet code
loads from the entry and then dereferences (loads, stores or indexes through
it, also after phis: ``e = e->chain``), or a pointer field per-packet code
links fresh heap memory or another entry into (``s->history = new Segment``).
A pointer only handed to calls is an opaque handle and not reported, as in
the source pass; bucket links walked inside an inlined container method are
the container's, not the NF's.
"""
from __future__ import annotations

from .base import Pass
from .ir_module import own_files
from .analyses import state_memory
from .knowledge import match, names
from .knowledge.schema import ALLOCATOR

ALLOCATORS = names(ALLOCATOR)

ADDRESS_USES = {"load": 0, "store": 1, "getelementptr": 0, "atomicrmw": 0, "cmpxchg": 0}


class IRPointerPass(Pass):
    name = "IRPointerPass"
    level = "ir"

    def run(self, unit, ctx):
        mem = state_memory(unit, ctx)
        flow, debug = mem.flow, mem.mod.debug
        entries: dict[int, tuple[str, object, object]] = {}   # record id -> (container, fn, ins)
        loaded: dict = {}        # ValueRef of a pointer loaded from an entry -> (record, member)
        for fn in flow.pp.functions:
            for ins in fn.ins:
                # a GEP into an entry, or the entry's own GEP (``&entries[h].samples``)
                base = ins.operands[0] if ins.opcode == "getelementptr" else None
                owner = base if base in mem.state else (ins.ref if ins.ref in mem.state else None)
                if owner is None:
                    continue
                steps = self._entry_steps(fn, ins, flow, owner is ins.ref)
                named = [(c, m) for c, m in steps if m is not None and c is not None]
                if not named:
                    continue
                rec, member = named[-1]
                entries.setdefault(rec, (mem.state[owner].container, fn, ins))
                for user in fn.ins:
                    if user.opcode == "load" and user.operands[0] == ins.ref \
                            and str(user.ref.type) == "ptr" \
                            and flow.inlined_table_method(user) is None:   # library links
                        loaded[user.ref] = (rec, member)
        for fn in flow.pp.functions:       # through phis/selects/casts (``e = e->chain``)
            for _ in range(3):
                for ins in fn.ins:
                    if ins.opcode in ("phi", "select", "bitcast") and ins.ref not in loaded:
                        src = next((loaded[o] for o in ins.operands if o in loaded), None)
                        if src is not None:
                            loaded[ins.ref] = src
        deref = set()
        for fn in flow.pp.functions:
            for ins in fn.ins:
                linked = self._linked_member(fn, ins, mem, flow)
                if linked is not None:
                    entries.setdefault(linked[0], (linked[2], fn, ins))
                    deref.add(linked[:2])
                pos = ADDRESS_USES.get(ins.opcode)
                ops = ins.operands
                if pos is not None and pos < len(ops) and ops[pos] in loaded:
                    rec, member = loaded[ops[pos]]
                    deref.add((rec, member.name))
        files = own_files(unit)
        facts = []
        for rec, (container, fn, ins) in entries.items():
            rec_name = debug.name(rec) or "?"
            for m in debug.members(rec):
                type_names = debug.type_names(m.type_id)
                pointee = debug.pointee(m.type_id)
                nested = self._nested(debug, m.type_id, files)
                pointer = pointee is not None and (rec, m.name) in deref
                if not (nested or pointer):
                    continue
                spelled = (type_names[0] if type_names else "") + ("" if nested else " *")
                if pointer and not type_names:
                    spelled = (debug.type_names(pointee) or ["void"])[0] + " *"
                file, line = fn.location(ins, files)
                facts.append(self.fact("pointer_field", {
                    "container": container, "field": m.name, "type": spelled.strip(),
                    "nested": nested, "deref": pointer, "record": rec_name,
                }, file, line, f"{rec_name}.{m.name}: " + (
                    "nested container" if nested else "pointer dereferenced per packet"),
                    confidence=0.75))
        return facts

    @classmethod
    def _nested(cls, debug, tid, files, seen=None, depth: int = 0) -> bool:
        """A member type that is a framework container, or a record (by value)
        whose own members are pointers or such containers."""
        if debug.pointee(tid) is not None or depth > 4:
            return False
        if match.debug_container(debug, tid, files):
            return True
        rec = debug.strip_qualifiers(tid)
        if debug.kind(rec) != "DICompositeType" or debug.get(rec, "tag") == "DW_TAG_array_type":
            return False
        seen = seen if seen is not None else set()
        if rec in seen:
            return False
        seen.add(rec)
        for m in debug.members(rec):
            if debug.pointee(m.type_id) is not None and not debug.is_byte_pointer(m.type_id):
                return True
            if cls._nested(debug, m.type_id, files, seen, depth + 1):
                return True
        return False

    @staticmethod
    def _entry_steps(fn, gep, flow, is_lookup: bool) -> list:
        """The GEP's (record, member) steps inside the entry: for the lookup's own
        GEP (``this->_table[h].count``) only those after the packet-derived index,
        the ones before it walk the element to its table."""
        _, steps = flow.gep_steps(fn, gep)
        if not is_lookup:
            return steps
        tainted = [i for i, op in enumerate(gep.operands[1:]) if flow.taint_of(fn, op) is not None]
        return steps[tainted[-1] + 1:] if tainted else steps

    @staticmethod
    def _linked_member(fn, ins, mem, flow):
        """(record, member) when per-packet code stores freshly allocated memory or
        another state pointer into a field of an entry (``s->history = new Segment``)."""
        if ins.opcode != "store" or str(ins.operands[0].type) != "ptr":
            return None
        addr = fn.value_of(ins.operands[1])
        while addr is not None and addr.opcode in ("bitcast", "addrspacecast"):
            addr = fn.value_of(addr.operands[0])
        if addr is None or addr.opcode != "getelementptr":
            return None
        owner = addr.operands[0] if addr.operands[0] in mem.state else addr.ref
        if owner not in mem.state:
            return None
        value = fn.value_of(ins.operands[0])
        if value is None:
            return None
        fresh = False
        if value.opcode in ("call", "invoke"):
            c = fn.callee(value)
            name = c.qualname if hasattr(c, "qualname") else str(c or "")
            fresh = name in ALLOCATORS
        if not (fresh or value.ref in mem.state):
            return None
        _, steps = flow.gep_steps(fn, addr)
        named = [(c, m) for c, m in steps if m is not None and c is not None]
        container = mem.state[owner].container
        return (named[-1][0], named[-1][1].name, container) if named else None
