"""Rename every identifier an NF declares itself, keeping the framework's names.

An evaluation aid: the features flowmagec extracts must come from what the
code does, so they must not change when the NF's own names are replaced by
neutral ones (``id_3f2a``).  This module rewrites an NF's sources through
libclang:

1. Each translation unit of the NF is parsed with the flags the audit uses
   (plus the compiler's builtin headers; past a header an unconfigured tree
   lacks), and every identifier token of the NF's files is annotated with its
   cursor (``clang_annotateTokens``).
2. A token names an *NF declaration* when the declaration it refers to
   (``cursor.referenced``, canonical declaration) lies in the NF's files;
   macros likewise by a ``#define`` in the NF's files.  Everything declared
   elsewhere (FastClick/VPP/DPDK/libc headers, ``corpus/*/include``) keeps
   its name.
3. Each NF declaration gets a deterministic neutral name.  Members (fields,
   methods) share one name per spelling, so dependent member accesses in
   templates and overrides inside the NF stay consistent; constructors and
   destructors follow their class, specialisations their template;
   external-linkage functions and globals are one entity per spelling across
   translation units.  A name pasted by a macro (``CT6_ERROR_##sym``) is not
   written anywhere and stays.
4. Tokens the AST does not resolve (macro arguments, macro bodies, inactive
   ``#if`` branches, dependent names) are renamed by spelling when the
   spelling names exactly one NF entity in scope and no framework entity
   (``Renamer.by_spelling``); the others stay and are listed as ambiguous.
5. Names the framework needs stay: methods overriding or hiding a framework
   base's method (``simple_action``, ``configure``, a CRTP base's ``process``),
   names the toolchain calls (``main``), and names the compiler proves the
   framework refers to: the renamed copy is re-parsed and every new error
   (``no member named 'clear'`` in a framework ``Vector``, VPP's ``REPLY_MACRO``
   using the local ``rv``) puts that spelling back in the next round.

Strings and comments keep their text, except the ``// flowmage: entry FUNC``
comment of plain/DPDK NFs, which follows its function.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import clang.cindex as ci

from flowmagec.adapters.plain import ENTRY_COMMENT
from flowmagec.checklines import SOURCE_SUFFIXES

CK = ci.CursorKind
TRANSLATION_SUFFIXES = (".c", ".cc", ".cpp", ".cxx")
# The NF's code: sources, headers, and files #included as code (VPP's X-macro *.def)
NF_TEXT_SUFFIXES = SOURCE_SUFFIXES + (".def", ".inc", ".inl", ".ipp", ".tcc")
# Names the C runtime and linker call by spelling (never an NF's choice to rename).
TOOLCHAIN_NAMES = frozenset({"main"})
MEMBER_KINDS = (CK.FIELD_DECL, CK.CXX_METHOD)
SELF_NAMED = (CK.CONSTRUCTOR, CK.DESTRUCTOR)          # named after their class
SCOPED_KINDS = (CK.PARM_DECL, CK.VAR_DECL, CK.LABEL_STMT, CK.TEMPLATE_TYPE_PARAMETER,
                CK.TEMPLATE_NON_TYPE_PARAMETER, CK.TEMPLATE_TEMPLATE_PARAMETER)
FUNCTION_SCOPES = (CK.FUNCTION_DECL, CK.CXX_METHOD, CK.CONSTRUCTOR, CK.DESTRUCTOR,
                   CK.FUNCTION_TEMPLATE, CK.CONVERSION_FUNCTION, CK.CLASS_TEMPLATE,
                   CK.LAMBDA_EXPR)
# Preprocessor lines whose words are not identifiers of the program.
_DIRECTIVE_SKIP = {"include", "include_next", "import", "pragma", "line", "error", "warning"}
# A framework error that names a spelling the framework refers to.
_NEEDED_NAME = re.compile(r"no (?:member|type|template|viable \w+) named '(\w+)'"
                          r"|no matching (?:member )?function for call to '(\w+)'"
                          r"|use of undeclared identifier '(\w+)'"
                          r"|unknown type name '(\w+)'")
_WORD = re.compile(r"[A-Za-z_]\w*")
_NEW_NAME = re.compile(r"\bid_[0-9a-f]{4,40}")
PARSE_KEEP_GOING = 0x200        # CXTranslationUnit_KeepGoing (not in the bindings)


# ---------------------------------------------------------------------------
# libclang calls the Python bindings do not wrap
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _lib():
    lib = ci.conf.lib
    lib.clang_getFileLocation.argtypes = [ci.SourceLocation, ctypes.POINTER(ci.c_object_p),
                                          ctypes.POINTER(ctypes.c_uint),
                                          ctypes.POINTER(ctypes.c_uint),
                                          ctypes.POINTER(ctypes.c_uint)]
    lib.clang_getFileLocation.restype = None
    lib.clang_getOverriddenCursors.argtypes = [ci.Cursor, ctypes.POINTER(ctypes.POINTER(ci.Cursor)),
                                               ctypes.POINTER(ctypes.c_uint)]
    lib.clang_getOverriddenCursors.restype = None
    lib.clang_disposeOverriddenCursors.argtypes = [ctypes.POINTER(ci.Cursor)]
    lib.clang_disposeOverriddenCursors.restype = None
    lib.clang_isInvalidDeclaration.argtypes = [ci.Cursor]
    lib.clang_isInvalidDeclaration.restype = ctypes.c_uint
    lib.clang_getSpecializedCursorTemplate.argtypes = [ci.Cursor]
    lib.clang_getSpecializedCursorTemplate.restype = ci.Cursor
    return lib


def file_location(loc: ci.SourceLocation) -> tuple[Optional[str], int]:
    """(file, offset) where a location's text is written: a macro argument's own
    place, a macro body's expansion point (``clang_getFileLocation``)."""
    f, off = ci.c_object_p(), ctypes.c_uint()
    _lib().clang_getFileLocation(loc, ctypes.byref(f), None, None, ctypes.byref(off))
    if not f:
        return None, 0
    return ci.conf.lib.clang_getFileName(ci.File(f)), off.value


def overridden(cursor: ci.Cursor) -> list[ci.Cursor]:
    """The methods ``cursor`` overrides directly (``clang_getOverriddenCursors``)."""
    arr, n = ctypes.POINTER(ci.Cursor)(), ctypes.c_uint()
    _lib().clang_getOverriddenCursors(cursor, ctypes.byref(arr), ctypes.byref(n))
    out = []
    for i in range(n.value):
        c = ci.Cursor()
        ctypes.memmove(ctypes.byref(c), ctypes.byref(arr[i]), ctypes.sizeof(ci.Cursor))
        c._tu = cursor._tu
        out.append(c)
    if n.value:
        _lib().clang_disposeOverriddenCursors(arr)
    return out


def specialized_template(cursor: ci.Cursor) -> Optional[ci.Cursor]:
    """The template a class template specialization comes from (or None)."""
    t = _lib().clang_getSpecializedCursorTemplate(cursor)
    if t is None or t.kind.is_invalid():
        return None
    t._tu = cursor._tu
    return t


@dataclass(frozen=True)
class AnnotatedToken:
    offset: int
    spelling: str
    cursor: ci.Cursor
    member: bool = False            # right after '.' or '->' (or '::'): names a member


def annotated_identifiers(tu: ci.TranslationUnit, path: str) -> list[AnnotatedToken]:
    """The identifier tokens of ``path`` (a file of ``tu``) with their cursors,
    annotated in one ``clang_annotateTokens`` call."""
    lib = ci.conf.lib
    f = tu.get_file(path)
    size = os.path.getsize(path)
    extent = ci.SourceRange.from_locations(ci.SourceLocation.from_offset(tu, f, 0),
                                           ci.SourceLocation.from_offset(tu, f, size))
    mem, count = ctypes.POINTER(ci.Token)(), ctypes.c_uint()
    lib.clang_tokenize(tu, extent, ctypes.byref(mem), ctypes.byref(count))
    n = count.value
    if n == 0:
        return []
    cursors = (ci.Cursor * n)()
    lib.clang_annotateTokens(tu, mem, n, cursors)
    out, skip_line = [], -1
    prev_hash_line, prev = -1, ""
    for i in range(n):
        tok = mem[i]
        tok._tu = tu
        kind = ci.TokenKind.from_value(lib.clang_getTokenKind(tok))
        loc = lib.clang_getTokenLocation(tu, tok)
        line = loc.line
        spelling = lib.clang_getTokenSpelling(tu, tok)
        before, prev = prev, spelling
        if kind == ci.TokenKind.PUNCTUATION and spelling == "#":
            prev_hash_line = line
            continue
        if kind != ci.TokenKind.IDENTIFIER or line == skip_line:
            continue
        if prev_hash_line == line and spelling in _DIRECTIVE_SKIP:
            skip_line = line            # #include <a/b.h>: path words are not identifiers
            continue
        prev_hash_line = -1
        c = ci.Cursor()
        ctypes.memmove(ctypes.byref(c), ctypes.byref(cursors[i]), ctypes.sizeof(ci.Cursor))
        c._tu = tu
        out.append(AnnotatedToken(loc.offset, spelling, c, before in (".", "->", "::")))
    lib.clang_disposeTokens(tu, mem, count)
    return out


@functools.lru_cache(maxsize=None)
def builtin_include_args() -> tuple[str, ...]:
    """``-isystem`` for the compiler's own headers (stddef.h ...), which the libclang
    wheel does not ship; empty when no clang is installed."""
    clang = shutil.which("clang")
    if clang is None:
        return ()
    try:
        res = subprocess.run([clang, "-print-resource-dir"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ()
    inc = Path(res) / "include"
    return ("-isystem", str(inc)) if inc.is_dir() else ()


# ---------------------------------------------------------------------------
# What the NF declares
# ---------------------------------------------------------------------------

@dataclass
class Entity:
    """One thing the NF declares (or a group of members sharing a spelling)."""
    key: tuple                      # identity: ('decl', file, offset) | ('member', name) | ...
    spelling: str
    kind: str
    scope: Optional[tuple[str, int, int]] = None    # (file, start, end) of a local's function
    made_by_macro: Optional[str] = None             # token the name was pasted from (VLIB_NODE_FN(x) -> x_fn)
    keep: str = ""                                   # why the name stays ('' = renamed)
    new: str = ""


@dataclass
class TokenUse:
    file: str
    offset: int
    spelling: str
    entity: Optional[tuple]          # resolved entity key, None = resolve by spelling
    member: bool = False             # after '.' / '->' / '::'


@dataclass
class RenameResult:
    mapping: dict[str, str] = field(default_factory=dict)     # old spelling -> new (renamed entities)
    kept: dict[str, str] = field(default_factory=dict)        # NF spelling -> why it stays
    ambiguous: list[str] = field(default_factory=list)        # 'file:offset: name' left alone
    files: list[str] = field(default_factory=list)            # files rewritten (destination)
    errors: list[str] = field(default_factory=list)           # parse errors new in the copy
    old_names: dict[str, str] = field(default_factory=dict)   # new -> old, every renamed entity


class NFDeclarations:
    """Parses an NF's translation units and records its entities and token uses."""

    def __init__(self, nf_files: Iterable[str], args_for: Callable[[str], list[str]]):
        self.nf_files = {os.path.realpath(f) for f in nf_files}
        self.args_for = args_for
        self.entities: dict[tuple, Entity] = {}
        self.uses: dict[tuple[str, int], TokenUse] = {}
        self.framework_spellings: set[str] = set()       # framework names seen in NF code
        self.framework_members: set[str] = set()         # ... of which members
        self.macros: set[str] = set()
        self.framework_macros: set[str] = set()
        self.errors: dict[str, set[str]] = {}          # TU -> error diagnostics (file:line: msg)
        self._real: dict[str, Optional[str]] = {}
        self._base_methods: dict[int, dict[str, str]] = {}
        self._text: dict[str, bytes] = {}
        self.index = ci.Index.create()

    # -- files ------------------------------------------------------------
    def real(self, name: Optional[str]) -> Optional[str]:
        if name is None:
            return None
        if name not in self._real:
            self._real[name] = os.path.realpath(name)
        return self._real[name]

    def is_nf(self, name: Optional[str]) -> bool:
        return self.real(name) in self.nf_files

    # -- parsing ----------------------------------------------------------
    def parse(self, path: str) -> ci.TranslationUnit:
        """Parse with the audit's flags.  Keep going past a header the tree does not
        have (an unconfigured tree's ``click/config.h``, ``vlib/config.h``): after
        that fatal error clang would enter no other header and the framework's
        declarations would be missing."""
        # (not PARSE_INCOMPLETE: it skips the end-of-TU template instantiation that
        # reports a CRTP base calling a renamed hook)
        opts = ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD | PARSE_KEEP_GOING
        args = list(self.args_for(path)) + list(builtin_include_args())
        return self.index.parse(path, args=args, options=opts)

    def translation_units(self) -> list[str]:
        """The NF's .c/.cc files (``collect`` also parses alone the headers none includes)."""
        return sorted(f for f in self.nf_files if f.endswith(TRANSLATION_SUFFIXES))

    def collect(self) -> None:
        seen: set[str] = set()
        for path in self.translation_units():
            seen |= self.collect_tu(path)
        for path in sorted(self.nf_files - seen):
            if path.endswith(SOURCE_SUFFIXES):
                self.collect_tu(path)

    def collect_tu(self, path: str) -> set[str]:
        tu = self.parse(path)
        self.errors[path] = error_set(tu)
        files = {self.real(path)} | {self.real(i.include.name) for i in tu.get_includes()}
        nf_here = sorted(f for f in files if f in self.nf_files)
        for f in nf_here:
            for tok in annotated_identifiers(tu, f):
                self.record_token(f, tok)
        return set(nf_here)

    # -- one token --------------------------------------------------------
    def record_token(self, file: str, tok: AnnotatedToken) -> None:
        where = (file, tok.offset)
        c = tok.cursor
        kind = c.kind
        if kind.is_attribute() or kind == CK.INCLUSION_DIRECTIVE:
            return
        if kind in (CK.MACRO_DEFINITION, CK.MACRO_INSTANTIATION):
            self.record_macro_token(where, tok, c)
            return
        ref = c.referenced if not kind.is_invalid() else None
        if ref is not None and ref.kind.is_declaration() and _lib().clang_isInvalidDeclaration(ref):
            ref = None          # error recovery's guess (EXPORT_ELEMENT (X) without its macro)
        entity = self.entity_of(ref, tok.spelling) if ref is not None else None
        if ref is not None and entity is None and ref.spelling == tok.spelling:
            (self.framework_members if ref.kind in MEMBER_KINDS
             else self.framework_spellings).add(tok.spelling)
        prior = self.uses.get(where)
        if prior is None or prior.entity is None:
            self.uses[where] = TokenUse(file, tok.offset, tok.spelling, entity, tok.member)

    def record_macro_token(self, where, tok: AnnotatedToken, c: ci.Cursor) -> None:
        if tok.spelling != c.spelling:      # a macro argument annotated with its macro
            self.uses.setdefault(where, TokenUse(where[0], where[1], tok.spelling, None, tok.member))
            return
        definition = c if c.kind == CK.MACRO_DEFINITION else c.referenced
        if definition is not None and self.is_nf(definition.location.file and
                                                 definition.location.file.name):
            self.macros.add(tok.spelling)
            self.uses[where] = TokenUse(where[0], where[1], tok.spelling, ("macro", tok.spelling))
        else:
            self.framework_macros.add(tok.spelling)

    def entity_of(self, ref: ci.Cursor, spelling: str) -> Optional[tuple]:
        """The NF entity a token referring to ``ref`` names; None if the framework's,
        or if the token is not the entity's name (``VLIB_NODE_FN (x)`` refers to the
        pasted ``x_fn``): such a token is resolved by its spelling later."""
        if ref.kind in SELF_NAMED:                  # Foo::Foo, ~Foo: the class
            ref = ref.semantic_parent
        if ref is None or not ref.kind.is_declaration():
            return None
        pattern = specialized_template(ref)
        if pattern is not None and pattern.spelling == ref.spelling:
            ref = pattern           # template class X<int>; names the template X
        canon = ref.canonical
        file, offset = file_location(canon.location)
        if not self.is_nf(file):
            return None
        definition = ref.get_definition()
        if definition is not None and not self.is_nf(file_location(definition.location)[0]):
            return None             # the NF's forward declaration of a framework class
        key = self.key_of(canon, file, offset)
        if key not in self.entities:
            self.entities[key] = self.new_entity(key, canon, file)
        return key if canon.spelling == spelling else None

    def key_of(self, canon: ci.Cursor, file: str, offset: int) -> tuple:
        kind = canon.kind
        if kind in MEMBER_KINDS:
            return ("member", canon.spelling)
        if kind in (CK.FUNCTION_DECL, CK.VAR_DECL) and _external(canon):
            return ("extern", canon.spelling)
        return ("decl", file, offset, canon.spelling)

    def word_at(self, file: str, offset: int) -> str:
        if file not in self._text:
            self._text[file] = Path(file).read_bytes()
        data = self._text[file]
        m = _WORD.match(data[_past_line_splices(data, offset):][:256].decode("latin-1"))
        return m.group(0) if m else ""

    def new_entity(self, key: tuple, canon: ci.Cursor, file: str) -> Entity:
        ent = Entity(key=key, spelling=canon.spelling, kind=canon.kind.name)
        written = self.word_at(self.real(file), file_location(canon.location)[1])
        if written != canon.spelling:
            # the name is pasted by a macro (CT6_IN2OUT_ERROR_##sym, x##_fn): it follows
            # the token it is pasted from, or stays if that token is not written here
            ent.made_by_macro = written if written and written in canon.spelling else None
            if ent.made_by_macro is None:
                ent.keep = "made by a macro from names not written here"
        if canon.kind in SCOPED_KINDS:
            parent = canon.semantic_parent
            if parent is not None and parent.kind in FUNCTION_SCOPES:
                start = file_location(parent.extent.start)
                end = file_location(parent.extent.end)
                if start[0] and self.real(start[0]) == self.real(end[0]):
                    ent.scope = (self.real(start[0]), start[1], end[1])
        if canon.spelling in TOOLCHAIN_NAMES and canon.kind == CK.FUNCTION_DECL:
            ent.keep = "called by the C runtime"
        elif canon.kind == CK.CXX_METHOD:
            why = self.framework_override(canon)
            if why:
                ent.keep = why
        elif canon.spelling.startswith("operator") or not _WORD.fullmatch(canon.spelling or ""):
            ent.keep = "operator"
        return ent

    def framework_override(self, method: ci.Cursor, depth: int = 0) -> str:
        hidden = self.framework_base_methods(method.semantic_parent).get(method.spelling)
        if hidden:
            # a framework base has a method of this name: a CRTP base calls the NF's
            # version by name (FlowStateElement -> process), a virtual one dispatches
            return f"hides {hidden}::{method.spelling}"
        for base in overridden(method):
            f, _ = file_location(base.location)
            if not self.is_nf(f):
                parent = base.semantic_parent
                return f"overrides {parent.spelling if parent else '?'}::{base.spelling}"
            if depth < 8:
                why = self.framework_override(base, depth + 1)
                if why:
                    return why
        return ""

    def framework_base_methods(self, record: Optional[ci.Cursor], depth: int = 0) -> dict[str, str]:
        """method name -> framework class declaring it, over all bases of ``record``."""
        if record is None or depth > 12:
            return {}
        key = record.hash
        if key in self._base_methods:
            return self._base_methods[key]
        self._base_methods[key] = out = {}
        for spec in record.get_children():
            if spec.kind != CK.CXX_BASE_SPECIFIER:
                continue
            decl = spec.type.get_declaration()
            if decl is None or decl.kind.is_invalid():
                decl = spec.referenced
            if decl is None:
                continue
            for d in filter(None, (decl, specialized_template(decl))):
                if not self.is_nf(file_location(d.location)[0]):
                    for m in d.get_children():
                        if m.kind in (CK.CXX_METHOD, CK.FUNCTION_TEMPLATE):
                            out.setdefault(m.spelling, d.spelling)
                for name, owner in self.framework_base_methods(d, depth + 1).items():
                    out.setdefault(name, owner)
        return out


def _external(c: ci.Cursor) -> bool:
    try:
        linkage = c.linkage
    except (AttributeError, ValueError):
        return False
    parent = c.semantic_parent
    at_file_scope = parent is None or parent.kind in (CK.TRANSLATION_UNIT, CK.NAMESPACE,
                                                       CK.LINKAGE_SPEC)
    return at_file_scope and linkage == ci.LinkageKind.EXTERNAL


def error_set(tu: ci.TranslationUnit) -> set[str]:
    out = set()
    for d in tu.diagnostics:
        if d.severity >= ci.Diagnostic.Error:
            f = d.location.file
            out.add(f"{os.path.basename(f.name) if f else '?'}\t{d.spelling}")
    return out


# ---------------------------------------------------------------------------
# New names
# ---------------------------------------------------------------------------

def neutral_name(key: tuple, taken: set[str]) -> str:
    """``id_`` + a short hash of the entity's identity (its place relative to the NF,
    never its spelling for located entities), lengthened until it is free."""
    digest = hashlib.sha1(repr(key).encode()).hexdigest()
    for width in range(4, 41, 2):
        name = f"id_{digest[:width]}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("no free name")           # 40 hex digits collide: cannot happen


class Renamer:
    """Plans and applies the renaming of one NF's files."""

    def __init__(self, decls: NFDeclarations, root: str, keep: Iterable[str] = ()):
        self.d = decls
        self.root = os.path.realpath(root)
        self.keep_spellings = set(keep)
        self.ambiguous: list[str] = []

    def relative_key(self, key: tuple) -> tuple:
        if key[0] == "decl":
            return ("decl", os.path.relpath(key[1], self.root), key[2])
        return key

    def assign(self) -> None:
        words = self.words_in_nf()
        taken = set(words) | self.d.framework_spellings | self.d.framework_members \
            | self.d.framework_macros
        for key in sorted(self.d.entities, key=lambda k: repr(self.relative_key(k))):
            ent = self.d.entities[key]
            if ent.spelling in self.keep_spellings and not ent.keep:
                ent.keep = "the framework refers to it by name (compiler error when renamed)"
            ent.new = ent.spelling if ent.keep else neutral_name(self.relative_key(key), taken)
        self.macro_names = {}
        for m in sorted(self.d.macros):
            self.macro_names[m] = m if m in self.keep_spellings else neutral_name(("macro", m), taken)
        # names pasted from a renamed token follow it (x -> id_1, x_fn -> id_1_fn)
        for ent in self.d.entities.values():
            if ent.made_by_macro and not ent.keep:
                src = self.by_spelling(ent.made_by_macro, None, None)
                ent.new = ent.spelling.replace(ent.made_by_macro, src) if src else ent.spelling

    def words_in_nf(self) -> set[str]:
        out = set()
        for f in self.d.nf_files:
            out |= set(_WORD.findall(Path(f).read_text(errors="replace")))
        return out

    def by_spelling(self, spelling: str, file: Optional[str], offset: Optional[int],
                    member: bool = False) -> Optional[str]:
        """New name of a token the AST did not resolve (macro argument or body,
        inactive code, dependent name): the one NF entity it can mean, or None.

        After ``.``/``->`` only members compete; elsewhere a local whose function
        contains the token wins (it shadows everything), then file-scope names.
        A framework name of the same kind makes the token ambiguous: it stays.
        """
        if spelling in self.macro_names:
            return self.macro_names[spelling]
        cands = [e for e in self.candidates.get(spelling, ()) if not e.made_by_macro]
        if member:
            cands = [e for e in cands if e.key[0] == "member"]
            rival = spelling in self.d.framework_members
        else:
            inside = [e for e in cands if e.scope and file is not None and e.scope[0] == file
                      and e.scope[1] <= offset <= e.scope[2]]
            if inside:
                return min(inside, key=lambda e: e.scope[2] - e.scope[1]).new
            cands = [e for e in cands if e.scope is None]
            nonmember = [e for e in cands if e.key[0] != "member"]
            cands = nonmember or cands
            rival = spelling in self.d.framework_spellings or spelling in self.d.framework_macros \
                or (not nonmember and spelling in self.d.framework_members)
        if not cands or all(e.new == spelling for e in cands):
            return None                 # nothing of ours, or only names that stay anyway
        if rival or len({e.new for e in cands}) != 1:
            self.ambiguous.append(f"{file}:{offset}: {spelling}")
            return None
        return cands[0].new

    @functools.cached_property
    def candidates(self) -> dict[str, list[Entity]]:
        out: dict[str, list[Entity]] = {}
        for e in self.d.entities.values():
            out.setdefault(e.spelling, []).append(e)
        return out

    def edits(self) -> dict[str, list[tuple[int, str, str]]]:
        """file -> [(offset, old, new)] for every token to rewrite."""
        out: dict[str, list[tuple[int, str, str]]] = {}
        for (file, offset), use in sorted(self.d.uses.items()):
            if use.entity is None:
                new = self.by_spelling(use.spelling, file, offset, use.member)
            elif use.entity[0] == "macro":
                new = self.macro_names.get(use.spelling)
            else:
                ent = self.d.entities[use.entity]
                new = (self.by_spelling(use.spelling, file, offset, use.member)
                       if ent.made_by_macro else ent.new)
            if new and new != use.spelling:
                out.setdefault(file, []).append((offset, use.spelling, new))
        return out

    def result_maps(self, res: RenameResult) -> None:
        for e in self.d.entities.values():
            if e.keep:
                res.kept.setdefault(e.spelling, e.keep)
            elif e.new != e.spelling:
                res.mapping.setdefault(e.spelling, e.new)
        for m, new in self.macro_names.items():
            if new != m:
                res.mapping.setdefault(m, new)
        res.old_names = {e.new: e.spelling for e in self.d.entities.values() if e.new != e.spelling}
        res.old_names.update({new: m for m, new in self.macro_names.items() if new != m})
        res.ambiguous = sorted(set(self.ambiguous))


def _past_line_splices(data: bytes, offset: int) -> int:
    """A token right after a backslash-newline starts, for clang, at the backslash."""
    while data[offset:offset + 1] == b"\\":
        if data[offset + 1:offset + 2] == b"\n":
            offset += 2
        elif data[offset + 1:offset + 3] == b"\r\n":
            offset += 3
        else:
            break
    return offset


def rewrite(data: bytes, edits: list[tuple[int, str, str]], entry_names: dict[str, str]) -> bytes:
    """Apply token edits (byte offsets) and follow renamed functions in entry comments."""
    for offset, old, new in sorted(edits, reverse=True):
        offset = _past_line_splices(data, offset)
        if data[offset:offset + len(old.encode())] == old.encode():
            data = data[:offset] + new.encode() + data[offset + len(old.encode()):]
    text = data.decode("utf-8", "surrogateescape")
    text = ENTRY_COMMENT.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)]
                             + entry_names.get(m.group(1), m.group(1)), text)
    return text.encode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------
# The whole job
# ---------------------------------------------------------------------------

def rename_files(files: dict[str, str], root: str, args_for: Callable[[str], list[str]],
                 copy_args_for: Callable[[str], list[str]], max_rounds: int = 4) -> RenameResult:
    """Write renamed copies of the NF's files (``files``: source path -> copy path).

    ``root`` is the NF's directory (new names hash places relative to it);
    ``args_for`` / ``copy_args_for`` give libclang's flags for an original / a
    copy.  After each round the copies are re-parsed: a spelling named by a new
    error (``no member named 'process'`` in a framework template) stays as it was
    in the next round.
    """
    files = {os.path.realpath(s): d for s, d in files.items()}
    decls = NFDeclarations(files, args_for)
    decls.collect()
    keep: set[str] = set()
    healed: dict[str, str] = {}
    spellings = {e.spelling for e in decls.entities.values()} | decls.macros
    for _ in range(max_rounds):
        res = _write(decls, root, files, keep)
        checker = NFDeclarations(files.values(), copy_args_for)
        new_errors, needed = [], {}
        for path in decls.translation_units():
            # (in the old names: the original's own errors, say in a missing header's
            # wake, read the same and are not new)
            after = {_NEW_NAME.sub(lambda m: res.old_names.get(m.group(0), m.group(0)), e)
                     for e in error_set(checker.parse(files[path]))}
            for err in sorted(after - decls.errors.get(path, set())):
                new_errors.append(f"{os.path.basename(files[path])}: {err}")
                m = _NEEDED_NAME.search(err)
                name = next((g for g in m.groups() if g), None) if m else None
                if name in spellings and name not in keep:
                    needed.setdefault(name, err.replace("\t", ": "))
        res.errors = new_errors
        if not needed:
            break
        keep |= set(needed)
        healed.update(needed)
    res.kept.update({n: f"the compiler needs it: {why}" for n, why in healed.items()})
    return res


def _write(decls: NFDeclarations, root: str, files: dict[str, str], keep: set[str]) -> RenameResult:
    ren = Renamer(decls, root, keep)
    ren.assign()
    edits = ren.edits()
    res = RenameResult()
    ren.result_maps(res)
    entry_names = {e.spelling: e.new for e in decls.entities.values()
                   if e.kind == "FUNCTION_DECL" and not e.keep}
    for src, dst in sorted(files.items()):
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        Path(dst).write_bytes(rewrite(Path(src).read_bytes(), edits.get(src, []), entry_names))
        res.files.append(dst)
    return res


# ---------------------------------------------------------------------------
# One NF directory, with the audit's own discovery and flags
# ---------------------------------------------------------------------------

def nf_file_map(nf_dir: Path, dst_dir: Path, units) -> dict[str, str]:
    """The NF's files -> their copies: every source file under ``nf_dir``, plus the
    files the adapter took from the framework tree's copy of this NF (tree
    completion: a VPP plugin's node.c and its headers), placed next to the others."""
    out = {os.path.realpath(p): str(dst_dir / p.relative_to(nf_dir))
           for p in sorted(nf_dir.rglob("*")) if p.is_file() and p.suffix in NF_TEXT_SUFFIXES}
    taken = {Path(d).name for d in out.values()}
    for u in units:
        own_dirs = {os.path.dirname(os.path.realpath(f)) for f in u.files}
        for f in u.files + u.headers:
            real = os.path.realpath(f)
            if real in out or os.path.dirname(real) not in own_dirs:
                continue                            # framework headers keep their names
            if Path(real).name not in taken:
                out[real] = str(dst_dir / Path(real).name)
                taken.add(Path(real).name)
    return out


def rename_nf(nf_dir: str | Path, dst_dir: str | Path, framework: Optional[str] = None,
              src: Iterable[str] = (), cache_dir: Optional[str] = None,
              rename: bool = True) -> RenameResult:
    """Copy the NF in ``nf_dir`` to ``dst_dir`` with its identifiers renamed.

    NF discovery and compile flags are the audit's (``adapters.discover_paths``,
    a stock tree prepared as the compile stage prepares it, in ``cache_dir``, and
    ``source_tu.parse_args``), so the renamer sees the code as the compiler does:
    the same ``#if HAVE_BATCH`` branches, the same framework declarations.
    """
    from flowmagec import adapters, prepare
    from flowmagec.compile import cache_root
    from flowmagec.errors import InputError
    from flowmagec.passes.source_tu import parse_args

    nf_dir, dst_dir, src = Path(nf_dir).resolve(), Path(dst_dir), list(src)
    cache = cache_root(cache_dir)

    def discover(path: Path):
        us = adapters.discover_paths([str(path)], framework=framework, src_dirs=src).units
        cache.mkdir(parents=True, exist_ok=True)
        prepare.prepare_units(us, cache, needs=lambda u: True)
        return us

    units = discover(nf_dir)
    if not units:
        raise InputError(f"{nf_dir}: no network function found")
    dst_dir.mkdir(parents=True, exist_ok=True)
    files = nf_file_map(nf_dir, dst_dir, units)
    for p in sorted(nf_dir.rglob("*")):     # the rest (.api, CMakeLists ...) as it is
        if p.is_file() and os.path.realpath(p) not in files and p.suffix != ".txt":
            (dst_dir / p.relative_to(nf_dir)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dst_dir / p.relative_to(nf_dir))

    def flags_from(us) -> Callable[[str], list[str]]:
        owner = {os.path.realpath(f): u for u in us for f in u.files + u.headers}
        return lambda p: parse_args(owner.get(os.path.realpath(p), us[0]), p)

    if not rename:
        # the same layout without renaming: the baseline for a copy that took files
        # from the framework tree (a VPP plugin's node.c next to the NF's lb.c)
        for f, d in files.items():
            shutil.copy2(f, d)
        return RenameResult(files=list(files.values()))

    @functools.lru_cache(maxsize=1)
    def copy_units():
        return discover(dst_dir) or units

    return rename_files(files, str(nf_dir), flags_from(units),
                        lambda p: flags_from(copy_units())(p))
