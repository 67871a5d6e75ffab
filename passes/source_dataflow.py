"""Token-level data flow from packet headers into state lookups.

Shared analysis (not a pass) used by the state, key, write and pointer
passes; memoised per unit.  Over the functions reachable from the per-packet
entry points (iterated to a fixpoint, deterministic order) it tracks which
variables carry packet header fields, which state containers are looked up
with them (``Lookup``), and which variables then hold a per-flow entry.
Followed: assignments and initialised declarations (several declarators,
``for`` inits), calls into the unit's helpers (argument -> parameter taint,
output parameters, returned values and returned entries), struct overlays
(``k = (key_t *) &kv``), memcpy, locals aliasing containers or struct fields
shared between node stages, wrapper methods that look keys up in their own
member table, and the ``SYM`` pseudo-field for keys that combine both
directions (min/max, plain xor/sum, slots filled from src on one path and dst
on another, ``id`` and ``id.reverse()`` returned by one function).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import header_fields as hf
from . import knowledge
from .knowledge import match as km
from .knowledge.schema import COPY_CALL, KEYED_METHOD, TABLE_CALL
from .source_tu import (C_KEYWORDS, FunctionInfo, Reach, SourceIndex, Stmt, calls_in,
                        reachable, source_index, split_args, stmts_of)

ASSIGN_OPS = {"=", "+=", "-=", "|=", "&=", "^=", "<<=", ">>=", "*=", "/="}
# Framework knowledge (passes/knowledge), matched by exact name.
# Library calls on a table: name -> (table arg, key arg).
TABLE_CALLS: list[tuple[str, int, int]] = [(r.name, *r.args[:2]) for r in knowledge.rows(TABLE_CALL)]
TABLE_CALL_KINDS: dict[str, str] = {r.name: r.kind for r in knowledge.rows(TABLE_CALL)}
# Member calls on a container object that take a key as first argument.
KEYED_METHODS = knowledge.names(KEYED_METHOD)
# Lookups that store the found entry through their last argument.
DATA_OUT_CALLS = tuple(sorted(n for n, k in TABLE_CALL_KINDS.items() if k == "lookup-data"))
# Searches whose last argument receives the found key/value (bihash ``&result``).
RESULT_OUT_CALLS = tuple(sorted(n for n, k in TABLE_CALL_KINDS.items()
                                if k in ("lookup-data", "search-zero-on-hit")))
COPY_CALLS = frozenset(r.name for r in knowledge.rows(COPY_CALL) if r.args == (0, 1))
PATH_RE = re.compile(r"[A-Za-z_]\w*")
# Pseudo field carried by the taint: the value combines both directions of a flow.
SYM = "~sym"
# Pseudo field carried by the taint: the value is (derived from) the running thread's
# id, read from a framework thread-id expression (``knowledge``: ``rte_lcore_id ()``,
# ``vm->thread_index``...), whatever the variable holding it is called.
THREAD = "~thread"
PSEUDO_FIELDS = frozenset({SYM, THREAD})
DIRECTED = {f for pair in hf.DIRECTION_PAIRS for f in pair}
REVERSE_METHODS = {"reverse", "swap", "reversed"}
# FastClick flow control block: per-flow data classified upstream.
FCB_WORDS = {"fcb_stack", "FlowControlBlock", "_flow_data_offset"}
HASH_MIXERS = {"min", "max", "std::min", "std::max"}


@dataclass
class Lookup:
    """A state container accessed with a packet-derived key."""
    container: str
    fields: frozenset[str]
    fn: FunctionInfo
    line: int
    how: str                      # 'rte_hash_lookup', '[]', 'find' ...
    symmetric: bool = False
    via: str | None = None        # outer container the table was reached through (ptd->table)
    inner: str | None = None      # container a wrapper method looks up (flows.lookup_or_create)
    thread_local: bool = False    # reached through a per-thread slot (table[thread_index])


@dataclass
class FlowFacts:
    lookups: list[Lookup] = field(default_factory=list)
    # variable holding a per-flow entry -> container it came from, per function
    entries: dict[int, dict[str, str]] = field(default_factory=dict)
    # state-block parameters: (function, param name) supplied by a flow manager
    blocks: list[tuple[FunctionInfo, str, list[str]]] = field(default_factory=list)
    # reference variables (``T &x = ...``), per function
    refs: dict[int, set[str]] = field(default_factory=dict)
    # local variable -> container it aliases, per function
    aliases: dict[int, dict[str, str]] = field(default_factory=dict)
    # container -> declared types of the variables holding its entries
    entry_types: dict[str, set[str]] = field(default_factory=dict)
    # all header-field reads seen on per-packet paths: field -> first (file, line)
    reads: dict[str, tuple[str, int]] = field(default_factory=dict)
    # header fields reaching each parameter of a unit function: id(fn) -> index -> fields
    param_fields: dict[int, dict[int, set[str]]] = field(default_factory=dict)
    # containers indexed by a thread-derived value (``t[rte_lcore_id ()]``,
    # ``vec_elt_at_index (x, thread_index)``): one slot per thread
    thread_indexed: set[str] = field(default_factory=set)


def paths_in(texts: list[str]) -> list[tuple[str, int]]:
    """Access paths like ``_tables->hashes`` or ``kv.key`` (subscripts skipped)."""
    out, i = [], 0
    while i < len(texts):
        t = texts[i]
        if PATH_RE.fullmatch(t) and t not in C_KEYWORDS and (i == 0 or texts[i - 1] not in (".", "->")):
            parts, j = [t], i + 1
            if _accessor_member(texts, i):
                # ``vnet_buffer (b0)->ip.reass.l4_src_port``: a member of what the
                # accessor returns for b0, reached as 'b0.ip.reass.l4_src_port', so
                # writing one metadata field does not taint all of b0
                parts, j = [texts[i + 2]], i + 4
                while j + 1 < len(texts) and texts[j] in (".", "->") and \
                        PATH_RE.fullmatch(texts[j + 1]):
                    parts.append(texts[j + 1])
                    j += 2
                out.append((".".join(parts), i))
                i = j
                continue
            while j < len(texts):
                if texts[j] == "[":
                    depth = 0
                    while j < len(texts):
                        depth += texts[j] == "["
                        depth -= texts[j] == "]"
                        j += 1
                        if depth == 0:
                            break
                    continue
                if texts[j] in (".", "->") and j + 1 < len(texts) and PATH_RE.fullmatch(texts[j + 1]):
                    parts.append(texts[j + 1])
                    j += 2
                    continue
                break
            out.append((".".join(parts), i))
            i = j
            continue
        i += 1
    return out


def _accessor_member(texts: list[str], i: int) -> bool:
    """``f ( x ) -> m`` starting at ``i``: a member of a call on one plain variable."""
    return (i + 5 < len(texts) and texts[i + 1] == "(" and PATH_RE.fullmatch(texts[i + 2])
            and texts[i + 2] not in C_KEYWORDS and texts[i + 3] == ")"
            and texts[i + 4] in (".", "->") and bool(PATH_RE.fullmatch(texts[i + 5])))


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


class Taint:
    """Per-function environment: access path -> header fields it carries.

    ``shared`` is the analysis-wide taint of struct fields reached through
    locals (``fa_5tuple = pw->fa_5tuple``): one function fills the buffer, a
    later stage of the node reads it."""

    def __init__(self, shared: dict[str, set[str]] | None = None):
        self.env: dict[str, set[str]] = {}
        self.layers: dict[str, str] = {}      # variable -> header layer
        self.overlays: dict[str, str] = {}    # 'key0' -> 'kvp0' for key0 = (T *) &kvp0
        self.thread_local: set[str] = set()   # locals bound to a per-thread slot
        # key slot -> (directed fields, guards) of each assignment to it
        self.slot_dirs: dict[str, list[tuple[set[str], tuple]]] = {}
        self.field_alias: dict[str, str] = {}  # local -> struct field it points into
        self.selectors: dict[str, set[str]] = {}  # table alias -> fields that chose the table
        self.shared = shared if shared is not None else {}

    def fields_of_path(self, p: str) -> set[str]:
        out: set[str] = set()
        for k, v in self.env.items():
            if _related(k, p):
                out |= v
        parts = p.split(".")
        if parts[0] in self.field_alias:
            out |= self.shared.get(self.field_alias[parts[0]], set())
        for part in parts[1:]:
            out |= self.shared.get(part, set())
        return out

    def add(self, p: str, fields: set[str]):
        if fields:
            self.env.setdefault(p, set()).update(fields)
            root, _, rest = p.partition(".")
            if root in self.overlays:          # a write through an overlay fills the object
                self.env.setdefault(self.overlays[root], set()).update(fields)
            if root in self.field_alias:
                self.shared.setdefault(self.field_alias[root], set()).update(fields)


def split_assignment(texts: list[str]) -> tuple[list[str], list[str], str] | None:
    """``lhs op rhs`` at paren depth 0, or a declaration ``T x(args)`` -> (lhs, rhs, op)."""
    depth = 0
    for i, t in enumerate(texts):
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and t in ASSIGN_OPS and i > 0:
            return texts[:i], texts[i + 1:], t
    # 'IPFlowID id(p);' / 'State s{...}': constructor-style declaration
    if len(texts) >= 4 and PATH_RE.fullmatch(texts[1] if texts[1] not in ("*", "&") else "x") \
            and texts[-1] in (")", "}"):
        k = next((i for i, t in enumerate(texts) if t in ("(", "{")), None)
        if k and k >= 2 and PATH_RE.fullmatch(texts[k - 1]) and texts[k - 2] not in (".", "->", "::") \
                and texts[0] not in C_KEYWORDS and texts[0] not in ("return",):
            return texts[:k], texts[:k - 1] + texts[k:], "="
    return None


def lhs_target(lhs: list[str]) -> tuple[str, list[str]]:
    """Assigned path and the declared type tokens (if a declaration)."""
    ps = paths_in(lhs)
    if not ps:
        return "", []
    path, at = ps[-1]
    # declaration: type tokens precede the declared name
    decl = lhs[:at] if at > 0 and lhs[at - 1] not in (".", "->", "*", "&") or (
        at > 1 and lhs[at - 1] in ("*", "&") and PATH_RE.fullmatch(lhs[at - 2] or "")) else []
    if decl and decl[0] in ("*",):
        decl = []
    return path, decl


POOL_ELEMENT_CALLS = ("pool_elt_at_index", "pool_elt")


class FlowAnalysis:
    """Runs the taint over the unit's per-packet functions."""

    def __init__(self, unit, ctx, containers: set[str], scalars: frozenset[str] = frozenset()):
        self.unit, self.ctx = unit, ctx
        self.scalars = scalars
        self.index: SourceIndex = source_index(unit, ctx)
        self.reach: Reach = reachable(unit, ctx)
        self.containers = containers
        self.facts = FlowFacts()
        self.summaries: dict[int, set[str]] = {}
        self.out_params: dict[int, dict[int, set[str]]] = {}
        self.param_taint: dict[int, dict[int, set[str]]] = {}
        self.block_params: dict[int, dict[int, str]] = {}
        self.returns_entry: dict[int, str] = {}     # helper -> container of the entry it returns
        self.search_fns: dict[int, tuple[str, int]] = {}  # helper -> (container, key param)
        self.returns_alias: dict[int, tuple[str, bool]] = {}  # helper -> (container, per-thread)
        self.return_shapes: dict[int, set] = {}     # fn -> {(returned path, reversed?)}
        self.lookup_fns: dict[str, str] = {}        # method name -> member container it searches
        self.shared_fields: dict[str, set[str]] = {}  # struct field -> header fields stored in it
        self.param_alias: dict[int, dict[int, str]] = {}   # helper param -> container passed in
        self.param_thread_local: dict[int, set[int]] = {}  # helper params given a per-thread table
        self.local_types: dict[int, dict[str, list[str]]] = {}  # fn -> var -> declared type

    # -- expression evaluation ------------------------------------------------
    def reads(self, texts: list[str], taint: Taint, fn: FunctionInfo, line: int) -> set[str]:
        """Header fields an expression reads, directly or through tainted paths."""
        found: set[str] = set()
        for i, t in enumerate(texts):
            if t in ("->", ".") and i + 1 < len(texts):
                member = texts[i + 1]
                base_layer = self._base_layer(texts, i, taint)
                fs = hf.fields_of(base_layer, member)
                if not fs and member in hf.METADATA_FIELDS:
                    fs = {hf.METADATA_FIELDS[member]}
                found |= fs
            elif t in hf.FLOW_ID_TYPES and i + 1 < len(texts) and texts[i + 1] in ("(", "{"):
                args = split_args(texts, i + 1)
                if args and len(args) <= 2 and not any(a and a[0].isdigit() for a in args):
                    found |= set(hf.FLOW_ID_TYPES[t])
            elif t in hf.ANNOTATION_FIELDS and i + 1 < len(texts) and texts[i + 1] == "(":
                found.add(hf.ANNOTATION_FIELDS[t])
        for p, _ in paths_in(texts):
            found |= taint.fields_of_path(p)
        for c in calls_in(texts):
            for g in self.index.functions_named(c.name):
                if g is not fn:
                    found |= self.summary(g)
        if km.thread_id_source(texts, self.local_types.get(id(fn)) if fn is not None else None,
                               self.index):
            found.add(THREAD)
        if fn is not None:
            for f in found - PSEUDO_FIELDS:
                self.facts.reads.setdefault(f, (fn.file, line))
        return found

    def _base_layer(self, texts: list[str], i: int, taint: Taint) -> str | None:
        """Header layer of the expression ending just before texts[i] ('->' or '.')."""
        j = i - 1
        if j >= 0 and texts[j] == ")":
            k = _open_paren(texts, j)
            callee = texts[k - 1] if k > 0 else ""
            if callee in hf.HEADER_ACCESSORS:
                return hf.HEADER_ACCESSORS[callee]
            inner = texts[k + 1:j]
            lay = hf.layer_of_type(inner)
            if lay:
                return lay
            ps = paths_in(inner)
            return taint.layers.get(ps[-1][0]) if ps else None
        if j >= 0 and texts[j] == "]":
            while j >= 0 and texts[j] != "[":
                j -= 1
            j -= 1
        if j >= 0:
            path = _dotted_path_ending(texts, j)
            return taint.layers.get(path) or taint.layers.get(texts[j])
        return None

    def layer_of_rhs(self, rhs: list[str], taint: Taint) -> str | None:
        lay = hf.layer_of_type(rhs[:8])
        if lay:
            return lay
        for t in rhs:
            if t in hf.HEADER_ACCESSORS and hf.HEADER_ACCESSORS[t]:
                return hf.HEADER_ACCESSORS[t]
        ps = paths_in(rhs)
        if len(ps) == 1:
            return taint.layers.get(ps[0][0])
        return None

    # -- containers -------------------------------------------------------------
    def container_of(self, path: str, aliases: dict[str, str]) -> str | None:
        parts = path.split(".")
        for p in reversed(parts[1:]):          # dm->session_hash: the field, not the main struct
            if p in self.containers:
                return p
        if parts[0] in aliases:
            return aliases[parts[0]]
        return parts[0] if parts[0] in self.containers else None

    def table_path(self, arg: tuple[str, ...], aliases) -> str | None:
        """The path naming a table in a call argument; flags and counters
        (``_shared ? a : b``) are not tables."""
        for p, _ in paths_in(list(arg)):
            c = self.container_of(p, aliases)
            if c and c not in self.scalars:
                return p
        return None

    def _lookup(self, path: str, aliases, taint: Taint, fields, fn, line, how, key) -> Lookup | None:
        tab = self.container_of(path, aliases)
        if not tab or not set(fields) - PSEUDO_FIELDS - hf.NON_KEY_FIELDS:
            return None         # (a fib node found by the TTL is not a flow's entry)
        root = path.split(".")[0]
        via = aliases.get(root) or (root if root in self.containers and root != tab else None)
        fields = set(fields) | taint.selectors.get(root, set())
        return Lookup(tab, frozenset(set(fields) - PSEUDO_FIELDS), fn, line, how,
                      SYM in fields or self._symmetric(list(key), taint),
                      via=via if via != tab else None, thread_local=root in taint.thread_local)

    def sinks(self, st: Stmt, taint: Taint, aliases: dict[str, str], fn) -> list[Lookup]:
        texts, out = st.texts, []
        for c in st.calls:
            for name, ti, ki in TABLE_CALLS:
                if c.name == name and len(c.args) > max(ti, ki):
                    tpath = self.table_path(c.args[ti], aliases)
                    key = list(c.args[ki])
                    if "with_hash" in c.name and len(c.args) > ki + 1:
                        key += [","] + list(c.args[ki + 1])     # (table, hash, key, ...)
                    fields = self.reads(key, taint, fn, st.line)
                    if THREAD in fields and tpath:     # vec_elt_at_index (x, thread)
                        self.facts.thread_indexed.add(self.container_of(tpath, aliases))
                    if fields and len(c.args) > 2 and c.name in RESULT_OUT_CALLS:
                        res = paths_in(list(c.args[-1]))
                        if res:
                            taint.add(res[0][0], fields)
                    lk = tpath and self._lookup(tpath, aliases, taint, fields, fn, st.line, c.name,
                                                c.args[ki])
                    if lk:
                        out.append(lk)
                    break
            else:
                if c.receiver and c.args and c.name in self.lookup_fns:
                    # a method of a wrapper class that itself looks the key up
                    recv_paths = paths_in(texts[max(0, c.start - 6):c.start])
                    fields = set()
                    for a in c.args:
                        fields |= self.reads(list(a), taint, fn, st.line)
                    lk = recv_paths and self._lookup(recv_paths[-1][0], aliases, taint, fields, fn,
                                                     st.line, c.name, c.args[0])
                    if lk:
                        lk.inner = self.lookup_fns[c.name]
                        out.append(lk)
                elif c.name in KEYED_METHODS and c.receiver and c.args:
                    recv_paths = paths_in(texts[max(0, c.start - 6):c.start])
                    fields = self.reads(list(c.args[0]), taint, fn, st.line)
                    lk = recv_paths and self._lookup(recv_paths[-1][0], aliases, taint, fields, fn,
                                                     st.line, c.name, c.args[0])
                    if lk:
                        out.append(lk)
        for c in st.calls:
            for g in self.index.functions_named(c.name):
                if id(g) in self.search_fns and g is not fn:
                    cont, k = self.search_fns[id(g)]
                    if k < len(c.args):
                        lk = self._lookup(cont, aliases, taint,
                                          self.reads(list(c.args[k]), taint, fn, st.line),
                                          fn, st.line, c.name, c.args[k])
                        if lk:
                            out.append(lk)
                    break
        for i, t in enumerate(texts):
            if t == "[" and i > 1 and texts[i - 1] == ")":
                base = _deref_group(texts, i - 1)       # (*_seen)[key]
            elif t == "[" and i > 0 and PATH_RE.fullmatch(texts[i - 1]):
                base = _dotted_path_ending(texts, i - 1)
            else:
                continue
            if not base or not self.container_of(base, aliases):
                continue
            idx = split_args(texts, i)
            fields = self.reads(list(idx[0]) if idx else [], taint, fn, st.line)
            if THREAD in fields:             # per-thread slot, not a flow
                self.facts.thread_indexed.add(self.container_of(base, aliases))
                continue
            lk = self._lookup(base, aliases, taint, fields, fn, st.line, "[]",
                              idx[0] if idx else ())
            if lk:
                out.append(lk)
        return out

    def _symmetric(self, key: list[str], taint: Taint) -> bool:
        """A key spelled ``min(a, b)`` / ``max(a, b)`` in place (assigned keys carry the
        SYM pseudo-field instead, see ``_mixes_directions`` and ``_swapped_slot``)."""
        paths = [p for p, _ in paths_in(key)]
        for p in paths:
            if p.split(".")[-1] in ("min", "max") or p in ("min", "max"):
                return True
        return False

    # -- per-function walk --------------------------------------------------------
    def summary(self, fn: FunctionInfo) -> set[str]:
        """Header fields a unit function's return value carries."""
        if id(fn) not in self.summaries:
            self.summaries[id(fn)] = set()
            self.summaries[id(fn)] = self.walk(fn, record=False)
        return self.summaries[id(fn)]

    def walk(self, fn: FunctionInfo, record: bool) -> set[str]:
        taint, aliases, ret = Taint(self.shared_fields), {}, set()
        entries: dict[str, str] = {}
        for i, p in enumerate(fn.params):
            lay = hf.layer_of_type(p.type_tokens)
            if lay:
                taint.layers[p.name] = lay
            taint.add(p.name, self.param_taint.get(id(fn), {}).get(i, set()))
            if i in self.block_params.get(id(fn), {}):
                entries[p.name] = self.block_params[id(fn)][i]
            if i in self.param_alias.get(id(fn), {}):
                aliases[p.name] = self.param_alias[id(fn)][i]
            if i in self.param_thread_local.get(id(fn), ()):
                taint.thread_local.add(p.name)   # lb_hash_get (sticky_ht_of_this_thread, ...)
            if "*" in p.type_tokens and p.type_tokens[0] != "const":
                self.local_types.setdefault(id(fn), {})[p.name] = p.type_tokens
        for _round in range(2):        # twice: loops carry taint backwards
            for st in stmts_of(fn, self.ctx):
                self.step(fn, st, taint, aliases, entries, ret, record and _round == 1)
        self._note_search(fn, aliases)
        if fn.owner and fn.name == fn.owner.rsplit("::", 1)[-1]:
            # a constructor's "result" is the object it fills: ``ConnKey k (p)`` carries
            # what ``ConnKey::ConnKey (const Packet *p)`` stores in its members
            params = {p.name for p in fn.params}
            for path, fields in taint.env.items():
                if path.split(".")[0] not in params:
                    ret |= fields
        outs = self.out_params.setdefault(id(fn), {})
        for i, p in enumerate(fn.params):
            if "*" in p.type_tokens or "&" in p.type_tokens:
                got = set().union(*[v for k, v in taint.env.items()
                                    if (k.startswith(p.name + ".") or k == p.name)
                                    and not k.startswith("__")] or [set()])
                if got:
                    outs.setdefault(i, set()).update(got)
        if record:
            self.facts.entries[id(fn)] = dict(entries)
            self.facts.aliases[id(fn)] = dict(aliases)
            types = self.local_types.get(id(fn), {})
            for var, cont in entries.items():
                if var in types:
                    self.facts.entry_types.setdefault(cont, set()).add(types[var][0])
        return ret

    def _note_search(self, fn: FunctionInfo, aliases: dict[str, str]):
        """A hand-written search routine: a local walking a container's nodes
        (``n = _state->root; ... n = n->child[b]``) is compared with a parameter
        (``n->aggregate == a``) and returned.  Its callers look that container up
        with the argument they pass (``find_node (AGGREGATE_ANNO (p))``)."""
        params = {p.name: i for i, p in enumerate(fn.params)}
        if id(fn) in self.search_fns or not params or not aliases:
            return
        sts = stmts_of(fn, self.ctx)
        returned = {p.split(".")[0] for st in sts if st.texts[:1] == ["return"]
                    for p, _ in paths_in(st.texts[1:])}
        for st in sts:
            t = st.texts
            for k, tok in enumerate(t):
                if tok != "==":
                    continue
                for a, b in ((operand(t, k, -1), operand(t, k, 1)),
                             (operand(t, k, 1), operand(t, k, -1))):
                    ps = paths_in(a)
                    if len(b) == 1 and b[0] in params and len(ps) == 1 and "." in ps[0][0]:
                        node = ps[0][0].split(".")[0]
                        if node in aliases and node in returned:
                            self.search_fns[id(fn)] = (aliases[node], params[b[0]])
                            self.returns_entry.setdefault(id(fn), aliases[node])
                            return

    def step(self, fn, st: Stmt, taint: Taint, aliases, entries, ret: set[str], record: bool):
        texts = st.texts
        if texts and texts[0] == "return":
            ret |= self.reads(texts[1:], taint, fn, st.line)
            self._note_reversal(fn, texts[1:], ret)
            found = self.sinks(st, taint, aliases, fn)
            if record:
                self.facts.lookups.extend(found)
            paths = paths_in(texts[1:])
            root = paths[0][0].split(".")[0] if paths else None
            cont = found[0].container if found else entries.get(root) if root and len(
                paths) == 1 else self._entry_call(texts[1:])
            if not cont and any(t in FCB_WORDS for t in texts):
                cont = "FlowControlBlock"
            if cont:
                self.returns_entry[id(fn)] = cont
            elif root in aliases and len(paths) == 1:
                # 'return sticky_ht;' where sticky_ht = lbm->per_cpu[thread].sticky_ht
                self.returns_alias[id(fn)] = (aliases[root], root in taint.thread_local)
            return
        for c in st.calls:
            if c.name in COPY_CALLS and len(c.args) >= 2:
                dst = paths_in(list(c.args[0]))
                if dst:
                    taint.add(dst[0][0], self.reads(list(c.args[1]), taint, fn, st.line))
            self.propagate_call(fn, c, taint, entries, aliases or {})
        found = self.sinks(st, taint, aliases, fn)
        for lk in found:
            if lk.fn.owner:
                self.lookup_fns.setdefault(fn.name, lk.inner or lk.container)
        self._data_outputs(st, found, entries)
        if record:
            self.facts.lookups.extend(found)
        if st.is_condition and texts[:2] == ["for", "("]:
            init = _for_init(texts)
            for part in declarators(init):
                self.assign(fn, st, part, taint, aliases, entries, found=[])
            return
        for part in declarators(texts):
            self.assign(fn, st, part, taint, aliases, entries, found)

    def assign(self, fn, st: Stmt, texts: list[str], taint: Taint, aliases, entries, found):
        """One assignment or initialised declaration: taint, aliases and entries."""
        asg = split_assignment(texts)
        self._note_declaration(fn, texts if not asg else asg[0])
        if not asg:
            self._declared_headers(texts, taint)
            return
        lhs, rhs, op = asg
        target, decl = lhs_target(lhs)
        if not target:
            return
        if "&" in decl and "." not in target:
            self.facts.refs.setdefault(id(fn), set()).add(target)   # uint64_t &last = t[k]
        overlay = _address_of(rhs)
        if overlay and "." not in target:
            taint.overlays[target] = overlay
        member = _member_of(rhs)
        is_pointer = "*" in decl or "*" in self.local_types.get(id(fn), {}).get(target, ()) \
            or rhs[:1] == ["&"]
        if member and is_pointer and "." not in target:
            taint.field_alias[target] = member       # fa_5tuple_t *fa_5tuple = pw->fa_5tuple
        lay = hf.layer_of_type(decl) or self.layer_of_rhs(rhs, taint)
        if lay:
            taint.layers[target] = lay
        fields = self.reads(rhs, taint, fn, st.line)
        if self._mixes_directions(rhs, taint) or \
                self._swapped_slot(_slot_of(lhs), fields, rhs, taint, st.guards):
            fields = fields | {SYM}
        header_ptr = hf.layer_of_type(decl) or (rhs[:1] == ["("] and hf.layer_of_type(rhs[:5]))
        rhs_paths = [p for p, _ in paths_in(rhs)]
        tab = next((self.container_of(p, aliases) for p in rhs_paths if self.container_of(p, aliases)), None)
        per_thread_slot = tab is not None and (THREAD in fields or
                                               self._thread_subscript(rhs, taint, fn))
        if THREAD in fields and (per_thread_slot or is_pointer or self._alias_call(rhs)):
            # ptd = t[thread] / t = get_table (thread): a pointer to the thread's slot, not an id
            fields = fields - {THREAD}
        if not header_ptr:
            taint.add(target, fields)   # a header pointer is an address, not a key value
        if "." in target:
            return
        value_copy = len(rhs) >= 2 and rhs[-2] in (".", "->") and "&" not in rhs[:3]
        if found and not value_copy:          # (x = t[k].field copies a value, not the entry)
            entries[target] = found[0].container
        elif any(t in FCB_WORDS for t in rhs):
            entries[target] = "FlowControlBlock"         # my_fcb = &fcb_stack->data[offset]
        elif entry := self._entry_call(rhs):
            entries[target] = entry                      # ste = helper_that_finds_entry(...)
        elif entry := self._pool_element(rhs, aliases, taint, fn):
            entries[target] = entry                      # ste = pool_elt_at_index (st, i)
        elif tab and "[" in rhs and fields - PSEUDO_FIELDS and not _has_real_call(rhs) \
                and not (value_copy and not is_pointer):
            entries[target] = tab                        # State* e = &fcbs[index_from_packet]
            # (u32 as = t[hash].as_index copies a scalar out of the slot: not an entry)
        elif tab and not any(p.split(".")[0] in entries for p in rhs_paths):
            aliases.setdefault(target, tab)
            if "?" in rhs:      # Map &m = ip_p == TCP ? _tcp_map : _udp_map: the table
                sel = self.reads(rhs[:rhs.index("?")], taint, fn, st.line) - PSEUDO_FIELDS
                if sel:         # chosen by a packet field is part of the key
                    taint.selectors.setdefault(target, set()).update(sel)
            if per_thread_slot:
                taint.thread_local.add(target)     # ptd = vec_elt_at_index (x, thread_index)
        elif table := self._alias_call(rhs):
            container, per_thread = table
            aliases.setdefault(target, container)        # t = get_table (thread)
            if per_thread:
                taint.thread_local.add(target)

    def _thread_subscript(self, texts: list[str], taint: Taint, fn) -> bool:
        """``x[i]`` in the expression with ``i`` derived from a thread id."""
        for i, t in enumerate(texts):
            if t == "[":
                idx = split_args(texts, i)
                if idx and THREAD in self.reads(list(idx[0]), taint, fn, 0):
                    return True
        return False

    @staticmethod
    def _declared_headers(texts: list[str], taint: Taint):
        """``ip4_header_t *ip40, *ip41;``: header pointers assigned later keep their layer."""
        lay = hf.layer_of_type(texts[:3])
        if lay and "*" in texts:
            for t in texts[texts.index("*"):]:
                if PATH_RE.fullmatch(t):
                    taint.layers[t] = lay

    def _note_declaration(self, fn, texts: list[str]):
        """``T *a, *b`` / ``T *a = ...``: remember the declared pointer types of locals."""
        if len(texts) < 3 or not PATH_RE.fullmatch(texts[0]) or texts[0] in C_KEYWORDS:
            return
        if "*" not in texts or texts[1] in (".", "->", "(", "=", "["):
            return
        star = texts.index("*")
        base = [t for t in texts[:star] if t not in ("const", "struct", "static")]
        if len(base) != 1:
            return
        for t in texts[star:]:
            if PATH_RE.fullmatch(t):
                self.local_types.setdefault(id(fn), {})[t] = base + ["*"]

    def _data_outputs(self, st: Stmt, found: list[Lookup], entries):
        """``rte_hash_lookup_data(h, &key, (void **)&e)``: e receives the flow's entry."""
        for c in st.calls:
            if c.name in DATA_OUT_CALLS and len(c.args) >= 3:
                lk = next((x for x in found if x.how == c.name), None)
                ps = paths_in(list(c.args[-1]))
                if lk and ps:
                    entries[ps[-1][0].split(".")[0]] = lk.container

    def _alias_call(self, texts: list[str]) -> tuple[str, bool] | None:
        """(container, per-thread) of a unit helper called here that returns a table."""
        return self._helper_result(texts, self.returns_alias)

    def _helper_result(self, texts: list[str], results: dict):
        """What ``results`` (keyed by function id) says of the first unit helper
        called in ``texts`` that it knows, or None."""
        for c in calls_in(texts):
            for g in self.index.functions_named(c.name):
                if id(g) in results:
                    return results[id(g)]
        return None

    def _pool_element(self, rhs: list[str], aliases, taint: Taint | None = None,
                      fn=None) -> str | None:
        """``pool_elt_at_index (st, i)`` with ``st`` a per-flow container's pool
        (``st = db->st._unk_proto_st``): the element is one flow's entry."""
        calls = calls_in(rhs)
        if not calls or calls[0].name not in POOL_ELEMENT_CALLS or len(calls[0].args) < 2:
            return None
        if THREAD in self.reads(list(calls[0].args[1]), taint or Taint(), fn, 0):
            return None                      # a per-thread slot, not a flow's entry
        ps = paths_in(list(calls[0].args[0]))
        return self.container_of(ps[0][0], aliases) if len(ps) == 1 else None

    def _entry_call(self, texts: list[str]) -> str | None:
        """Container whose entry a unit helper called here returns."""
        return self._helper_result(texts, self.returns_entry)

    def _note_reversal(self, fn, expr: list[str], ret: set[str]):
        """A function returning both ``id`` and ``id.reverse()`` canonicalises direction."""
        kinds = self.return_shapes.setdefault(id(fn), set())
        rev = len(expr) >= 4 and expr[-3] in REVERSE_METHODS and expr[-4] in (".", "->")
        ps = paths_in(expr[:-4] if rev else expr)
        if len(ps) == 1:
            kinds.add((ps[0][0], rev))
            if (ps[0][0], not rev) in kinds:
                ret.add(SYM)

    def _swapped_slot(self, target: str, fields: set[str], rhs: list[str], taint: Taint,
                      guards: tuple = ()) -> bool:
        """A key slot filled from the source on one path and from the destination on
        another (``k->lo = fwd ? src : dst``, or swapped assignments in the two arms
        of one if).  Refilling the slot later for a second lookup (gtpu's unicast
        key, then the multicast one by destination) is not a swap: the two
        assignments must sit in exclusive arms."""
        if "?" in rhs and ":" in rhs:
            q, c = rhs.index("?"), len(rhs) - 1 - rhs[::-1].index(":")
            if q < c and _opposite(_fields_quick(self, rhs[q + 1:c], taint),
                                   _fields_quick(self, rhs[c + 1:], taint)):
                return True
        directed = {f for f in fields if f in DIRECTED}
        if len(directed) != 1:
            return False
        earlier = taint.slot_dirs.setdefault(target, [])
        swapped = any(_both_directions(d | directed) and _exclusive(g, guards)
                      for d, g in earlier)
        earlier.append((directed, tuple(guards)))
        return swapped

    def _mixes_directions(self, rhs: list[str], taint: Taint) -> bool:
        """``min(a, b)`` / ``a ^ b`` / ``a + b`` over src and dst of the same kind."""
        calls = [c for c in calls_in(rhs) if c.name in ("min", "max", "MIN", "MAX", "clib_min",
                                                         "clib_max")]
        for c in calls:
            if len(c.args) == 2:
                a = _fields_quick(self, c.args[0], taint)
                b = _fields_quick(self, c.args[1], taint)
                if _opposite(a, b):
                    return True
        for op in ("^", "+") if "?" not in rhs else ():
            parts = _split_top(rhs, op)
            # exactly 'a op b' with plain operands: shifts or multiplies break the symmetry
            if len(parts) == 2 and not any(t in ("<<", ">>", "*") for p in parts for t in p):
                if _opposite(_fields_quick(self, parts[0], taint), _fields_quick(self, parts[1], taint)):
                    return True
        return False

    def propagate_call(self, fn, c, taint: Taint, entries, aliases=None):
        """Argument taint into a unit callee's parameters, output parameters back."""
        for g in self.index.functions_named(c.name):
            if g is fn:
                continue
            pt = self.param_taint.setdefault(id(g), {})
            for i, fields in self.out_params.get(id(g), {}).items():
                if i < len(c.args):
                    ps = paths_in(list(c.args[i]))
                    if ps:
                        taint.add(ps[0][0], fields)
            for i, a in enumerate(c.args):
                ps = paths_in(list(a))
                # a per-flow entry passed whole is handed over as an entry (below), not as
                # a key value: the fields stored in it are not the callee's key
                whole_entry = len(ps) == 1 and "." not in ps[0][0] and ps[0][0] in entries
                fields = set() if whole_entry else self.reads(list(a), taint, fn, 0)
                if fields and not fields <= pt.get(i, set()):
                    pt.setdefault(i, set()).update(fields)
                if ps and ps[0][0].split(".")[0] in entries:
                    self.block_params.setdefault(id(g), {})[i] = entries[ps[0][0].split(".")[0]]
                elif len(ps) == 1 and "[" not in a:
                    cont = self.container_of(ps[0][0], aliases)
                    if cont:
                        self.param_alias.setdefault(id(g), {})[i] = cont
                        if ps[0][0].split(".")[0] in taint.thread_local:
                            self.param_thread_local.setdefault(id(g), set()).add(i)


def operand(texts: list[str], k: int, step: int) -> list[str]:
    """Tokens of one operand of the binary operator at ``k`` (up to a boolean
    operator, an unmatched bracket or the statement's end)."""
    out, depth, j = [], 0, k + step
    opening, closing = ("(", "["), (")", "]")
    while 0 <= j < len(texts):
        t = texts[j]
        if t in ("&&", "||", ";", ",", "?", ":", "=") and depth == 0:
            break
        if (t in closing and step > 0) or (t in opening and step < 0):
            if depth == 0:
                break
            depth -= 1
        elif t in opening or t in closing:
            depth += 1
        out.append(t)
        j += step
    return out if step > 0 else out[::-1]


def _open_paren(texts: list[str], close: int) -> int:
    """Index of the ``(`` matching the ``)`` at ``close`` (-1 when unbalanced)."""
    depth, k = 0, close
    while k >= 0:
        depth += texts[k] == ")"
        depth -= texts[k] == "("
        if depth == 0:
            break
        k -= 1
    return k


def _dotted_path_ending(texts: list[str], end: int) -> str:
    """The access path ``a.b->c`` whose last name is ``texts[end]``, as 'a.b.c'."""
    k = end
    while k >= 2 and texts[k - 1] in (".", "->"):
        k -= 2
    return ".".join(x for x in texts[k:end + 1] if x not in (".", "->"))


def _deref_group(texts: list[str], close: int) -> str | None:
    """``( * path )`` ending at ``close`` -> 'path'."""
    k = _open_paren(texts, close)
    inner = texts[k + 1:close]
    ps = paths_in(inner)
    return ps[0][0] if inner[:1] == ["*"] and len(ps) == 1 else None


def _member_of(rhs: list[str]) -> str | None:
    """``pw->fa_5tuple`` / ``&pw->buf[0]``: the struct field a local will point into."""
    core = [t for t in rhs if t != "&"]
    ps = paths_in(core)
    if len(ps) == 1 and "." in ps[0][0] and not calls_in(core) and ps[0][1] == 0:
        return ps[0][0].split(".")[-1]
    return None


def _slot_of(lhs: list[str]) -> str:
    """The assigned slot with its subscripts (``kv.k.as_u64[0]`` and ``[1]`` are two
    slots, though their access path is one)."""
    ps = paths_in(lhs)
    return "".join(lhs[ps[-1][1]:]) if ps else ""


def _address_of(rhs: list[str]) -> str | None:
    """``(T *) &obj`` / ``&obj`` -> 'obj' (a struct overlay onto another object)."""
    if "&" not in rhs or any(t == "(" and i and PATH_RE.fullmatch(rhs[i - 1]) for i, t in enumerate(rhs)):
        return None
    k = rhs.index("&")
    ps = paths_in(rhs[k + 1:])
    return ps[0][0] if len(ps) == 1 and "[" not in rhs[k + 1:] else None


def _fields_quick(fa: FlowAnalysis, toks, taint: Taint) -> set[str]:
    out: set[str] = set()
    texts = list(toks)
    for i, t in enumerate(texts):
        if t in ("->", ".") and i + 1 < len(texts):
            out |= hf.fields_of(fa._base_layer(texts, i, taint), texts[i + 1])
    for p, _ in paths_in(texts):
        out |= taint.fields_of_path(p)
    return out


def _for_init(texts: list[str]) -> list[str]:
    """The init clause of ``for (init; cond; step)``."""
    depth, out = 0, []
    for t in texts[2:]:
        if t == ";" and depth == 0:
            break
        depth += t in ("(", "[", "{")
        depth -= t in (")", "]", "}")
        out.append(t)
    return out


def declarators(texts: list[str]) -> list[list[str]]:
    """``T a = x, *b = y`` -> [``T a = x``, ``*b = y``]; other statements unchanged."""
    parts = _split_top(texts, ",")
    if len(parts) < 2 or "=" not in parts[0] or not parts[0] or not PATH_RE.fullmatch(parts[0][0]):
        return [texts]
    first = split_assignment(parts[0])
    if first is None or not lhs_target(first[0])[1]:
        return [texts]                      # not a declaration: a comma expression
    rest = []
    for p in parts[1:]:
        q = [t for t in p if t != "*"]
        if not q or not PATH_RE.fullmatch(q[0]):
            return [texts]
        rest.append(p)
    return [parts[0]] + rest


def _has_real_call(texts: list[str]) -> bool:
    """A call other than a cast (``static_cast<T*>(x)``, ``(T *) x``)."""
    return any(c.name not in ("static_cast", "reinterpret_cast", "const_cast") for c in calls_in(texts))


def _split_top(texts: list[str], op: str) -> list[list[str]]:
    """Split at ``op`` outside parentheses."""
    parts, cur, depth = [], [], 0
    for t in texts:
        depth += t in ("(", "[", "{")
        depth -= t in (")", "]", "}")
        if t == op and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts


def _opposite(a: set[str], b: set[str]) -> bool:
    """One side reads only the source, the other only the destination (of one kind)."""
    return any((x in a and y not in a and y in b and x not in b) or
               (y in a and x not in a and x in b and y not in b) for x, y in hf.DIRECTION_PAIRS)


def _exclusive(a: tuple, b: tuple) -> bool:
    """Two statements' guards put them in opposite arms of one ``if``."""
    for ga, gb in zip(a, b):
        if ga == gb:
            continue
        return ga.kind == gb.kind == "if" and ga.cond == gb.cond and ga.branch != gb.branch
    return False


def _both_directions(fields: set[str]) -> bool:
    return any({x, y} <= fields for x, y in hf.DIRECTION_PAIRS)


MAX_ROUNDS = 5


def _signature(fa: FlowAnalysis):
    return (sorted((lk.container, tuple(sorted(lk.fields)), lk.line) for lk in fa.facts.lookups),
            sorted((k, tuple(sorted(v.items()))) for k, v in fa.facts.entries.items()),
            sorted(fa.lookup_fns.items()), sorted(fa.returns_entry.items()),
            sorted(fa.search_fns.items()),
            sorted(fa.returns_alias.items()),
            sorted((k, tuple(sorted(v))) for k, v in fa.shared_fields.items()),
            sorted((k, tuple(sorted((i, tuple(sorted(f))) for i, f in v.items())))
                   for k, v in fa.param_taint.items()))


def flow_facts(unit, ctx, containers: set[str], scalars: frozenset[str] = frozenset()) -> FlowFacts:
    """Run (once per unit) the taint over every per-packet function."""
    def make():
        fa = FlowAnalysis(unit, ctx, containers, scalars)
        fns = sorted(fa.reach.functions, key=lambda f: (f.file, f.line))
        before = None
        for _ in range(MAX_ROUNDS):      # until callee parameters and helpers stop changing
            fa.facts = FlowFacts()
            fa.summaries.clear()
            for fn in fns:
                fa.walk(fn, record=True)
            now = _signature(fa)
            if now == before:
                break
            before = now
        fa.facts.param_fields = {k: {i: f - {THREAD} for i, f in v.items()}
                                 for k, v in fa.param_taint.items()}
        return fa.facts
    return ctx.memo("source.flow", make)
