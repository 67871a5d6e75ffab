"""Lexical helpers shared by the adapters: comment stripping, includes, braces.

Discovery must be fast (a FastClick tree has ~1,500 sources) and must work
when includes are missing, so adapters read code lexically; full parsing is
the passes' job (libclang) once a unit is known.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

# One alternation so that a '//' inside a string literal is not taken for a comment.
_COMMENT_OR_STRING = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)

C_SUFFIXES = (".c",)
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".C")
SOURCE_SUFFIXES = C_SUFFIXES + CXX_SUFFIXES
HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx")


def _blank(match: re.Match) -> str:
    text = match.group(0)
    if text[0] in "\"'":
        return text                      # keep literals: class_name() returns one
    return re.sub(r"[^\n]", " ", text)   # keep offsets and line numbers


@functools.lru_cache(maxsize=4096)
def _read_cached(path: str, mtime_ns: int) -> tuple[str, str]:
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    return raw, _COMMENT_OR_STRING.sub(_blank, raw)


def read(path: str | Path) -> str:
    """Raw text of a file (cached by path and mtime)."""
    p = Path(path)
    return _read_cached(str(p), p.stat().st_mtime_ns)[0]


def code(path: str | Path) -> str:
    """Text of a file with comments blanked out (same offsets as the raw text)."""
    p = Path(path)
    return _read_cached(str(p), p.stat().st_mtime_ns)[1]


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def includes(path: str | Path) -> list[tuple[str, bool]]:
    """(included name, is_quoted) for each #include of a file, in order."""
    return [(m.group(2).strip(), m.group(1) == '"') for m in _INCLUDE.finditer(code(path))]


def matching_brace(text: str, open_at: int) -> int:
    """Offset just after the '}' matching the '{' at ``open_at`` (len(text) if unbalanced)."""
    depth = 0
    for i in range(open_at, len(text)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split at ``sep`` outside <>, () and [] nesting (template argument lists)."""
    parts, depth, cur = [], 0, []
    for c in text:
        if c in "<([":
            depth += 1
        elif c in ">)]":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class FunctionDef:
    """A function definition found lexically: qualified name and body span."""
    name: str            # as written: 'push_batch', 'IPolicer::process'
    file: str
    line: int
    body_start: int
    body_end: int

    @property
    def short(self) -> str:
        return self.name.rsplit("::", 1)[-1]


# name '(' params ')' [qualifiers] '{'  -- qualifiers: const, override, noexcept, attributes, ': init-list'
# Every text segment between parentheses is matched by exactly one [^...]* (no two
# adjacent stars): a prototype with function-pointer parameters that ends in ';'
# then fails in linear time instead of backtracking exponentially.
_FUNC_DEF = re.compile(
    r"\b((?:[A-Za-z_]\w*(?:<[^<>;{}()]*>)?::)*~?[A-Za-z_]\w*)\s*"
    r"\(([^;{}()]*(?:\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)[^;{}()]*)*)\)"
    r"((?:\s*(?:const|override|final|noexcept|volatile|CLICK_COLD|CLICK_WARN_UNUSED_RESULT|"
    r"__attribute__\s*\(\([^)]*\)\)|[A-Z_]{3,}\b))*)\s*(?::[^;{}]*)?\{", re.S)
_NOT_FUNCTIONS = frozenset({
    "if", "for", "while", "switch", "catch", "return", "sizeof", "do", "else", "defined",
    "alignof", "decltype", "static_assert", "operator", "new", "delete", "throw", "typeid",
    "static_cast", "dynamic_cast", "reinterpret_cast", "const_cast", "bool", "int", "char",
    "void", "unsigned", "signed", "long", "short", "float", "double", "auto", "__attribute__",
    "likely", "unlikely", "assert"})


_DEFINE = re.compile(r"^[ \t]*#[ \t]*define\b(?:[^\n]*\\\n)*[^\n]*", re.M)


def without_macros(text: str) -> str:
    """``text`` with #define lines blanked (a macro body is not a function definition)."""
    return _DEFINE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def function_defs(path: str | Path) -> list[FunctionDef]:
    """Function definitions (with bodies) in one file, outermost first (cached by mtime:
    adapters ask again for every NF that shares a file)."""
    p = Path(path)
    return list(_function_defs_cached(str(path), p.stat().st_mtime_ns))


@functools.lru_cache(maxsize=8192)
def _function_defs_cached(path: str, mtime_ns: int) -> tuple[FunctionDef, ...]:
    return tuple(_function_defs(path))


def _function_defs(path: str) -> list[FunctionDef]:
    text = without_macros(code(path))
    out: list[FunctionDef] = []
    pos = 0
    while True:
        m = _FUNC_DEF.search(text, pos)
        if not m:
            break
        name = m.group(1)
        brace = m.end() - 1
        if name.rsplit("::", 1)[-1] in _NOT_FUNCTIONS:
            pos = m.end()
            continue
        end = matching_brace(text, brace)
        out.append(FunctionDef(name=re.sub(r"<[^<>]*>", "", name), file=str(path),
                               line=line_of(text, m.start(1)), body_start=brace, body_end=end))
        # Continue inside class bodies is handled by callers scanning class spans;
        # for functions skip the body (nested definitions only occur in lambdas).
        pos = end
    return out


_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*(?:<[^<>;{}()]*>)?\s*\(")


def called_names(text: str) -> set[str]:
    """Identifiers used as callees in a code fragment (methods, functions, macros)."""
    return {m.group(1) for m in _CALL.finditer(text)} - _NOT_FUNCTIONS
