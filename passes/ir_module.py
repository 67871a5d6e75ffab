"""One NF unit's bitcode, parsed once (llvmlite) and indexed for the IR passes.

llvmlite has no metadata API, so names come from three places:
- value names kept by ``-fno-discard-value-names`` (``%this``, ``%table``),
- callee names demangled once per unit with ``c++filt``,
- the textual ``!dbg`` records of ``str(module)``: ``!DILocation`` lines for
  evidence, ``!DISubprogram`` scopes (to see which accessor an inlined
  instruction came from), ``!DIDerivedType`` members with their bit offsets
  (struct layouts) and ``#dbg_value`` records (the declared type of a value).

When a unit names framework dispatchers (a template base's ``push_batch``
calling the element's hooks) that its own object file does not contain --
an element with only inline members has no vtable there -- the module is
the unit's bitcode linked with a two-line stub that creates the element as
FastClick's generated ``elements.cc`` does (``instantiated_bitcode``).

The instruction list of a function is llvmlite's; each instruction is paired
with its line of ``str(function)`` (same order) for the bits llvmlite does not
expose (GEP source type, ``!dbg`` id, branch labels).
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Optional

import networkx as nx

# ---------------------------------------------------------------- debug metadata

_NODE_RE = re.compile(r"^!(\d+) = (?:distinct )?!(\w+)\((.*)\)\s*$")
_FIELD_RE = re.compile(r'(\w+): ("(?:[^"\\]|\\.)*"|![0-9]+|[^,]+)')


@dataclass
class Member:
    name: str
    offset: int          # bytes from the start of the record
    size: int            # bytes
    type_id: Optional[int]


def _ref(value: Optional[str]) -> Optional[int]:
    return int(value[1:]) if value and value.startswith("!") and value[1:].isdigit() else None


class DebugInfo:
    """The ``!N = !DIxxx(...)`` records of a module's text, with the queries passes need."""

    def __init__(self, text: str):
        self.nodes: dict[int, tuple[str, dict[str, str]]] = {}
        for line in text.splitlines():
            if not line.startswith("!"):
                continue
            m = _NODE_RE.match(line)
            if m:
                fields = {k: v.strip() for k, v in _FIELD_RE.findall(m.group(3))}
                self.nodes[int(m.group(1))] = (m.group(2), fields)
        self._members: dict[int, list[Member]] = {}
        self._chains: dict = {}
        self._composites_by_name: dict[str, list[int]] = {}
        for nid, (kind, f) in self.nodes.items():
            if kind == "DIDerivedType" and f.get("tag") == "DW_TAG_member" and "scope" in f:
                self._members.setdefault(_ref(f["scope"]), []).append(Member(
                    self._str(f.get("name")), int(f.get("offset", "0")) // 8,
                    int(f.get("size", "0")) // 8, _ref(f.get("baseType"))))
            if kind == "DICompositeType" and "name" in f:
                self._composites_by_name.setdefault(self._str(f["name"]), []).append(nid)
            if kind == "DIDerivedType" and f.get("tag") == "DW_TAG_typedef":
                target = self.strip_qualifiers(_ref(f.get("baseType")))
                if target is not None and self.kind(target) == "DICompositeType":
                    self._composites_by_name.setdefault(self._str(f.get("name")), []).append(target)

    @staticmethod
    def _str(value: Optional[str]) -> str:
        return value[1:-1] if value and value.startswith('"') else (value or "")

    def kind(self, nid: Optional[int]) -> str:
        return self.nodes[nid][0] if nid in self.nodes else ""

    def get(self, nid: Optional[int], key: str) -> Optional[str]:
        return self.nodes[nid][1].get(key) if nid in self.nodes else None

    def name(self, nid: Optional[int]) -> str:
        return self._str(self.get(nid, "name"))

    # -- locations
    def file_of(self, scope: Optional[int]) -> str:
        for _ in range(64):
            if scope is None:
                return ""
            if self.kind(scope) == "DIFile":
                fname, d = self._str(self.get(scope, "filename")), self._str(self.get(scope, "directory"))
                return os.path.normpath(fname if fname.startswith("/") or not d
                                        else os.path.join(d, fname))
            nxt = _ref(self.get(scope, "file")) or _ref(self.get(scope, "scope"))
            scope = nxt
        return ""

    def subprogram_of(self, scope: Optional[int]) -> Optional[int]:
        for _ in range(64):
            if scope is None or self.kind(scope) == "DISubprogram":
                return scope
            scope = _ref(self.get(scope, "scope"))
        return None

    def location(self, loc: Optional[int]) -> tuple[str, int]:
        """(file, line) of a ``!DILocation``."""
        if self.kind(loc) != "DILocation":
            return "", 0
        scope = _ref(self.get(loc, "scope"))
        return self.file_of(scope), int(self.get(loc, "line") or 0)

    def inline_chain(self, loc: Optional[int]) -> list[tuple[str, Optional[int]]]:
        """[(subprogram name, inlinedAt id)] from the innermost scope outwards."""
        cached = self._chains.get(loc)
        if cached is None:
            cached = self._chains[loc] = self._inline_chain(loc)
        return cached

    def _inline_chain(self, loc: Optional[int]) -> list[tuple[str, Optional[int]]]:
        out = []
        for _ in range(32):
            if self.kind(loc) != "DILocation":
                break
            sp = self.subprogram_of(_ref(self.get(loc, "scope")))
            at = _ref(self.get(loc, "inlinedAt"))
            out.append((self.name(sp), at))
            loc = at
        return out

    # -- types
    def strip_qualifiers(self, tid: Optional[int]) -> Optional[int]:
        """Follow typedef / const / volatile to the underlying type."""
        for _ in range(32):
            if self.kind(tid) != "DIDerivedType" or self.get(tid, "tag") not in (
                    "DW_TAG_typedef", "DW_TAG_const_type", "DW_TAG_volatile_type",
                    "DW_TAG_restrict_type"):
                return tid
            tid = _ref(self.get(tid, "baseType"))
        return tid

    def type_names(self, tid: Optional[int]) -> list[str]:
        """Every name met following typedefs/qualifiers: ``ip4_header_t``, then the struct's own."""
        out = []
        for _ in range(32):
            if tid is None or tid not in self.nodes:
                break
            n = self.name(tid)
            if n:
                out.append(n)
            if self.kind(tid) != "DIDerivedType" or self.get(tid, "tag") in (
                    "DW_TAG_pointer_type", "DW_TAG_reference_type", "DW_TAG_member"):
                break
            tid = _ref(self.get(tid, "baseType"))
        return out

    def pointee(self, tid: Optional[int]) -> Optional[int]:
        """The pointed-to type of a pointer/reference type (after qualifiers), else None."""
        tid = self.strip_qualifiers(tid)
        if self.kind(tid) == "DIDerivedType" and self.get(tid, "tag") in (
                "DW_TAG_pointer_type", "DW_TAG_reference_type", "DW_TAG_rvalue_reference_type"):
            return _ref(self.get(tid, "baseType"))
        return None

    def spell(self, tid: Optional[int], depth: int = 0) -> str:
        """A C-like spelling of a debug type: ``cell[]``, ``rte_hash *``, ``uint32_t``."""
        if tid is None:
            return "void"
        if depth > 16 or tid not in self.nodes:
            return "?"
        kind, tag = self.kind(tid), self.get(tid, "tag")
        base = _ref(self.get(tid, "baseType"))
        if kind == "DICompositeType" and tag == "DW_TAG_array_type":
            return self.spell(base, depth + 1) + "[]"
        if kind == "DIDerivedType" and tag in ("DW_TAG_pointer_type", "DW_TAG_reference_type"):
            return self.spell(base, depth + 1) + " *"
        if kind == "DIDerivedType" and tag != "DW_TAG_typedef":
            return self.spell(base, depth + 1)          # const, volatile, member
        return self.name(tid) or "<anonymous>"

    def member_type(self, name: str) -> Optional[int]:
        """The declared type of the first record member called ``name``."""
        for members in self._members.values():
            for m in members:
                if m.name == name:
                    return m.type_id
        return None

    def is_byte_pointer(self, tid: Optional[int]) -> bool:
        """A pointer to bytes (``uint8_t *``, ``const unsigned char *``, ``char *``):
        how plain C passes a raw packet buffer."""
        target = self.strip_qualifiers(self.pointee(tid))
        return self.kind(target) == "DIBasicType" and self.get(target, "size") == "8" \
            and "char" in (self.get(target, "encoding") or "")

    def is_pointer(self, tid: Optional[int]) -> bool:
        tid = self.strip_qualifiers(tid)
        return self.kind(tid) == "DIDerivedType" and self.get(tid, "tag") == "DW_TAG_pointer_type"

    def composite(self, name: str) -> Optional[int]:
        """A record by its name (``click_ip``, ``IPFlowTally``, ``Totals``) or typedef name."""
        ids = self._composites_by_name.get(name) or \
            self._composites_by_name.get(name.rsplit("::", 1)[-1]) or []
        with_members = [i for i in ids if self._members.get(i)]
        return (with_members or ids or [None])[0]

    def members(self, composite: Optional[int]) -> list[Member]:
        return self._members.get(composite, [])

    def member_at(self, composite: Optional[int], offset: int) -> Optional[Member]:
        """The member covering byte ``offset`` (the first one, for unions)."""
        for m in self.members(composite):
            if m.offset <= offset < m.offset + max(m.size, 1):
                return m
        return None

    def composite_ids(self) -> list[int]:
        return [i for i, (k, _) in self.nodes.items() if k == "DICompositeType"]

    def ref(self, nid: Optional[int], key: str) -> Optional[int]:
        """The ``!N`` a field of record ``nid`` points to (``scope``, ``type``...)."""
        return _ref(self.get(nid, key))

    def local_variable(self, var: Optional[int]) -> tuple[str, Optional[int]]:
        return self.name(var), _ref(self.get(var, "type"))


# ---------------------------------------------------------------- instructions

_DBG_RE = re.compile(r"!dbg !(\d+)")
_NAME_RE = re.compile(r'^\s*(%(?:"[^"]+"|[-\w.$]+)) = ')
_DBG_RECORD_RE = re.compile(r'#dbg_(?:value|declare)\((?:ptr|i\d+|\w+) (%(?:"[^"]+"|[-\w.$]+)), !(\d+),')
_LABEL_RE = re.compile(r"label %(\"[^\"]+\"|[-\w.$]+)")
GEP_TYPE_RE = re.compile(r'getelementptr (?:inbounds |nuw |nusw |inrange\(\S+\) )*'
                          r'(%"[^"]+"|%[-\w.$:]+|\[[^\]]+\]|\w+), ')


@dataclass(eq=False)
class Ins:
    ref: object                    # llvmlite ValueRef
    opcode: str
    name: str                      # '%x' as printed (numbered temporaries too)
    text: str
    block: str
    dbg: Optional[int]
    index: int

    @property
    def operands(self) -> list:
        # llvmlite builds new ValueRefs on every walk: keep the list
        ops = self.__dict__.get("_operands")
        if ops is None:
            ops = self.__dict__["_operands"] = list(self.ref.operands)
        return ops


class IRFunction:
    def __init__(self, module: "IRModule", ref, demangled: str):
        self.module = module
        self.ref = ref
        self.name: str = ref.name
        self.demangled = demangled
        self.qualname = qualified_name(demangled)
        self.simple = self.qualname.rsplit("::", 1)[-1]
        self.args = list(ref.arguments)
        self.ins: list[Ins] = []
        self.blocks: list[str] = []
        self.successors: dict[str, list[str]] = {}
        self.declared: dict[str, list[int]] = {}   # '%x' -> DILocalVariable ids (#dbg records)
        self.subprogram: Optional[int] = None
        self._index()

    def _index(self):
        text = str(self.ref)
        head = text.split("{", 1)[0]
        m = re.search(r"!dbg !(\d+)\s*$", head.strip())
        self.subprogram = int(m.group(1)) if m else None
        lines = text.splitlines()
        body = _instruction_lines(lines)
        for l in lines:
            r = _DBG_RECORD_RE.search(l)
            if r:
                self.declared.setdefault(r.group(1), []).append(int(r.group(2)))
        labels = [re.match(r'^("[^"]+"|[-\w.$]+):', l) for l in lines]
        block_names = [m.group(1) for m in labels if m]
        refs = [(b, i) for b in self.ref.blocks for i in b.instructions]
        # block labels: first block may be unlabeled in text ('entry:' is printed at -O1 though)
        bi = -1
        cur_block = None
        for k, ((b, i), line) in enumerate(zip(refs, body)):
            if b is not cur_block:
                cur_block = b
                bi += 1
                name = b.name or (block_names[bi] if bi < len(block_names) else f"bb{bi}")
                self.blocks.append(name)
            nm = _NAME_RE.match(line)
            d = _DBG_RE.search(line)
            self.ins.append(Ins(i, i.opcode, nm.group(1) if nm else "", line.strip(),
                                self.blocks[-1], int(d.group(1)) if d else None, k))
        for ins in self.ins:
            if ins.opcode in ("br", "switch", "indirectbr", "invoke", "callbr"):
                labels = [l.strip('"') for l in _LABEL_RE.findall(ins.text)]
                if ins.opcode == "invoke":
                    labels = labels[:1]     # exceptions are not a packet's path
                self.successors.setdefault(ins.block, []).extend(labels)
        self.by_ref = {i.ref: i for i in self.ins}
        self.by_name = {i.name: i for i in self.ins if i.name}
        for a in self.args:
            if a.name:
                self.by_name.setdefault(f"%{a.name}", None)

    @property
    def entry(self) -> Optional[str]:
        return self.blocks[0] if self.blocks else None

    @cached_property
    def cfg(self) -> nx.DiGraph:
        """Basic blocks and the edges of their terminators."""
        g = nx.DiGraph()
        g.add_nodes_from(self.blocks)
        for b, succ in self.successors.items():
            for s in succ:
                g.add_edge(b, s)
        return g

    @cached_property
    def loop_depth(self) -> dict[str, int]:
        """Blocks -> number of natural loops (CFG cycles) they sit in."""
        depth = {b: 0 for b in self.blocks}
        for scc in nx.strongly_connected_components(self.cfg):
            if len(scc) > 1 or any(self.cfg.has_edge(b, b) for b in scc):
                for b in scc:
                    depth[b] += 1
                sub = self.cfg.subgraph(scc).copy()
                heads = [b for b in scc if any(p not in scc for p in self.cfg.predecessors(b))]
                for h in heads:       # nested loops: cycles left after cutting the back edges
                    for p in list(sub.predecessors(h)):
                        sub.remove_edge(p, h)
                for inner in nx.strongly_connected_components(sub):
                    if len(inner) > 1:
                        for b in inner:
                            depth[b] += 1
        return depth

    def callee(self, ins: Ins) -> Optional["IRFunction | str"]:
        """The called function (IRFunction if defined here, else its demangled name)."""
        if ins.opcode not in ("call", "invoke"):
            return None
        target = ins.operands[-1] if ins.opcode == "call" else _invoke_target(ins)
        name = getattr(target, "name", "")
        if not name:
            return self._virtual_callee(target)
        return self.module.functions.get(name) or self.module.demangle(name)

    def _virtual_callee(self, target) -> Optional["IRFunction"]:
        """``this->f()`` through the vtable: slot K of the unit's class vtable
        (only for calls on ``this``; calls on other objects stay unresolved)."""
        fptr = self.value_of(target)
        if fptr is None or fptr.opcode != "load":
            return None
        slot, vt = 0, self.value_of(fptr.operands[0])
        if vt is not None and vt.opcode == "getelementptr":
            m = re.search(r"getelementptr inbounds ptr, ptr %\S+, i64 (\d+)", vt.text)
            if not m:
                return None
            slot, vt = int(m.group(1)), self.value_of(vt.operands[0])
        if vt is None or vt.opcode != "load":
            return None
        obj = vt.operands[0]
        for _ in range(8):
            d = self.value_of(obj)
            if d is None or d.opcode not in ("bitcast", "getelementptr"):
                break
            obj = d.operands[0]
        this = next((a for a in self.args if a.name == "this"), None)
        if this is None or obj != this:
            return None
        return self.module.virtual_function(slot)

    def location(self, ins: Ins, prefer: frozenset = frozenset()) -> tuple[str, int]:
        """file:line of an instruction; with ``prefer`` (the NF's own files), the
        innermost inlining level that lies in one of them."""
        debug = self.module.debug
        loc = ins.dbg
        first = debug.location(loc)
        for _ in range(32):
            if not prefer or debug.kind(loc) != "DILocation":
                break
            here = debug.location(loc)
            if here[0] in prefer:
                return here
            loc = _ref(debug.get(loc, "inlinedAt"))
        if prefer and not first[0] and self.subprogram is not None:
            return debug.file_of(self.subprogram), int(debug.get(self.subprogram, "line") or 0)
        return first

    def value_of(self, v) -> Optional[Ins]:
        return self.by_ref.get(v)


def _instruction_lines(lines: list[str]) -> list[str]:
    """One string per instruction: continuation lines (``to label ... unwind``,
    landingpad clauses, switch cases) are joined to their instruction."""
    out: list[str] = []
    for l in lines:
        s = l.lstrip()
        if not l.startswith(" ") or s.startswith(("#dbg", ";")) or not s:
            continue
        if l.startswith("  ") and not l.startswith("   ") and not s.startswith("]"):
            out.append(l)
        elif out:
            out[-1] += " " + s
    return out


def _invoke_target(ins: Ins):
    ops = ins.operands
    # invoke: args..., normal dest, unwind dest, callee (callee last in LLVM's operand order)
    return ops[-1] if ops else None


def qualified_name(demangled: str) -> str:
    """``A<B, C>::f(int, D*) const`` -> ``A::f``; C names are unchanged."""
    out, depth = [], 0
    text = demangled
    # cut the parameter list: the last top-level '(' that closes at the end
    level, cut = 0, len(text)
    for i, ch in enumerate(text):
        if ch == "<":
            level += 1
        elif ch == ">":
            level = max(0, level - 1)
        elif ch == "(" and level == 0 and not text[:i].endswith("operator"):
            cut = i
            break
    for ch in text[:cut]:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    q = "".join(out).strip()
    return q.split(" ")[-1] if " " in q and "operator" not in q else q


# ---------------------------------------------------------------- module

# Prefixes framework macros paste onto a variable's name (DPDK's
# ``RTE_DEFINE_PER_LCORE(T, name)`` defines ``per_lcore_name``).
MACRO_NAME_PREFIXES = ("per_lcore_",)


def unmangle_global(name: str) -> str:
    """The name as the source spells it: ``per_lcore_lm_index`` -> ``lm_index``."""
    for prefix in MACRO_NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def demangle_all(names: list[str]) -> dict[str, str]:
    """Mangled -> demangled, with one ``c++filt`` run (identity when it is missing)."""
    mangled = [n for n in names if n.startswith("_Z")]
    if not mangled:
        return {n: n for n in names}
    try:
        out = subprocess.run(["c++filt"], input="\n".join(mangled), capture_output=True,
                             text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        out = []
    table = dict(zip(mangled, out)) if len(out) == len(mangled) else {}
    return {n: table.get(n, n) for n in names}


class IRModule:
    """The parsed bitcode of one unit: functions, debug info, layouts and names."""

    def __init__(self, path: str):
        import llvmlite.binding as llvm
        self.llvm = llvm
        self.ref = llvm.parse_bitcode(Path(path).read_bytes())
        self.text = str(self.ref)
        self.debug = DebugInfo(self.text)
        self.target = llvm.create_target_data(self.ref.data_layout)
        refs = list(self.ref.functions)
        self._demangled = demangle_all([f.name for f in refs])
        self.functions: dict[str, IRFunction] = {
            f.name: IRFunction(self, f, self._demangled[f.name]) for f in refs
            if not f.is_declaration}

    preferred_class: str = ""          # the unit's C++ class, for devirtualising this->f()

    @cached_property
    def vtables(self) -> dict[str, list[str]]:
        """Class name -> function names of its vtable from the address point on."""
        out = {}
        for line in self.text.splitlines():
            m = re.match(r"@(_ZTV\w+) = .*?constant \{ \[\d+ x ptr\] \} \{ \[\d+ x ptr\] \[(.*)\] \}", line)
            if m:
                cls = self.demangle(m.group(1)).replace("vtable for ", "")
                entries = [e.strip() for e in m.group(2).split(",")]
                out[cls] = [e[5:] if e.startswith("ptr @") else "" for e in entries][2:]
        return out

    def virtual_function(self, slot: int) -> Optional[IRFunction]:
        tables = self.vtables
        order = ([self.preferred_class] if self.preferred_class in tables else []) + \
            [c for c in tables if c != self.preferred_class]
        found = [tables[c][slot] for c in order if slot < len(tables[c])
                 and tables[c][slot] in self.functions]
        if not found or (self.preferred_class not in tables and len(set(found)) > 1):
            return None
        return self.functions[found[0]]

    def demangle(self, name: str) -> str:
        if name not in self._demangled:
            self._demangled.update(demangle_all([name]))
        return self._demangled[name]

    # -- layouts
    def struct_type(self, spelled: str):
        """llvmlite TypeRef of ``%struct.X`` / ``%"class.A<B>"``; None for other types."""
        name = spelled.lstrip("%").strip('"')
        try:
            return self.ref.get_struct_type(name)
        except NameError:
            return None

    def size_of(self, ty) -> int:
        return self.target.get_abi_size(ty)

    @staticmethod
    def record_name(type_name: str) -> str:
        """``struct.click_ip`` / ``class.IPFlowTally`` / ``struct.X.12`` -> the source name."""
        n = type_name.lstrip("%").strip('"')
        n = re.sub(r"^(struct|class|union)\.", "", n)
        return re.sub(r"\.\d+$", "", n)

    @cached_property
    def _globals(self) -> dict[str, Optional[int]]:
        out = {}
        for nid, (kind, f) in self.debug.nodes.items():
            if kind == "DIGlobalVariable":
                out[self.debug.name(nid)] = _ref(f.get("type"))
        return out

    def declared_type(self, name: str) -> Optional[int]:
        """Debug type of a global variable or, failing that, of a record member."""
        for spelled in (name, *(prefix + name for prefix in MACRO_NAME_PREFIXES)):
            if spelled in self._globals:
                return self._globals[spelled]
        return self.debug.member_type(name)

    def global_record(self, name: str) -> Optional[int]:
        """The record type (DICompositeType id) of a global variable, if it is one."""
        tid = self.debug.strip_qualifiers(self._globals.get(name))
        return tid if self.debug.kind(tid) == "DICompositeType" else None

    @cached_property
    def call_graph(self) -> nx.DiGraph:
        g = nx.DiGraph()
        for f in self.functions.values():
            g.add_node(f.name)
            for ins in f.ins:
                c = f.callee(ins)
                if isinstance(c, IRFunction):
                    g.add_edge(f.name, c.name)
        return g


def source_hint(ctx, key: str, compute, default):
    """A fact borrowed from the source passes (container names, state-block
    parameters), computed once; if the source index cannot be built the IR
    passes go on without it (and do not retry the failing parse)."""
    def make():
        if ctx.cache.get("ir.hint:failed"):
            return default                 # the source index already failed once
        try:
            return compute()
        except Exception:      # broken/missing source index: IR evidence alone
            ctx.cache["ir.hint:failed"] = True
            return default
    return ctx.memo(f"ir.hint:{key}", make)


def own_files(unit) -> frozenset:
    """The NF's own sources and headers (absolute), preferred for evidence lines."""
    return frozenset(os.path.normpath(os.path.abspath(f)) for f in [*unit.files, *unit.headers])


def ir_module(unit, ctx) -> IRModule:
    """The unit's module, parsed once per analysis context; when the framework
    code that calls the NF's hooks was not emitted, the module with the
    element's creation added (``instantiated_bitcode``), if that compiles."""
    def make():
        mod = IRModule(unit.bitcode)
        if dispatch_missing(unit, mod):
            more = instantiated_bitcode(unit)
            if more is not None:
                mod = IRModule(more)
        mod.preferred_class = unit.attrs.get("cxx_class", "") or ""
        return mod
    return ctx.memo("ir.module", make)


def dispatch_missing(unit, mod: IRModule) -> bool:
    """The unit names framework dispatchers (``entry_roots``: a template base's
    push_batch) and none of them was emitted in ``mod``."""
    dispatchers = unit.attrs.get("entry_roots") or []
    return bool(dispatchers) and not any(
        matches_entry(f, e) for f in mod.functions.values() for e in dispatchers)


# FastClick creates every element in its generated elements.cc (``new Class``):
# that emits the vtable, hence the base template's push_batch which calls the
# hooks.  An element whose members are all inline has none of it in its own
# object file, so the same creation is compiled next to it.
INSTANTIATION_STUB = """// flowmagec: create the element as the framework's elements.cc does
#include "{header}"
#ifdef CLICK_USING_DECLS
CLICK_USING_DECLS
#endif
void *flowmagec_create_element() {{ return new {cls}(); }}
"""


def instantiated_bitcode(unit) -> Optional[str]:
    """The unit's bitcode linked with the element's creation, or None when it
    cannot be built (no class header, no default constructor, link error)."""
    import hashlib

    from flowmagec.compile import compile_file, link_bitcode
    cls, decl = unit.attrs.get("cxx_class"), unit.attrs.get("class_decl") or ""
    header = decl.rsplit(":", 1)[0]
    if not (cls and unit.bitcode and header.endswith((".hh", ".h", ".hpp"))):
        return None
    text = INSTANTIATION_STUB.format(header=header, cls=cls)
    digest = hashlib.sha256(f"{unit.bitcode}\n{text}".encode()).hexdigest()[:32]
    cache = Path(unit.bitcode).resolve().parent.parent
    stub = cache / "stubs" / f"{digest}.cc"
    try:
        if not stub.is_file():
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text(text)
        res = compile_file(str(stub), list(unit.compile_flags), list(unit.headers), cache)
        if res.bitcode is None:
            return None
        return str(link_bitcode([Path(unit.bitcode), res.bitcode],
                                cache / "bc" / f"{digest}.created.bc"))
    except Exception:        # llvmlite link errors, unwritable cache: analyse without it
        return None


# ---------------------------------------------------------------- per-packet functions

@dataclass
class PerPacket:
    """Functions run per packet: the entry points and what they call in the module."""
    roots: list[IRFunction]
    functions: list[IRFunction] = field(default_factory=list)
    # The framework code that calls the hooks (``entry_roots``: a template base's
    # push_batch) was not emitted in this module: which hook runs per packet is unknown.
    dispatch_missing: bool = False


def matches_entry(fn: IRFunction, entry: str) -> bool:
    return fn.qualname == entry or fn.qualname.endswith("::" + entry) or fn.name == entry


def per_packet(unit, ctx) -> PerPacket:
    def make():
        mod = ir_module(unit, ctx)
        entries = [f for f in mod.functions.values()
                   if any(matches_entry(f, e) for e in unit.entry_points)]
        g = mod.call_graph
        called = set()
        for e in entries:
            called |= nx.descendants(g, e.name)
        roots = [e for e in entries if e.name not in called] or entries
        names = set()
        for r in roots:
            names |= {r.name} | nx.descendants(g, r.name)
        fns = [mod.functions[n] for n in mod.functions if n in names]
        return PerPacket(roots, fns, dispatch_missing(unit, mod))
    return ctx.memo("ir.per_packet", make)
