"""Does a spelled type, call or expression of an NF denote a framework declaration?

Exact matching only: a whole identifier equal to a row's name (with its
namespace when spelled: ``std::vector``, not ``mylib::vector``), never a
substring or suffix.  A name the NF declares itself (a record defined in
the NF's own files, not in the row's header) is the NF's, whatever it is
called; typedefs the NF declares are followed to what they name.
"""
from __future__ import annotations

from . import names, rows
from .schema import (ATOMIC_TYPE, CONTAINER, PER_THREAD, SCALAR, SHARED, THREAD_ID, THREAD_SAFE,
                     Decl)

MAX_TYPEDEF_DEPTH = 8


def _qualifier(tokens: list[str], i: int) -> str:
    """``std`` of ``std :: vector`` when ``tokens[i]`` is ``vector``."""
    return tokens[i - 2] if i >= 2 and tokens[i - 1] == "::" else ""


def declared_by_nf(index, name: str, row: Decl) -> bool:
    """``name`` resolves to a record the NF itself defines (not the row's header)."""
    rec = index.records.get(name) if index is not None else None
    if rec is None:
        return False
    return not in_header(rec.file, row)


def in_header(path: str, row: Decl) -> bool:
    """``path`` is (one of) the header(s) the row names."""
    path = path.replace("\\", "/")
    return bool(row.header) and any(path.endswith(h) for h in row.header.split("|"))


def row_for(tokens: list[str], i: int, role: str, index=None) -> Decl | None:
    """The row of ``role`` naming the identifier ``tokens[i]``, or None."""
    t = tokens[i]
    qual = _qualifier(tokens, i)
    for r in rows(role):
        if r.simple != t or r.owner:
            continue
        ns = r.name[:-len(r.simple) - 2] if "::" in r.name else ""
        if qual and qual != ns.rsplit("::", 1)[-1]:
            continue              # mylib::vector is not std::vector
        if declared_by_nf(index, t, r):
            continue              # the NF's own class of that name
        return r
    return None


def type_rows(type_tokens: list[str], role: str, index=None, _depth: int = 0) -> list[Decl]:
    """Rows of ``role`` that the spelled type names, following the NF's typedefs."""
    out = []
    for i, t in enumerate(type_tokens):
        if not (t[:1].isalpha() or t[:1] == "_"):
            continue
        r = row_for(type_tokens, i, role, index)
        if r is not None:
            out.append(r)
        elif index is not None and _depth < MAX_TYPEDEF_DEPTH and t in index.typedefs \
                and t not in index.records:
            under = index.typedefs[t]
            if under != [t]:
                out += type_rows(under, role, index, _depth + 1)
    return out


def names_type(type_tokens: list[str], role: str, index=None) -> bool:
    return bool(type_rows(type_tokens, role, index))


def per_core_wrapper(type_tokens: list[str], index=None) -> bool | None:
    """True: a per-thread wrapper template; False: an explicitly shared one; None: neither."""
    if names_type(type_tokens, PER_THREAD, index):
        return True
    if names_type(type_tokens, SHARED, index):
        return False
    return None


def thread_safe_type(type_tokens: list[str], index=None) -> bool:
    return names_type(type_tokens, THREAD_SAFE, index) or names_type(type_tokens, ATOMIC_TYPE,
                                                                        index)


def container_kind(type_tokens: list[str], index=None) -> str | None:
    """Kind of the first framework container the type names (outermost first)."""
    found = type_rows(type_tokens, CONTAINER, index)
    return found[0].kind if found else None


def scalar_type(type_tokens: list[str], index=None) -> bool:
    return names_type(type_tokens, SCALAR, index)


def call_is(name: str, role: str, receiver_type: list[str] | None = None) -> bool:
    """A call spelled ``name`` is a framework call of ``role``: a free function of
    that name, or a method of that name -- of the row's owner class when the
    receiver's type is known."""
    for r in rows(role):
        if r.simple != name:
            continue
        if not r.owner:
            return True
        if receiver_type is None or r.owner.rsplit("::", 1)[-1] in receiver_type:
            return True
    return False


_THREAD_ID_FREE: dict[str, list[Decl]] = {}
_THREAD_ID_MEMBERS: dict[str, list[str]] = {}
for _r in rows(THREAD_ID):
    if _r.owner:
        _THREAD_ID_MEMBERS.setdefault(_r.simple, []).append(_r.owner)
    else:
        _THREAD_ID_FREE.setdefault(_r.simple, []).append(_r)
_THREAD_ID_NAMES = frozenset(_THREAD_ID_FREE) | frozenset(_THREAD_ID_MEMBERS)


def thread_id_source(texts: list[str], types: dict[str, list[str]] | None = None,
                     index=None) -> bool:
    """The expression reads a framework thread id: a call (``rte_lcore_id ()``,
    ``vlib_get_thread_index ()``, ``std::this_thread::get_id ()``), a thread-local
    variable (``vlib_thread_index``) or a member of a framework object
    (``vm->thread_index`` of ``vlib_main_t``: when ``vm``'s declared type is known
    it must be that one).  ``types``: declared types of the variables in scope;
    ``index``: the NF's own declarations (a function the NF defines itself under a
    framework name is the NF's)."""
    for i, t in enumerate(texts):
        if t not in _THREAD_ID_NAMES:
            continue
        if i and texts[i - 1] in (".", "->"):
            owners = _THREAD_ID_MEMBERS.get(t)
            if owners:
                declared = (types or {}).get(texts[i - 2]) if i >= 2 else None
                if declared is None or any(o in declared for o in owners):
                    return True
            continue
        for r in _THREAD_ID_FREE.get(t, ()):
            if "::" in r.name and _qualifier(texts, i) != r.name.split("::")[-2]:
                continue                  # get_id () is not std::this_thread::get_id ()
            is_call = i + 1 < len(texts) and texts[i + 1] == "("
            if is_call and index is not None and any(
                    not in_header(f.file, r) for f in index.functions_named(t)):
                continue                  # the NF's own function of that name
            if is_call or r.kind == "variable":
                return True
    return False


def debug_container(debug, tid, own_files: frozenset = frozenset()) -> str | None:
    """The container kind of an IR debug type (``!DICompositeType``) naming a
    framework container: its unqualified name without template arguments equals
    a row's, its enclosing namespaces agree with the row's (``std``), and it is
    not defined in the NF's own files."""
    tid = debug.strip_qualifiers(tid)
    name = debug.name(tid)
    if not name:
        return None
    simple = name.split("<", 1)[0].rsplit("::", 1)[-1]
    scopes, scope = [], debug.ref(tid, "scope")
    for _ in range(8):
        if scope is None or debug.kind(scope) != "DINamespace":
            break
        scopes.append(debug.name(scope))
        scope = debug.ref(scope, "scope")
    file = debug.file_of(debug.ref(tid, "file")) if debug.ref(tid, "file") is not None else ""
    for r in rows(CONTAINER):
        if r.simple != simple:
            continue
        ns = r.name.split("::")[:-1]
        if ns and not set(ns) <= set(scopes):
            continue
        if not ns and scopes:
            continue
        if file and file in own_files and not in_header(file, r):
            continue                  # the NF's own class of that name
        return r.kind
    return None
