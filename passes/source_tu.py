"""libclang front door shared by the source passes.

Parses each file of an NF unit once (cached in ``AnalysisContext.memo``) and
indexes what the passes need: records with their fields, functions with
their body tokens, file-scope variables.  Works when includes are missing:
libclang still reports classes, methods and fields, and the *tokens* keep the
real spelling where types degrade to ``int`` (``HashTable<IPFlowID,int> _flows``).
Also splits function bodies into statements that know whether they sit
under a condition (the per-packet vs rare-path signal) and resolves the calls
reachable from the unit's per-packet entry points.
"""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import clang.cindex as ci

from flowmagec.artifacts import NFUnit

from .knowledge.vpp import NAME_PASTING_MACROS

CK = ci.CursorKind
CPP_EXT = (".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx")
# Framework macros that, when their header is missing, would swallow the
# declaration after them (``CLICK_DECLS Foo::Foo() {...}``).
DEGRADED_DEFINES = {
    "fastclick": ["CLICK_DECLS=", "CLICK_ENDDECLS=", "CLICK_COLD=", "CLICK_CACHE_ALIGN=",
                  "CLICK_ALIGNED(x)=", "CLICK_LOOP_UNROLL=", "CLICK_WARN_UNUSED_RESULT="],
    "vpp": ["CLIB_PACKED(x)=x", "CLIB_CACHE_LINE_ALIGN_MARK(x)=", "always_inline=static inline",
            "static_always_inline=static inline"],
}
# Per-packet entry-point names the frameworks call (API names, not NF names).
# Feature macros of a configured FastClick build (config.h), assumed only when
# the unit's flags do not come from a configured tree.
UNCONFIGURED_DEFINES = {"fastclick": ["HAVE_FLOW=1", "HAVE_BATCH=1", "HAVE_FLOW_DYNAMIC=1",
                                      "HAVE_MULTITHREAD=1", "HAVE_USER_MULTITHREAD=1"]}
PACKET_API = {"push", "pull", "simple_action", "push_batch", "pull_batch",
              "simple_action_batch", "push_flow", "push_flow_batch", "process",
              "VLIB_NODE_FN"}
C_KEYWORDS = {"if", "else", "for", "while", "do", "switch", "case", "default", "return",
              "sizeof", "goto", "break", "continue", "static_cast", "reinterpret_cast",
              "const_cast", "dynamic_cast", "new", "delete", "typeof", "__typeof__",
              "decltype", "alignof", "throw", "catch", "try"}
GUARD_HEADS = {"if", "else", "switch", "case", "default", "catch", "try"}
LOOP_HEADS = {"for", "while", "do"}
FUNC_KINDS = (CK.FUNCTION_DECL, CK.CXX_METHOD, CK.FUNCTION_TEMPLATE, CK.CONSTRUCTOR)
RECORD_KINDS = (CK.CLASS_DECL, CK.STRUCT_DECL, CK.CLASS_TEMPLATE, CK.UNION_DECL,
                CK.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION)


@dataclass(frozen=True)
class Tok:
    text: str
    line: int
    kind: str           # 'identifier' | 'keyword' | 'punctuation' | 'literal'


@dataclass
class Param:
    name: str
    type_tokens: list[str]


@dataclass
class FunctionInfo:
    name: str                 # simple name ('process', 'lb_node_fn')
    qualname: str             # 'IPolicer::process'
    owner: str                # enclosing class ('' for C functions)
    file: str
    line: int
    params: list[Param]
    body: list[Tok]
    return_tokens: list[str] = field(default_factory=list)


@dataclass
class TypedName:
    """A declared name with its type as spelled in the source."""
    name: str
    type_tokens: list[str]

    @property
    def type_text(self) -> str:
        return spell(self.type_tokens)


@dataclass
class FieldInfo(TypedName):
    owner: str
    file: str
    line: int


@dataclass
class RecordInfo:
    name: str
    file: str
    line: int
    fields: list[FieldInfo] = field(default_factory=list)
    bases: list[list[str]] = field(default_factory=list)   # token lists of base specifiers
    template_params: list[str] = field(default_factory=list)


@dataclass
class GlobalInfo(TypedName):
    file: str
    line: int


@dataclass
class SourceIndex:
    records: dict[str, RecordInfo] = field(default_factory=dict)
    functions: list[FunctionInfo] = field(default_factory=list)
    globals: list[GlobalInfo] = field(default_factory=list)
    typedefs: dict[str, list[str]] = field(default_factory=dict)   # alias -> underlying tokens
    errors: list[str] = field(default_factory=list)

    def functions_named(self, name: str) -> list[FunctionInfo]:
        return [f for f in self.functions if f.name == name]

    def record(self, name: str) -> RecordInfo | None:
        name = self.typedefs.get(name, [name])[-1] if name not in self.records else name
        return self.records.get(name)


def spell(tokens: list[str]) -> str:
    """Tokens back to compact C text: ``HashTable<IPFlowID,int>``."""
    out = ""
    for t in tokens:
        if out and (out[-1].isalnum() or out[-1] == "_") and (t[0].isalnum() or t[0] == "_"):
            out += " "
        out += t
    return out


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

def parse_args(unit: NFUnit, path: str) -> list[str]:
    """libclang arguments: the unit's flags, the file's language, degraded-mode defines."""
    cpp = path.endswith(CPP_EXT) or (unit.framework == "fastclick" and path.endswith(".h"))
    lang = ["-x", "c++", "-std=c++17"] if cpp else ["-x", "c", "-std=gnu11"]
    flags = [f for f in unit.compile_flags
             if not f.startswith(("-O", "-g", "-emit", "-c", "-o", "-x", "-std", "-W"))]
    dirs = {os.path.dirname(os.path.abspath(p)) for p in unit.files + unit.headers}
    defines = [f"-D{d}" for d in DEGRADED_DEFINES.get(unit.framework, [])]
    if "-DHAVE_CONFIG_H" not in unit.compile_flags:
        defines += [f"-D{d}" for d in UNCONFIGURED_DEFINES.get(unit.framework, [])]
    return lang + flags + [f"-I{d}" for d in sorted(dirs)] + defines + [
        "-ferror-limit=0", "-Wno-everything", "-fno-spell-checking"]


class _FileIndexer:
    """Indexes one parsed file into a SourceIndex (only cursors located in that file)."""

    def __init__(self, index: SourceIndex, path: str, tu: ci.TranslationUnit):
        self.index, self.path, self.tu = index, path, tu
        self.tokens: list[Tok] = []
        self.offsets: list[int] = []
        for t in tu.get_tokens(extent=tu.cursor.extent):
            kind = t.kind             # (each libclang property read is a foreign call)
            if kind != ci.TokenKind.COMMENT:
                self.tokens.append(Tok(t.spelling, t.location.line, kind.name.lower()))
                self.offsets.append(t.extent.start.offset)
        self.covered: list[tuple[int, int]] = []
        self._in_file: dict[str, bool] = {}     # file name -> is this file (one stat each)

    def slice(self, extent) -> list[Tok]:
        lo = bisect.bisect_left(self.offsets, extent.start.offset)
        hi = bisect.bisect_left(self.offsets, extent.end.offset)
        return self.tokens[lo:hi]

    def run(self):
        self.walk(self.tu.cursor, owner="")
        self.token_functions()

    def here(self, c) -> bool:
        f = c.location.file
        if f is None:
            return False
        name = f.name
        if name not in self._in_file:
            self._in_file[name] = os.path.samefile(name, self.path)
        return self._in_file[name]

    def walk(self, cursor, owner: str):
        for c in cursor.get_children():
            if not self.here(c):
                continue
            k = c.kind
            if k in (CK.NAMESPACE, CK.LINKAGE_SPEC, CK.UNEXPOSED_DECL):
                self.walk(c, owner)
            elif k in RECORD_KINDS and c.is_definition():
                self.add_record(c)
                self.walk(c, c.spelling)
            elif k in FUNC_KINDS and c.is_definition():
                self.add_function(c, owner)
            elif k == CK.VAR_DECL and not owner:
                self.add_global(c)
            elif k == CK.TYPEDEF_DECL:
                self.add_typedef(c)

    def add_record(self, c):
        name = c.spelling
        if not name or "(unnamed" in name or "(anonymous" in name:
            name = self._anon_typedef_name(c)
        if not name:
            return
        rec = RecordInfo(name=name, file=self.path, line=c.location.line)
        for ch in c.get_children():
            if ch.kind == CK.FIELD_DECL:
                rec.fields.append(FieldInfo(ch.spelling, self.decl_type_tokens(ch), name,
                                            self.path, ch.location.line))
            elif ch.kind == CK.CXX_BASE_SPECIFIER:
                rec.bases.append([t.text for t in self.slice(ch.extent)
                                  if t.text not in ("public", "private", "protected", "virtual")])
            elif ch.kind == CK.TEMPLATE_TYPE_PARAMETER:
                rec.template_params.append(ch.spelling)
        old = self.index.records.get(name)
        if old is None or len(rec.fields) > len(old.fields):
            self.index.records[name] = rec

    def _anon_typedef_name(self, c) -> str:
        # 'typedef struct { ... } name_t;' -> the typedef's name follows the closing brace
        end = bisect.bisect_left(self.offsets, c.extent.end.offset)
        for t in self.tokens[end:end + 4]:
            if t.kind == "identifier":
                return t.text
        return ""

    def decl_type_tokens(self, c) -> list[str]:
        """Spelled type of a declaration: its tokens before the declared name
        (plus ``[ ]`` for an array declarator)."""
        toks = [t.text for t in self.slice(c.extent)]
        if c.spelling in toks:
            k = toks.index(c.spelling)
            array = k + 1 < len(toks) and toks[k + 1] == "["
            toks = toks[:k] + (["[", "]"] if array else [])
        return [t for t in toks if t not in ("static", "mutable", "extern", "inline")] or [
            c.type.spelling]

    def add_function(self, c, owner: str):
        body_cursor = next((ch for ch in c.get_children() if ch.kind == CK.COMPOUND_STMT), None)
        if body_cursor is None:
            return
        params = [Param(a.spelling, self.decl_type_tokens(a)) for a in c.get_children()
                  if a.kind == CK.PARM_DECL]
        parent = c.semantic_parent
        cls = owner or (parent.spelling if parent is not None and parent.kind in RECORD_KINDS
                        else "")
        head = [t.text for t in self.slice(c.extent)]
        ret = head[:head.index(c.spelling)] if c.spelling in head else []
        self.index.functions.append(FunctionInfo(
            name=c.spelling, qualname=f"{cls}::{c.spelling}" if cls else c.spelling, owner=cls,
            file=self.path, line=c.location.line, params=params,
            body=self.slice(body_cursor.extent), return_tokens=ret))
        self.covered.append((body_cursor.extent.start.line, body_cursor.extent.end.line))

    def add_global(self, c):
        self.index.globals.append(GlobalInfo(c.spelling, self.decl_type_tokens(c), self.path,
                                             c.location.line))

    def add_typedef(self, c):
        toks = [t.text for t in self.slice(c.extent)]
        under = c.underlying_typedef_type.spelling
        self.index.typedefs.setdefault(c.spelling, toks[1:-1] if len(toks) > 2 else [under])

    def token_functions(self):
        """Functions libclang missed: ``MACRO (name) (params) { ... }`` at file scope
        (VPP's VLIB_NODE_FN when its header is absent)."""
        toks, depth, start = self.tokens, 0, 0
        i = 0
        while i < len(toks):
            t = toks[i].text
            if t == "{" and depth == 0:
                end = _match(toks, i, "{", "}")
                head = toks[start:i]
                line = toks[i].line
                if (head and head[-1].text == ")" and not any(a <= line <= b for a, b in self.covered)
                        and not any(h.text in ("=", "struct", "enum", "union") for h in head)):
                    self._token_function(head, toks[i:end + 1])
                i, start = end + 1, end + 1
                continue
            if t == ";" and depth == 0:
                start = i + 1
            i += 1

    def _token_function(self, head: list[Tok], body: list[Tok]):
        idents = [t for t in head if t.kind == "identifier"]
        if not idents:
            return
        first_paren = next(i for i, t in enumerate(head) if t.text == "(")
        callee = head[first_paren - 1].text if first_paren else idents[0].text
        name = callee
        if callee.isupper() or callee.startswith(("VLIB_", "VNET_")):
            inner = [t for t in head[first_paren:] if t.kind == "identifier"]
            name = inner[0].text if inner else callee
        self.index.functions.append(FunctionInfo(
            name=name, qualname=name, owner="", file=self.path, line=head[0].line, params=[],
            body=body, return_tokens=[callee]))


def _match(toks: list[Tok], i: int, open_: str, close: str) -> int:
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text == open_:
            depth += 1
        elif toks[j].text == close:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def build_index(unit: NFUnit) -> SourceIndex:
    """Parse the unit's files, plus headers they include from their own
    directory (a base class header's sibling helpers, e.g. its flow table)."""
    index = SourceIndex()
    cindex = ci.Index.create()
    seen: set[str] = set()
    queue = list(unit.files) + list(unit.headers)
    while queue:
        path = queue.pop(0)
        real = os.path.realpath(path)
        if real in seen or not os.path.exists(path):
            continue
        seen.add(real)
        try:
            tu = cindex.parse(path, args=parse_args(unit, path),
                              unsaved_files=utf8_unsaved(path),
                              options=ci.TranslationUnit.PARSE_INCOMPLETE)
        except ci.TranslationUnitLoadError as e:
            index.errors.append(f"{path}: libclang could not parse: {e}")
            continue
        _FileIndexer(index, path, tu).run()
        queue += sibling_includes(tu, path)
    return index


def utf8_unsaved(path: str) -> list[tuple[str, str]]:
    """libclang's Python bindings decode every spelling as strict UTF-8: a file with
    other bytes is given to clang with each such byte as '?' (one byte for one,
    so offsets and lines stay those of the file)."""
    try:
        data = Path(path).read_bytes()
        data.decode("utf-8")
        return []
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        return [(path, re.sub("[\udc80-\udcff]", "?", text))]
    except OSError:
        return []


def sibling_includes(tu, path: str) -> list[str]:
    """Files ``path`` includes directly from its own directory."""
    here = os.path.dirname(os.path.realpath(path))
    out = []
    for inc in tu.get_includes():
        if inc.depth == 1 and inc.include is not None:
            name = inc.include.name
            if os.path.dirname(os.path.realpath(name)) == here:
                out.append(name)
    return out


def source_index(unit: NFUnit, ctx) -> SourceIndex:
    return ctx.memo("source.index", lambda: build_index(unit))


# ---------------------------------------------------------------------------
# Statements with their guards
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Guard:
    """One enclosing conditional construct of a statement."""
    kind: str                     # 'if' | 'switch' | 'case' | 'try' | 'catch'
    cond: tuple[str, ...] = ()    # the condition's tokens (if / switch)
    branch: str = "then"          # 'then' | 'else' (of an if)


@dataclass
class Stmt:
    toks: list[Tok]
    guards: tuple[Guard, ...]    # enclosing conditional constructs, outermost first
    is_condition: bool = False   # the '(cond)' of an if/while/switch

    @property
    def line(self) -> int:
        return self.toks[0].line if self.toks else 0

    # Cached: the passes ask each statement for these many times over.
    @cached_property
    def texts(self) -> list[str]:
        return [t.text for t in self.toks]

    @cached_property
    def calls(self) -> list[Call]:
        return calls_in(self.texts)

    @property
    def guarded(self) -> bool:
        return bool(self.guards)


def _strip_label(toks: list[Tok]) -> tuple[list[Tok], bool]:
    """Drop 'case X:' / 'default:' / 'label:' prefixes; report whether a case label was seen."""
    is_case = False
    while toks:
        if toks[0].text in ("case", "default"):
            j = next((k for k, t in enumerate(toks) if t.text == ":" and
                      (k + 1 >= len(toks) or toks[k + 1].text != ":")), None)
            if j is None:
                break
            toks, is_case = toks[j + 1:], True
        elif (len(toks) > 1 and toks[0].kind == "identifier" and toks[1].text == ":"
              and (len(toks) < 3 or toks[2].text != ":")):
            toks = toks[2:]
        else:
            break
    return toks, is_case


def _is_loop_macro(head: list[Tok]) -> bool:
    return bool(head) and head[0].kind == "identifier" and head[0].text.isupper() and \
        head[-1].text == ")"


def statements(body: list[Tok]) -> list[Stmt]:
    """Split a ``{ ... }`` body into statements tagged with their enclosing guards."""
    out: list[Stmt] = []
    toks = body[1:-1] if body and body[0].text == "{" else body
    _split(toks, (), out)
    return out


def _cond(toks: list[Tok], open_idx: int) -> tuple[tuple[str, ...], int]:
    end = _match(toks, open_idx, "(", ")")
    return tuple(t.text for t in toks[open_idx + 1:end]), end


def _head_guards(head: list[Tok], last_if) -> tuple[tuple[Guard, ...], object]:
    """Guards a braced block adds, and the 'if' condition an 'else' after it would negate."""
    h = head[0].text if head else ""
    if h == "else":
        outer = (Guard("if", last_if or (), "else"),)
        if len(head) > 2 and head[1].text == "if" and head[2].text == "(":
            c, _ = _cond(head, 2)
            return outer + (Guard("if", c, "then"),), c
        return outer, None
    if h in ("if", "switch") and len(head) > 1 and head[1].text == "(":
        c, _ = _cond(head, 1)
        return (Guard(h, c, "then"),), (c if h == "if" else None)
    if h in GUARD_HEADS:
        return (Guard(h),), None
    return (), None


def _split(toks: list[Tok], guards: tuple[Guard, ...], out: list[Stmt]):
    i, buf, paren, last_if = 0, [], 0, None
    while i < len(toks):
        t = toks[i]
        if t.text in ("(", "["):
            paren += 1
        elif t.text in (")", "]"):
            paren -= 1
        if paren == 0 and t.text == "{":
            end = _match(toks, i, "{", "}")
            if buf and buf[-1].text in ("=", "(", ",", "return", "[", "]"):
                buf.extend(toks[i:end + 1])       # brace initialiser or lambda: expression
                i = end + 1
                continue
            head, is_case = _strip_label(buf)
            kind = _head_kind(head)
            case = (Guard("case"),) if is_case else ()
            added, next_if = _head_guards(head, last_if)
            if head:
                # an 'else if (c)' head runs only when the previous condition failed
                out.append(Stmt(head, guards + case + added[:-1] if head[0].text == "else"
                                else guards + case, is_condition=kind is not None))
            n_before = len(out)
            _split(toks[i + 1:end], guards + case + added, out)
            last_if = next_if
            buf, i = [], end + 1
            if head and head[0].text == "if" and _exits_without_else(next_if, out[n_before:],
                                                                     toks, i):
                guards = guards + (Guard("if", next_if, "else"),)
                last_if = None
            continue
        if paren == 0 and t.text == ";":
            n_before = len(out)
            is_if = bool(buf) and buf[0].text == "if"
            last_if = _emit(buf, guards, out, last_if)
            buf, i = [], i + 1
            if is_if and _exits_without_else(last_if, out[n_before + 1:], toks, i):
                guards = guards + (Guard("if", last_if, "else"),)   # if (c) return; ...
                last_if = None
            continue
        if paren == 0 and t.text == "}":
            i += 1
            continue
        buf.append(t)
        i += 1
    _emit(buf, guards, out, last_if)


EXITS = ("return", "continue", "break", "goto")


def _exits_without_else(cond, branch: list[Stmt], toks: list[Tok], i: int) -> bool:
    """``if (cond) {... return;}`` with no ``else`` at ``toks[i]``: the statements
    after it run only when ``cond`` is false."""
    return cond is not None and _exits(branch) and not (i < len(toks) and toks[i].text == "else")


def _exits(body: list[Stmt]) -> bool:
    """The branch just emitted ends by leaving the enclosing block."""
    return bool(body) and bool(body[-1].toks) and body[-1].toks[0].text in EXITS and \
        not body[-1].is_condition


def _head_kind(head: list[Tok]) -> str | None:
    if not head:
        return None
    h = head[0].text
    if h in GUARD_HEADS:
        return h
    if h in LOOP_HEADS or _is_loop_macro(head):
        return "loop"
    return None


def _emit(buf: list[Tok], guards: tuple[Guard, ...], out: list[Stmt], last_if=None):
    """Emit one unbraced statement; returns the 'if' condition an 'else' may follow."""
    buf, is_case = _strip_label(buf)
    if is_case:
        guards = guards + (Guard("case"),)
    if not buf:
        return None
    h = buf[0].text
    if h in ("if", "while", "for", "switch") and len(buf) > 1 and buf[1].text == "(":
        c, end = _cond(buf, 1)
        out.append(Stmt(buf[:end + 1], guards, is_condition=True))
        inner = guards + ((Guard(h, c, "then"),) if h in GUARD_HEADS else ())
        _emit(buf[end + 1:], inner, out)
        return c if h == "if" else None
    if h == "else":
        return _emit(buf[1:], guards + (Guard("if", last_if or (), "else"),), out)
    if h == "do":
        return _emit(buf[1:], guards, out)
    out.append(Stmt(buf, guards))
    return None


# ---------------------------------------------------------------------------
# Which branch of a lookup test a statement is on
# ---------------------------------------------------------------------------

# Calls that search a table; bihash-style ones return 0 when found.
SEARCH_ZERO_ON_HIT = ("clib_bihash_search", "hash_search")
SEARCH_CALLS = ("rte_hash_lookup", "hash_get", "pool_is_free_index") + SEARCH_ZERO_ON_HIT
SEARCH_METHODS = {"find", "findp", "get", "lookup", "find_insert", "get_pointer", "count", "contains"}
NULLISH = {"NULL", "0", "nullptr", "end", "~", "-"}
BRANCH_HINTS = {"PREDICT_TRUE", "PREDICT_FALSE", "likely", "unlikely", "(", ")"}


def lookup_vars(stmts: list[Stmt]) -> dict[str, str | None]:
    """Variables holding a table search's result (-> None), and flags computed
    from one (``created = (s == 0)`` -> 'miss', ``found = (e != NULL)`` -> 'hit')."""
    out: dict[str, str | None] = {}
    for st in stmts:
        t = st.texts
        if "=" not in t:
            continue
        k = t.index("=")
        rhs = t[k + 1:]
        if not (k and (t[k - 1][:1].isalpha() or t[k - 1][:1] == "_")):
            continue
        if any(x.startswith(SEARCH_CALLS) for x in rhs) or any(
                x in SEARCH_METHODS and j and rhs[j - 1] in (".", "->") for j, x in enumerate(rhs)):
            out[t[k - 1]] = None
        elif any(x in out for x in rhs):
            pol = lookup_polarity(tuple(rhs), out)
            if pol:
                out[t[k - 1]] = pol
    return out


def lookup_polarity(cond: tuple[str, ...], found_vars) -> str | None:
    """'miss' if the condition is true when a table search failed, 'hit' if true when
    it succeeded, None if it is not a lookup test."""
    texts = [t for t in cond if t not in BRANCH_HINTS]
    flags = found_vars if isinstance(found_vars, dict) else {}
    if len(texts) in (1, 2) and flags.get(texts[-1]) and (len(texts) == 1 or texts[0] == "!"):
        pol = flags[texts[-1]]                       # if (created) / if (!found)
        return pol if len(texts) == 1 else ("hit" if pol == "miss" else "miss")
    zero_hit = any(t.startswith(SEARCH_ZERO_ON_HIT) for t in texts)
    raw = list(cond)
    searched = zero_hit or any(t.startswith(SEARCH_CALLS) for t in texts) or any(
        t in SEARCH_METHODS and 0 < j < len(raw) - 1 and raw[j - 1] in (".", "->")
        and raw[j + 1] == "(" for j, t in enumerate(raw))
    if not (searched or _tests_found_var(texts, found_vars)):
        return None
    if any(t in ("&&", "||") for t in texts):
        return None
    neg = bool(texts) and texts[0] == "!"
    op = next((t for t in texts if t in ("<", "==", "!=", ">=", ">", "<=")), None)
    rhs = texts[texts.index(op) + 1:] if op else []
    nullish = bool(rhs) and (rhs[0] in NULLISH or rhs[-1] == "end")
    if zero_hit:                                   # 0 means found
        if op in ("<", "!=") or (op is None and not neg):
            return "miss"
        return "hit" if op == "==" or neg else None
    if op == "<" or (op == "==" and nullish) or (op is None and neg):
        return "miss"
    if op in (">=", ">") or (op == "!=" and nullish) or (op is None and not neg):
        return "hit"
    return None


def _tests_found_var(texts: list[str], found_vars) -> bool:
    """``e``, ``!e``, ``e == NULL``, ``idx < 0``: the lookup result itself, not a field of it."""
    op = next((i for i, t in enumerate(texts) if t in ("<", "==", "!=", ">=", ">", "<=")), None)
    lhs = texts[:op] if op is not None else texts
    lhs = lhs[1:] if lhs[:1] == ["!"] else lhs
    return len(lhs) == 1 and lhs[0] in found_vars


# A branch on the protocol is taken alike by every packet of a flow.
PROTOCOL_WORDS = re.compile(r"(^|_)(proto|protocol|ip_p|is_ip6|is_ip4|ip_version)$|^IP_PROTOCOL_|"
                            r"^IPPROTO_|^NAT_PROTOCOL_")


# TCP control flags (SYN/FIN/RST) are set on a handful of packets per connection.
TCP_FLAG_WORDS = re.compile(r"^(th_flags|tcp_flags|flags)$|^(TH|TCP_FLAG|RTE_TCP)_?(SYN|FIN|RST)")


def connection_event(cond: tuple[str, ...]) -> bool:
    """The condition tests TCP SYN/FIN/RST: a once-per-connection path."""
    return any(TCP_FLAG_WORDS.search(t) and t.isupper() for t in cond)


def flow_invariant(cond: tuple[str, ...]) -> bool:
    """The condition tests only the packet's protocol (same for all packets of a flow)."""
    return any(PROTOCOL_WORDS.search(t) for t in cond) and not any(
        t in ("&&", "||") for t in cond)


def on_common_path(st: Stmt, found_vars, state_vars: frozenset[str] = frozenset()) -> bool:
    """True when the statement runs for (nearly) every packet of a flow.

    Rare paths are the 'not found' side of a lookup test and branches on the
    flow's own state (``if (s->count == 0)``: first packet, expiry, limits).
    Branches on the packet or the configuration (filters, error checks,
    protocol dispatch) are taken alike by the packets of a flow: common."""
    watched = set(found_vars) | set(state_vars)
    switch_ok = True
    for g in st.guards:
        if g.kind == "switch":
            switch_ok = flow_invariant(g.cond) or not any(t in watched for t in g.cond)
            if not switch_ok:
                return False
            continue
        if g.kind == "case":
            if not switch_ok:
                return False
            continue
        if g.kind != "if":
            return False
        pol = lookup_polarity(g.cond, found_vars)
        if pol is not None:
            if (pol == "hit") == (g.branch == "then"):
                continue
            return False
        if connection_event(g.cond) and g.branch == "then":
            return False
        if flow_invariant(g.cond) or not any(t in watched for t in g.cond):
            continue
        if g.branch == "else":
            continue      # 'if (s->count == 0) {first packet} else ...': the usual side
        return False
    return True


# ---------------------------------------------------------------------------
# Calls and reachability
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    name: str
    receiver: str        # 'x' of x.f( / x->f(, '' otherwise
    start: int           # token index of the name in the statement
    args: tuple[tuple[str, ...], ...]


def calls_in(texts: list[str]) -> list[Call]:
    out = []
    for i, t in enumerate(texts[:-1]):
        if texts[i + 1] != "(" or t in C_KEYWORDS or not (t[0].isalpha() or t[0] == "_"):
            continue
        recv = texts[i - 2] if i >= 2 and texts[i - 1] in (".", "->") else ""
        out.append(Call(t, recv, i, tuple(split_args(texts, i + 1))))
        if t in NAME_PASTING_MACROS and i + 4 < len(texts) and texts[i + 3] == ")" \
                and texts[i + 4] == "(":
            # VPP ``BV (clib_bihash_add_del) (h, &kv, 1)``: the call of the pasted name
            out.append(Call(texts[i + 2], "", i + 2, tuple(split_args(texts, i + 4))))
    return out


def split_args(texts: list[str], open_idx: int) -> list[tuple[str, ...]]:
    """Arguments of the call whose '(' is at open_idx, as token tuples."""
    args, cur, depth = [], [], 0
    for t in texts[open_idx:]:
        if t in ("(", "[", "{"):
            depth += 1
            if depth == 1:
                continue
        elif t in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                break
        if t == "," and depth == 1:
            args.append(tuple(cur))
            cur = []
        else:
            cur.append(t)
    if cur:
        args.append(tuple(cur))
    return args


@dataclass
class Reach:
    """Functions reachable from the per-packet entry points.

    ``always`` holds those reached through call sites that are not under a
    condition (they run for every packet); the rest run only on some paths.
    """
    functions: list[FunctionInfo]
    always: set[int]             # ids of FunctionInfo objects
    roots: list[FunctionInfo]
    fallback: bool = False       # no per-packet entry point found: every function is a root

    def runs_always(self, fn: FunctionInfo) -> bool:
        return id(fn) in self.always


def _called_on_both_branches(sts: list[Stmt], found: set[str]) -> set[str]:
    """Callees called in both the then- and else-branch of one 'if' whose own
    position is on the common path (``if (trace) f(1); else f(0);``)."""
    sides: dict[tuple, set[str]] = {}
    for st in sts:
        if not st.guards or st.guards[-1].kind != "if":
            continue
        g = st.guards[-1]
        outer = Stmt(st.toks, st.guards[:-1])
        if not on_common_path(outer, found):
            continue
        for c in st.calls:
            sides.setdefault((st.guards[:-1], g.cond, c.name), set()).add(g.branch)
    return {name for (_, _, name), b in sides.items() if b == {"then", "else"}}


def resolve(index: SourceIndex, name: str, prefer_owner: str = "") -> list[FunctionInfo]:
    """Functions a call to ``name`` may reach (by simple name: virtual calls and
    CRTP ``static_cast<Derived*>(this)->f()`` resolve to every definition)."""
    found = index.functions_named(name)
    if prefer_owner:
        own = [f for f in found if f.owner == prefer_owner]
        return own + [f for f in found if f.owner != prefer_owner]
    return found


def entry_functions(unit: NFUnit, index: SourceIndex) -> list[FunctionInfo]:
    out: list[FunctionInfo] = []
    for ep in unit.entry_points:
        simple = ep.split("::")[-1]
        exact = [f for f in index.functions if f.qualname == ep or f.qualname.endswith("::" + ep)]
        out.extend(exact or index.functions_named(simple))
    if not out:
        out = [f for f in index.functions if f.name in PACKET_API or
               any(r in PACKET_API for r in f.return_tokens)]
    if not out:      # VPP node functions (macro-expanded names): they take the frame
        out = [f for f in index.functions
               if any("vlib_frame_t" in p.type_tokens for p in f.params)]
    return unique_by(out, id)


def unique_by(items, key) -> list:
    """The items in order, keeping the first of those with equal ``key(item)``."""
    firsts: dict = {}
    for item in items:
        firsts.setdefault(key(item), item)
    return list(firsts.values())


def stmts_of(fn: FunctionInfo, ctx=None) -> list[Stmt]:
    if ctx is None:
        return statements(fn.body)
    return ctx.memo(f"source.stmts:{fn.file}:{fn.line}:{fn.name}", lambda: statements(fn.body))


def reachable(unit: NFUnit, ctx) -> Reach:
    return ctx.memo("source.reach", lambda: _reachable(unit, source_index(unit, ctx), ctx))


class CallGraph:
    """Call edges between the unit's functions, each marked rare when the call
    sits on a path only some packets of a flow take (see ``on_common_path``)."""

    def __init__(self, index: SourceIndex, ctx, state_vars_of=lambda fn: frozenset(),
                 found_vars_of=lambda fn: {}):
        self.index, self.ctx, self.state_vars_of = index, ctx, state_vars_of
        self.found_vars_of = found_vars_of     # lookup results from out-parameters
        self._edges: dict[int, list[tuple[FunctionInfo, bool]]] = {}

    def edges(self, fn: FunctionInfo) -> list[tuple[FunctionInfo, bool]]:
        if id(fn) not in self._edges:
            lst = []
            sts = stmts_of(fn, self.ctx)
            found = {**self.found_vars_of(fn), **lookup_vars(sts)}
            state = self.state_vars_of(fn)
            both = _called_on_both_branches(sts, found)
            for st in sts:
                rare = not on_common_path(st, found, state)
                for c in st.calls:
                    # 'created ? self->new_flow(s, p) : true' runs the call on one arm only
                    in_arm = "?" in st.texts[:c.start]
                    for g in resolve(self.index, c.name, fn.owner):
                        if g is not fn:
                            lst.append((g, (rare and c.name not in both) or in_arm))
            self._edges[id(fn)] = lst
        return self._edges[id(fn)]

    def closure(self, starts, only_common: bool) -> set[int]:
        seen = {id(f) for f in starts}
        todo = list(starts)
        while todo:
            fn = todo.pop()
            for g, rare in self.edges(fn):
                if (only_common and rare) or id(g) in seen:
                    continue
                seen.add(id(g))
                todo.append(g)
        return seen


def _reachable(unit: NFUnit, index: SourceIndex, ctx) -> Reach:
    entries = entry_functions(unit, index)
    fallback = not entries
    if fallback:
        entries = list(index.functions)
    by_id = {id(f): f for f in index.functions}
    graph = CallGraph(index, ctx)
    # An entry point called by another entry point is not a root (e.g. a
    # new-flow hook called under 'if (!seen)' by the base class's push_batch).
    called = set()
    for e in entries:
        called |= graph.closure([e], False) - {id(e)}
    roots = [e for e in entries if id(e) not in called] or entries
    every = graph.closure(roots, True)
    allr = graph.closure(roots, False)
    ordered = sorted((by_id[i] for i in allr if i in by_id), key=lambda f: (f.file, f.line))
    return Reach(functions=ordered, always=every, roots=roots,
                 fallback=fallback)
