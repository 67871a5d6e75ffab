"""Elaboration: Click syntax tree -> flattened element graph (the Chain artifact).

This replays what FastClick's ``Lexer`` does after parsing (lib/lexer.cc):
element tables per compound (``input``/``output`` pseudo-elements first),
anonymous names ``Class@N`` numbered by table position, element classes with
lexical scoping, ``define`` scopes, compound overload resolution by argument
and port counts, expansion of compounds into ``outer/inner`` names, and groups
and compounds as port *tunnels* that are resolved away at the end.  The port
rules of one arrow (``=>``, lists, ranges, expandable ``[]``) are in click_ports.

Every flattened element remembers the syntax node it came from (``Origin``),
which is how ClickDocument edits the right bytes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional, Union

from lark import Token

from ..artifacts import Argument, Chain, Connection, Diagnostic, Element, Span
from ..errors import InputError, span_at
from .click_config import (ExpansionTooLarge, RawArg, VarEnv, argvec, cp_expand,
                           element_keyword, keyword_split, shift_spacevec, spacevec, split_args, blank_line_directives,
                           strip_line_directives, unquote)
from .click_lexer import LineIndex, parse_port
from .deep import MAX_NESTING
from .click_ports import End, PortError, pair_ports
from .click_parse import (CompoundNode, ConnNode, DefineNode, ElemNode, ElementClassNode,
                          RequireNode, parse_text)

# --------------------------------------------------------------------------
# Element types
# --------------------------------------------------------------------------


@dataclass(eq=False)
class PrimitiveType:
    name: str
    known: bool = True


class _Tunnel:
    name = "<tunnel>"


TUNNEL = _Tunnel()


@dataclass(eq=False)
class Table:
    """Elements and connections of one compound body (or of the whole file)."""
    names: list = field(default_factory=list)
    types: list = field(default_factory=list)
    configs: list = field(default_factory=list)
    origins: list = field(default_factory=list)
    nin: list = field(default_factory=list)
    nout: list = field(default_factory=list)
    emap: dict = field(default_factory=dict)
    conns: list = field(default_factory=list)     # [from, fport, to, tport, arrow, where]
    anon_offset: int = 0

    def connect(self, f: int, fp: int, t: int, tp: int, arrow: str, where) -> None:
        fp = max(fp, 0)
        tp = max(tp, 0)
        self.conns.append((f, fp, t, tp, arrow, where))
        if self.nin[t] <= tp:
            self.nin[t] = tp + 1
        if self.nout[f] <= fp:
            self.nout[f] = fp + 1


@dataclass(eq=False)
class CompoundType:
    """An ``elementclass`` body (one overload): its table, formals and local defines."""
    name: str
    table: Table
    scope: VarEnv                 # formals (value = keyword type) then local defines
    nformals: int = 0
    ninputs: int = 0
    noutputs: int = 0
    overload: Optional[Union["CompoundType", PrimitiveType]] = None
    where: tuple = ()             # (path, offset) of the '{'

    @property
    def formal_types(self) -> list[str]:
        return self.scope.values[: self.nformals]

    def signature(self) -> str:
        parts = ["<arg>" if t == "" else ("..." if t == "__REST__" else t)
                 for t in self.formal_types]
        args = f"({', '.join(parts)})" if parts else ""
        return f"{self.name or '<anonymous>'}{args}[{self.ninputs} inputs, {self.noutputs} outputs]"


@dataclass(eq=False)
class Origin:
    """Where a (declaring-scope) element comes from in the source."""
    path: str
    name_node: Optional[ElemNode]       # where it was named / first written
    config_node: Optional[ElemNode]     # the node holding its class and configuration
    declared_in: str = ""               # compound class name, '' at file scope
    refs: list = field(default_factory=list)   # ElemNodes where it occurs in connections


class _ElementState:
    __slots__ = ("name", "type", "decl_type", "bare", "config", "node", "node_config", "path",
                 "inports", "outports")

    def __init__(self, name, etype, bare, node, path):
        self.name = name
        self.type = etype
        self.decl_type = None
        self.bare = bare
        self.config = ""
        self.node = node
        self.node_config = node      # the node whose class/config applies ("a, b :: C")
        self.path = path
        self.inports: list[int] = []
        self.outports: list[int] = []


# --------------------------------------------------------------------------
# The elaborator
# --------------------------------------------------------------------------

Reader = Callable[[str], str]


def _read_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
            return fh.read()
    except OSError as e:
        raise InputError(f"cannot read '{path}': {e.strerror}") from None


class Elaborator:
    def __init__(self, classes: set[str], defines: Optional[dict] = None,
                 reader: Reader = _read_file):
        self.classes = classes
        self.cli_defines = dict(defines or {})
        self.reader = reader
        self.types: dict = {}
        self.root = Table()
        self.c = self.root
        self.root_scope = VarEnv()
        self.scope = self.root_scope
        self.scope_owner: Optional[CompoundType] = None
        self.nested = 0
        self.expanding = 0          # depth of compound expansion (bounded by MAX_NESTING)
        self.path = ""
        self.texts: dict[str, str] = {}
        self.files: list[str] = []
        self.requires: list[str] = []
        self.diagnostics: list[Diagnostic] = []
        self.libraries: set[str] = set()
        self.tunnel_in: dict[int, int] = {}     # entering tunnel idx -> partner source idx
        self.tunnel_out: dict[int, int] = {}    # leaving tunnel idx -> partner destination idx
        self.syntax: dict[str, list] = {}       # path -> statements (for the editor)
        # Some compound class falls back on an earlier definition ("|| ..."): which of
        # them an element gets may depend on its argument count.
        self.has_fallbacks = False
        self._span_makers: dict[str, Callable[[int, int], Span]] = {}
        self._arg_layouts: dict[tuple[str, str], "ArgLayout"] = {}

    # ---- utilities -------------------------------------------------------

    def span(self, start: int, end: int, path: Optional[str] = None) -> Span:
        return self.span_maker(path or self.path)(start, end)

    def span_maker(self, path: str) -> Callable[[int, int], Span]:
        make = self._span_makers.get(path)
        if make is None:
            make = self._span_makers[path] = LineIndex(self.texts[path]).span_maker(path)
        return make

    def error(self, msg: str, pos: int, length: int = 1, expected: Optional[str] = None,
              path: Optional[str] = None) -> InputError:
        path = path or self.path
        return InputError(msg, span_at(path, self.texts[path], pos, length), expected=expected)

    def warn(self, msg: str, pos: int, length: int = 1, path: Optional[str] = None) -> None:
        self.diagnostics.append(Diagnostic("warning", msg, self.span(pos, pos + length, path)))

    def lookup_type(self, name: str):
        t = self.types.get(name)
        if t is None and name in self.classes:
            t = PrimitiveType(name)
            self.types[name] = t
        return t

    def force_type(self, tok: Token):
        t = self.lookup_type(tok.value)
        if t is None:
            self.warn(f"unknown element class '{tok.value}'", tok.start_pos, len(tok.value))
            t = PrimitiveType(tok.value, known=False)
            self.types[tok.value] = t
        return t

    # ---- files -------------------------------------------------------------

    def run_file(self, path: str) -> None:
        text = self.reader(path)
        self.texts[path] = text
        self.files.append(path)
        old = self.path
        self.path = path
        stmts = parse_text(text, path)
        self.syntax[path] = stmts
        for s in stmts:
            self.statement(s)
        self.path = old

    # ---- statements --------------------------------------------------------

    def statement(self, s) -> None:
        if isinstance(s, ConnNode):
            self.connection(s)
        elif isinstance(s, ElementClassNode):
            self.elementclass(s)
        elif isinstance(s, RequireNode):
            self.require(s)
        elif isinstance(s, DefineNode):
            self.define(s)

    def define(self, s: DefineNode) -> None:
        cfg = s.config
        for raw in split_args(cfg.value):
            if not raw.text:
                continue
            var, value = shift_spacevec(raw.text)
            pos = cfg.start_pos + raw.start
            if len(var) < 2 or var[0] != "$" or not all(ch.isalnum() or ch == "_" for ch in var[1:]):
                raise self.error(f"bad 'define' declaration: '{var}' is not a variable", pos,
                                 max(1, len(var)), expected="'$name value'")
            if not self.scope.define(var[1:], value):
                raise self.error(f"parameter '{var}' multiply defined", pos, len(var))

    def require(self, s: RequireNode) -> None:
        for raw in split_args(s.config.value):
            words = spacevec(raw.text)
            if not words:
                continue
            kind = words[0]
            if kind not in ("compact_config", "package", "library") and len(words) == 1:
                words = ["package", kind]
                kind = "package"
            pos = s.config.start_pos + raw.start
            if kind == "compact_config" and len(words) == 1:
                self.requires.append("compact_config")
            elif kind == "package" and len(words) == 2:
                self.requires.append(f"package {unquote(words[1])}")
            elif kind == "library" and len(words) == 2:
                self.require_library(unquote(words[1]), pos, len(raw.text))
            else:
                raise self.error("syntax error at requirement", pos, max(1, len(raw.text)),
                                 expected="'package NAME', 'library FILE' or 'compact_config'")

    def require_library(self, value: str, pos: int, length: int) -> None:
        if self.c is not self.root or self.nested:
            raise self.error("'require library' must be used at file scope", pos, length)
        base = os.path.dirname(self.path) or "."
        candidates = [os.path.join(base, value)]
        for d in os.environ.get("CLICKPATH", "").split(":"):
            if d:
                candidates.append(os.path.join(d, "conf", value))
        fn = next((c for c in candidates if os.path.isfile(c)), None)
        if fn is None:
            raise self.error(f"library '{value}' not found (looked in {base})", pos, length)
        real = os.path.realpath(fn)
        self.requires.append(f"library {value}")
        if real in self.libraries:
            return
        self.libraries.add(real)
        self.run_file(os.path.normpath(fn))

    # ---- element classes and compounds ---------------------------------------

    def elementclass(self, s: ElementClassNode) -> None:
        name = s.name.value
        if s.synonym is not None:
            self.types[name] = self.force_type(s.synonym)
            return
        self.types[name] = self.compound(s.compound, name)

    def compound(self, node: CompoundNode, name: str):
        extension = None
        if node.extension:
            self.has_fallbacks = True
            extension = self.lookup_type(name) if name else None
            if extension is None:
                raise self.error(f"cannot extend unknown element class '{name or '<anonymous>'}'",
                                 node.lbrace.start_pos)
        saved_types = dict(self.types)
        first = last = None
        for body in node.bodies:
            comp = self.compound_body(body, name, node)
            self.types = dict(saved_types)
            if last is not None:
                last.overload = comp
            else:
                first = comp
            last = comp
        last.overload = extension
        self.types = saved_types
        return first

    def compound_body(self, body, name: str, node: CompoundNode) -> CompoundType:
        table = Table()
        comp = CompoundType(name, table, VarEnv(self.scope), where=(self.path, node.lbrace.start_pos))
        for pseudo in ("input", "output"):
            self._add(table, pseudo, TUNNEL, "", None)
        table.anon_offset = 2
        self.define_formals(comp, body.formals)
        saved = (self.c, self.scope, self.nested, self.scope_owner)
        self.c, self.scope, self.scope_owner = table, comp.scope, comp
        self.nested += 1
        for s in body.stmts:
            self.statement(s)
        self.c, self.scope, self.nested, self.scope_owner = saved
        self.finish_compound(comp, node)
        return comp

    def define_formals(self, comp: CompoundType, formals) -> None:
        for ftype, var in formals:
            kind = ftype.value if ftype is not None else ""
            if not comp.scope.define(var.value[1:], kind):
                raise self.error(f"parameter '{var.value}' multiply defined", var.start_pos,
                                 len(var.value))
            if kind and kind in comp.scope.values[: comp.nformals]:
                raise self.error(f"repeated keyword parameter '{kind}' in compound element",
                                 ftype.start_pos, len(kind))
            comp.nformals += 1
            prev = comp.scope.values[comp.nformals - 2] if comp.nformals > 1 else None
            if prev is not None and ((not kind and prev) or prev == "__REST__"):
                raise self.error("compound element parameters out of order", var.start_pos,
                                 len(var.value), expected="positional, then KEYWORD $x, then __REST__ $x")

    def finish_compound(self, comp: CompoundType, node: CompoundNode) -> None:
        t = comp.table
        comp.ninputs = self._pseudo_ports(comp, 0, False, node)
        comp.noutputs = self._pseudo_ports(comp, 1, True, node)
        for i, n in enumerate(t.names):
            if n.startswith(";"):
                self._deanonymize(t, i)

    def _pseudo_ports(self, comp: CompoundType, which: int, isoutput: bool, node) -> int:
        t = comp.table
        pname = "output" if isoutput else "input"
        count = t.nin[which] if isoutput else t.nout[which]
        wrong = t.nout[which] if isoutput else t.nin[which]
        used = [False] * count
        for f, fp, to, tp, _a, _w in t.conns:
            if isoutput and to == which:
                used[tp] = True
            elif not isoutput and f == which:
                used[fp] = True
        label = comp.name or "<anonymous>"
        if wrong:
            raise self.error(f"'{label}' pseudoelement '{pname}' may only be used as "
                             f"{'input' if isoutput else 'output'}", node.lbrace.start_pos)
        for i, u in enumerate(used):
            if not u:
                raise self.error(f"'{label}' {pname} {i} missing", node.lbrace.start_pos)
        return count

    # ---- element tables ----------------------------------------------------

    def _add(self, table: Table, name: str, etype, config: str, origin) -> int:
        idx = len(table.names)
        table.emap[name] = idx
        table.names.append(name)
        table.types.append(etype)
        table.configs.append(config)
        table.origins.append(origin)
        table.nin.append(0)
        table.nout.append(0)
        return idx

    def get_element(self, name: str, etype, config: str, origin, pos: int = 0,
                    table: Optional[Table] = None) -> int:
        table = table or self.c
        idx = table.emap.get(name)
        if idx is not None:
            return idx
        for comp in name.split("/"):
            if comp.isdigit():
                raise self.error(f"element name '{name}' has all-digit component", pos,
                                 max(1, len(name)), expected="a name with a non-digit character")
        return self._add(table, name, etype, config, origin)

    def anon_name(self, cls_name: str) -> str:
        return f";{cls_name}@{len(self.c.names) - self.c.anon_offset + 1}"

    @staticmethod
    def _deanonymize(t: Table, idx: int) -> str:
        name = t.names[idx][1:]
        if name in t.emap:
            at = name.rfind("@")
            prefix = name[: at + 1]
            digits = ""
            for ch in name[at + 1:]:
                if not ch.isdigit():
                    break
                digits += ch
            n = int(digits or 0)
            while True:
                n += 1
                name = prefix + str(n)
                if name not in t.emap:
                    break
        t.emap[name] = idx
        t.names[idx] = name
        return name

    def add_tunnels(self, name: str, pos: int) -> list[int]:
        idx = []
        for n in (name, name + "/input", name + "/output"):
            i = self.get_element(n, TUNNEL, "", None, pos)
            if self.c.types[i] is not TUNNEL:
                raise self.error(f"redeclaration of element '{n}'", pos)
            idx.append(i)
        if self.c is self.root:
            self.tunnel_in[idx[0]] = idx[1]     # into X[p]        == out of X/input[p]
            self.tunnel_in[idx[2]] = idx[0]     # into X/output[p] == out of X[p]
            self.tunnel_out[idx[1]] = idx[0]    # out of X/input[p] == into X[p]
            self.tunnel_out[idx[0]] = idx[2]    # out of X[p]       == into X/output[p]
        return idx

    # ---- connections ---------------------------------------------------------

    def connection(self, s: ConnNode) -> None:
        lists = list(s.lists)
        arrows = list(s.arrows)
        if s.lead is not None:              # "-> x" in a compound: "input -> x"
            lists.insert(0, [ElemNode("implicit", s.lead.start_pos, s.lead.start_pos)])
            arrows.insert(0, s.lead)
        if s.trail is not None or len(lists) == 1 and s.lead is not None and not s.lists:
            # "x ->" in a compound: "x -> output"; a lone "->" is "input -> output"
            arrow = s.trail or s.lead
            lists.append([ElemNode("implicit", arrow.end_pos, arrow.end_pos, incoming=True)])
            if s.trail is not None:
                arrows.append(s.trail)
        last = None
        for i, elist in enumerate(lists):
            entries = self.element_list(elist, first=(i == 0), is_last=(i == len(lists) - 1),
                                        arrow=arrows[i - 1] if i else None)
            if i == 0:
                for e, node in zip(entries, elist):
                    if e[1]:
                        raise self.error("input ports ignored at start of chain", node.start,
                                         max(1, node.end - node.start))
            else:
                self.connect_all(last, entries, arrows[i - 1])
            last = entries
        for e, node in zip(last, lists[-1]):
            if e[2]:
                raise self.error("output ports ignored at end of chain", node.start,
                                 max(1, node.end - node.start))

    def element_list(self, elist: list[ElemNode], first: bool, is_last: bool, arrow) -> list:
        states: list[_ElementState] = []
        any_ports = any_implicit = False
        for node in elist:
            st = self.element_state(node, first)
            if st.inports or st.outports:
                any_ports = True
            if node.kind == "implicit":
                any_implicit = True
            states.append(st)
        if any_implicit and not first and not is_last:
            raise self.error("implicit ports used in the middle of a chain", elist[0].start)
        # "a, b :: C(cfg)" standing alone declares every name with C(cfg).
        if len(states) > 1 and first and is_last and not any_ports and not any_implicit:
            lastst = states[-1]
            if all(st.bare for st in states[:-1]) and lastst.decl_type is not None:
                for st in states[:-1]:
                    st.decl_type = lastst.decl_type
                    st.config = lastst.config
                    st.node_config = lastst.node
        entries = []
        for st in states:
            entries.append((self.add_state(st), st.inports, st.outports))
        return entries

    def element_state(self, node: ElemNode, first: bool) -> _ElementState:
        inports = parse_port(self.path, self.texts[self.path], node.in_port.start_pos + 1,
                             node.in_port.end_pos - 1) if node.in_port is not None else []
        outports = parse_port(self.path, self.texts[self.path], node.out_port.start_pos + 1,
                              node.out_port.end_pos - 1) if node.out_port is not None else []
        if node.kind == "implicit":
            if not self.nested:
                raise self.error("port or arrow without an element", node.start,
                                 max(1, node.end - node.start), expected="an element name or class")
            name = "input" if first else "output"
            st = _ElementState(name, None, False, node, self.path)
            if first:
                st.outports = inports
            else:
                st.inports = inports
            return st
        if node.kind == "group":
            st = self.group(node, inports)
            st.outports = outports if node.out_port is not None else st.outports
            return st
        if node.kind == "compound":
            etype = self.compound(node.compound, "")
            st = _ElementState("", etype, False, node, self.path)
        else:
            etype = self.lookup_type(node.ident.value)
            st = _ElementState(node.ident.value, etype, True, node, self.path)
            if node.has_decl:
                st.bare = False
                if node.decl_compound is not None:
                    st.decl_type = self.compound(node.decl_compound, "")
                else:
                    st.decl_type = self.force_type(node.decl_class)
        if node.config is not None:
            st.bare = False
            st.config = strip_line_directives(node.config.value)
        st.inports = inports
        st.outports = outports
        return st

    def group(self, node: ElemNode, inports: list[int]) -> _ElementState:
        name = self.anon_name("")
        tun = self.add_tunnels(name, node.start)
        t = self.c
        saved = (t.emap.get("input"), t.emap.get("output"))
        t.emap["input"], t.emap["output"] = tun[1], tun[2]
        self.nested += 1
        for s in node.stmts:
            self.statement(s)
        self.nested -= 1
        for key, old in zip(("input", "output"), saved):
            if old is None:
                t.emap.pop(key, None)
            else:
                t.emap[key] = old
        # An anonymous group implies all its ports on each side unless given.
        n_in = t.nout[tun[1]]
        n_out = t.nin[tun[2]]
        st = _ElementState(name, None, False, node, self.path)
        st.inports = inports or list(range(n_in))
        st.outports = list(range(n_out))
        return st

    def add_state(self, st: _ElementState) -> int:
        t = self.c
        node = st.node
        pos = node.ident.start_pos if node.ident is not None else node.start
        if st.type is not None or st.name not in t.emap:
            if st.decl_type is not None and st.type is not None:
                raise self.error(f"class '{st.name}' used as element name", pos, len(st.name))
            if st.decl_type is None and st.type is None:
                if node.kind == "named" and node.config is None:
                    self.warn(f"undeclared element '{st.name}' (treated as an anonymous element "
                              f"of unknown class '{st.name}')", pos, len(st.name))
                else:
                    self.warn(f"unknown element class '{st.name}'", pos, len(st.name))
                st.type = PrimitiveType(st.name, known=False)
                self.types.setdefault(st.name, st.type)
            name = st.name
            if st.type is not None:
                name = self.anon_name(st.name if node.kind != "compound" else "")
            origin = Origin(st.path, node, st.node_config,
                            declared_in=self.scope_owner.name if self.scope_owner else "")
            origin.refs.append(node)
            return self.get_element(name, st.type if st.type is not None else st.decl_type,
                                    st.config, origin, pos)
        idx = t.emap[st.name]
        if st.decl_type is not None:
            raise self.error(f"redeclaration of element '{st.name}'", pos, len(st.name))
        if node.config is not None and node.kind == "named":
            raise self.error(f"configuration string ignored on element reference '{st.name}'",
                             node.config.start_pos - 1, len(node.config.value) + 2)
        origin = t.origins[idx]
        if origin is not None:
            origin.refs.append(node)
        return idx

    def connect_all(self, outputs: list, inputs: list, arrow: Token) -> None:
        """Connect two element lists joined by ``arrow`` (Click's port-numbering rules)."""
        where = (self.path, arrow)
        if len(outputs) == 1 and len(inputs) == 1:
            (f, _fin, fout), (to, tin, _tout) = outputs[0], inputs[0]
            if len(fout) <= 1 and len(tin) <= 1:    # "a [p] -> [q] b": nothing to number
                self.c.connect(f, fout[0] if fout else 0, to, tin[0] if tin else 0,
                               arrow.value, where)
                return
        try:
            pairs = pair_ports([End(e[0], e[2]) for e in outputs],
                               [End(e[0], e[1]) for e in inputs], arrow.type == "DARROW")
        except PortError as err:
            raise self.error(str(err), arrow.start_pos, len(arrow.value),
                             expected=err.expected) from None
        for f, fp, to, tp in pairs:
            self.c.connect(f, fp, to, tp, arrow.value, where)

    # ---- expansion (create_router) -------------------------------------------

    def expand_all(self) -> None:
        for name, value in self.cli_defines.items():
            self.root_scope.define(name.lstrip("$"), str(value), override=True)
        self.c = self.root
        for i in range(len(self.root.names)):
            self.expand_element(i, self.root_scope)

    def expand_element(self, which: int, ve: VarEnv) -> None:
        t = self.root
        if t.names[which].startswith(";"):
            self._deanonymize(t, which)
        etype = t.types[which]
        if etype is TUNNEL:
            return
        try:
            t.configs[which] = cp_expand(t.configs[which], ve)
        except ExpansionTooLarge as e:
            origin = t.origins[which]
            node = origin.name_node if origin is not None else None
            if node is not None:
                raise self.error(e.message, node.start, max(1, node.end - node.start),
                                 path=origin.path) from None
            raise
        if not isinstance(etype, CompoundType):
            return
        args = argvec(t.configs[which])
        found, values = self.resolve(etype, t.nin[which], t.nout[which], args, which)
        if not isinstance(found, CompoundType):
            t.types[which] = found
            return
        new_ve = VarEnv(ve.parent_of(found.scope.depth))
        for i in range(found.nformals):
            new_ve.define(found.scope.names[i], values[i], True)
        for i in range(found.nformals, len(found.scope.names)):
            new_ve.define(found.scope.names[i], cp_expand(found.scope.values[i], new_ve), True)
        self.expand_into(found, which, new_ve)

    def resolve(self, comp: CompoundType, nin: int, nout: int, args: list[str], which: int):
        ct = comp
        closest = None
        count = 0
        while isinstance(ct, CompoundType):
            count += 1
            vals = assign_arguments(args, ct.formal_types)
            if vals is not None and ct.ninputs == nin and ct.noutputs == nout:
                return ct, vals
            if vals is not None and closest is None:
                closest = (ct, vals)
            if isinstance(ct.overload, PrimitiveType):
                return ct.overload, args
            ct = ct.overload
        if count == 1 and closest is not None:
            return closest
        origin = self.root.origins[which]
        cands = "; ".join(c.signature() for c in _overloads(comp))
        msg = (f"no match for '{comp.name or '<anonymous>'}[{len(args)} arguments, "
               f"{nin} inputs, {nout} outputs]' (candidates: {cands})")
        if origin is not None and origin.name_node is not None:
            node = origin.name_node
            raise self.error(msg, node.start, max(1, node.end - node.start), path=origin.path)
        raise InputError(msg)

    def expand_into(self, comp: CompoundType, which: int, ve: VarEnv) -> None:
        t = self.root
        ename = t.names[which]
        if self.expanding >= MAX_NESTING:
            origin = t.origins[which]
            node = origin.name_node if origin is not None else None
            msg = (f"compound expansion nests deeper than {MAX_NESTING} levels "
                   f"(expanding '{comp.name or '<anonymous>'}')")
            if node is not None:
                raise self.error(msg, node.start, max(1, node.end - node.start), path=origin.path)
            raise InputError(msg)
        t.types[which] = TUNNEL
        saved_c = self.c
        self.c = t
        tun = self.add_tunnels(ename, 0)
        idx_map = [tun[1], tun[2]]
        inner = comp.table
        i = 2
        while i < len(inner.names):
            cname = f"{ename}/{inner.names[i]}"
            if cname in t.emap:
                raise InputError(f"redeclaration of element '{cname}' while expanding "
                                 f"'{comp.name}'")
            if inner.types[i] is TUNNEL:
                idx_map.extend(self.add_tunnels(cname, 0))
                i += 3
                continue
            idx_map.append(self._add(t, cname, inner.types[i], cp_expand(inner.configs[i], ve),
                                     inner.origins[i]))
            i += 1
        for f, fp, to, tp, arrow, where in inner.conns:
            t.connect(idx_map[f], fp, idx_map[to], tp, arrow, where)
        self.c = saved_c
        self.expanding += 1
        try:
            for j in idx_map[2:]:
                self.expand_element(j, ve)
        finally:
            self.expanding -= 1

    # ---- output --------------------------------------------------------------

    def flat_connections(self) -> list[tuple]:
        """Connections between real elements, following tunnels through compounds and groups."""
        t = self.root
        outs: dict[tuple[int, int], list] = {}
        for c in t.conns:
            outs.setdefault((c[0], c[1]), []).append(c)
        result = []
        seen_edges = set()
        types = t.types
        ins = {(c[2], c[3]) for c in t.conns}
        for c in t.conns:
            if types[c[0]] is TUNNEL:
                partner = self.tunnel_out.get(c[0])
                if partner is not None and (partner, c[1]) not in ins:
                    self.unfed_tunnel(c[0], partner, c[1], c[5])
                continue
            if types[c[2]] is not TUNNEL:           # the common case: no tunnel to follow
                key = c[:4]
                if key not in seen_edges:
                    seen_edges.add(key)
                    result.append(c)
                continue
            for dst, dport in self._tunnel_targets(outs, c[2], c[3], c[5]):
                key = (c[0], c[1], dst, dport)
                if key not in seen_edges:
                    seen_edges.add(key)
                    result.append((c[0], c[1], dst, dport, c[4], c[5]))
        return result

    def _tunnel_targets(self, outs: dict, idx: int, port: int, where) -> list[tuple[int, int]]:
        """Real elements and ports reached by entering ``idx[port]``, through tunnels,
        in depth-first order.  An explicit stack (nesting depth is the input's), and a
        set of the tunnels on the current path (a cycle of tunnels ends the path)."""
        types, tunnel_in = self.root.types, self.tunnel_in
        found: list[tuple[int, int]] = []
        on_path: set = set()
        stack: list[tuple] = [(idx, port)]
        while stack:
            item = stack.pop()
            if len(item) == 1:                  # leaving a tunnel
                on_path.discard(item[0])
                continue
            i, p = item
            if types[i] is not TUNNEL:
                found.append((i, p))
                continue
            src = tunnel_in.get(i)
            if src is None or (src, p) in on_path:
                continue
            on_path.add((src, p))
            stack.append(((src, p),))
            inner = outs.get((src, p))
            if not inner:
                self.unconnected_tunnel(i, src, p, where)
            stack.extend((c[2], c[3]) for c in reversed(inner or ()))
        return found

    def unconnected_tunnel(self, idx: int, src: int, port: int, where) -> None:
        """A connection reaches a compound (or group) port that leads nowhere: Click rejects it."""
        names = self.root.names
        if names[src] == names[idx] + "/input":
            msg = f"'{names[idx]}' has no input {port}"
            expected = "a connection from that input inside the compound"
        else:
            msg = f"'{names[src]}' output {port} unused"
            expected = "a connection from that output outside the compound"
        path, tok = where
        raise self.error(msg, tok.start_pos, len(tok.value), path=path, expected=expected)

    def unfed_tunnel(self, idx: int, partner: int, port: int, where) -> None:
        """A compound (or group) port used inside but never connected outside."""
        names = self.root.names
        if names[idx] == names[partner] + "/input":
            msg = f"'{names[partner]}' input {port} unused"
        else:
            msg = f"'{names[idx]}' has no output {port}"
        path, tok = where
        raise self.error(msg, tok.start_pos, len(tok.value), path=path,
                         expected="a connection to that port outside the compound")

    def build_chain(self, main: str) -> Chain:
        t = self.root
        chain = Chain(framework="fastclick", path=main, files=list(self.files),
                      requires=list(self.requires), diagnostics=list(self.diagnostics))
        elements = chain.elements
        for i, name in enumerate(t.names):
            etype = t.types[i]
            if etype is TUNNEL:
                continue
            elements.append(self.make_element(name, etype, t.configs[i], t.origins[i]))
        for f, fp, to, tp, arrow, (path, tok) in self.flat_connections():
            chain.connections.append(Connection(
                src=t.names[f], src_port=fp, dst=t.names[to], dst_port=tp, arrow=arrow,
                span=self.span_maker(path)(tok.start_pos, tok.end_pos)))
        return chain

    def make_element(self, name: str, etype, config: str, origin: Optional[Origin]) -> Element:
        el = Element(name, etype.name, config=config)
        if not getattr(etype, "known", True):
            el.attrs["unknown_class"] = True
        if origin is None or origin.config_node is None:
            el.args = [_argument(a) for a in argvec(config)]
            return el
        path = origin.path
        span = self.span_maker(path)
        node = origin.config_node
        name_node = origin.name_node or node
        class_tok = node.decl_class if node.decl_class is not None else node.ident
        if class_tok is not None and node.kind == "named":
            el.class_span = span(class_tok.start_pos, class_tok.end_pos)
        el.decl_span = span(_decl_start(name_node, node), _decl_end(node))
        if origin.declared_in:
            el.attrs["declared_in"] = origin.declared_in
        cfg = node.config
        if cfg is None:
            return el
        el.config_span = config_span = span(cfg.start_pos, cfg.end_pos)
        key = (cfg.value, config)
        layout = self._arg_layouts.get(key)
        if layout is None:
            layout = self._arg_layouts[key] = ArgLayout.of(cfg.value, config)
        if layout.args is None:         # cannot tell which argument came from where
            el.args = [_argument(a) for a in argvec(config)]
            return el
        base = cfg.start_pos
        args = el.args
        if layout.one_line:   # every argument on the configuration's first line: no lookups
            line, col = config_span.line, config_span.col - base
            for text, keyword, value, start, end, voff in layout.args:
                start += base
                end += base
                arg_span = Span(path, start, end, line, col + start)
                args.append(Argument(text, keyword, value, arg_span, arg_span if voff < 0 else
                                     Span(path, start + voff, end, line, col + start + voff)))
        else:
            for text, keyword, value, start, end, voff in layout.args:
                start += base
                end += base
                arg_span = span(start, end)
                args.append(Argument(text, keyword, value, arg_span,
                                     arg_span if voff < 0 else span(start + voff, end)))
        return el


class ArgLayout:
    """The arguments of one configuration string, with offsets relative to it.

    Computed once per distinct (raw text, expanded text) pair: configurations
    repeat (every instance of a compound, and generated files), and only the
    spans differ from one element to the next.  ``args`` holds one tuple per
    expanded argument, ``(text, keyword, value, start, end, value offset)``
    (value offset -1 for a positional argument), or is None when the expanded
    arguments cannot be traced back to the raw ones."""

    __slots__ = ("one_line", "args")

    def __init__(self, one_line: bool, args: Optional[list[tuple]]):
        self.one_line = one_line
        self.args = args

    @classmethod
    def of(cls, raw_value: str, config: str) -> "ArgLayout":
        raw_text = blank_line_directives(raw_value)
        raw_args = split_args(raw_text)
        plain = config == raw_text       # no variables: raw and expanded arguments coincide
        exp_args = [a.text for a in raw_args] if plain else argvec(config)
        if len(raw_args) != len(exp_args):
            sources = _argument_sources(raw_args, exp_args)
            if sources is None:
                return cls(False, None)
            raw_args = [raw_args[i] for i in sources]
        args = []
        for raw, text in zip(raw_args, exp_args):
            ks = element_keyword(text)
            if ks is None:
                args.append((text, None, text, raw.start, raw.end, -1))
                continue
            voff = ks[1]
            if not (plain and raw.end - raw.start == len(text)):  # comments or variables inside
                raw_ks = keyword_split(raw_text[raw.start:raw.end])
                voff = raw_ks[1] if raw_ks is not None else 0
            args.append((text, ks[0], text[ks[1]:], raw.start, raw.end, voff))
        return cls("\n" not in raw_text, args)


def _argument_sources(raw_args: list[RawArg], exp_args: list[str]) -> Optional[list[int]]:
    """For each expanded argument, the index of the raw argument it comes from, when
    exactly one raw argument holds variables that expand into a different number of
    arguments (``Foo(A, $rest, B)`` with ``$rest`` = ``X 1, Y 2``): its arguments all
    get that raw argument (and so its span).  None when that is not the case, or the
    other arguments do not match."""
    with_vars = [i for i, a in enumerate(raw_args) if "$" in a.text]
    if len(with_vars) != 1:
        return None
    v = with_vars[0]
    extra = len(exp_args) - len(raw_args)
    tail = len(raw_args) - v - 1           # raw arguments after the variable one
    if extra < -1:
        return None
    if any(raw_args[i].text != exp_args[i] for i in range(v)):
        return None
    if any(raw_args[v + 1 + k].text != exp_args[v + 1 + extra + k] for k in range(tail)):
        return None
    return list(range(v)) + [v] * (extra + 1) + list(range(v + 1, len(raw_args)))


def _decl_start(name_node: ElemNode, node: ElemNode) -> int:
    first = name_node if name_node.start <= node.start else node
    return first.ident.start_pos if first.ident is not None else first.start


def _decl_end(node: ElemNode) -> int:
    if node.config is not None:
        return node.config.end_pos + 1
    if node.decl_compound is not None:
        return node.decl_compound.rbrace.end_pos
    if node.decl_class is not None:
        return node.decl_class.end_pos
    if node.compound is not None:
        return node.compound.rbrace.end_pos
    return node.ident.end_pos if node.ident is not None else node.end


def _overloads(comp):
    while isinstance(comp, CompoundType):
        yield comp
        comp = comp.overload


def _argument(text: str) -> Argument:
    return _argument_at(text)[0]


def _argument_at(text: str) -> tuple[Argument, int]:
    """The Argument for one split argument, and the offset of its value in ``text``."""
    ks = element_keyword(text)
    if ks is not None:
        return Argument(text=text, keyword=ks[0], value=text[ks[1]:]), ks[1]
    return Argument(text=text, value=text), 0


def assign_arguments(args: list[str], formals: list[str]) -> Optional[list[str]]:
    """Match configuration arguments to compound formals (cp_assign_arguments).

    ``formals`` holds each formal's type: '' positional, a keyword, or '__REST__'.
    Returns the value of each formal, or None when the arguments do not fit.
    """
    if not formals or formals[-1] == "":
        return list(args) if len(args) == len(formals) else None
    rest = formals[-1] == "__REST__"
    slots = formals[:-1] if rest else formals
    npositional = 0
    while npositional < len(slots) and slots[npositional] == "":
        npositional += 1
    values: list[Optional[str]] = [None] * len(slots)
    used = [False] * len(args)
    supplied = 0
    any_kw = False
    for i, a in enumerate(args):
        if supplied >= npositional:
            ks = keyword_split(a) if a else None
            kw = ks[0] if ks else (a if a in slots[npositional:] else None)
            if kw is not None and kw in slots[npositional:]:
                j = slots.index(kw, npositional)
                values[j] = a[ks[1]:] if ks else ""
                used[i] = True
                any_kw = True
                continue
            if any_kw:
                if rest:
                    continue
                return None
        if supplied < npositional:
            values[supplied] = a
            used[i] = True
        supplied += 1
    if any(v is None for v in values) or (supplied > npositional and not rest):
        return None
    if rest:
        values.append(", ".join(a for a, u in zip(args, used) if not u))
    return values
