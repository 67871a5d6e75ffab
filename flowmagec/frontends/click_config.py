"""Click configuration strings: scanning, argument splitting, keywords, `$var` expansion.

These follow the semantics of FastClick's configuration parser (doc/click.5):

* a configuration string runs from ``(`` to the matching ``)``; only
  parentheses count, and quotes, comments and ``\\<hex>`` blocks protect them;
* arguments are split at every unquoted comma (not bracket-aware), comments
  become single spaces, whitespace is trimmed and an empty last argument is
  dropped;
* ``KEYWORD value`` arguments are recognised like Click's ``Args``, where the
  keyword is upper case (``element_keyword``: we lack each element's keyword list);
* ``$x ${x} ${x-default} ${x[N]} $? $# $$`` expand through lexically scoped
  variable environments; undefined variables stay verbatim.

Every splitter here also reports offsets into the raw text, so later stages
can edit an argument in the user's file without touching anything else.
"""
from __future__ import annotations

import re
from functools import partial
from typing import NamedTuple, Optional

from ..errors import InputError

_SPACE = " \t\n\r\f\v"


# --------------------------------------------------------------------------
# Low-level skipping helpers (each returns the index just past the construct)
# --------------------------------------------------------------------------

def skip_comment(s: str, i: int, end: int) -> int:
    """``s[i:i+2]`` is ``//`` or ``/*``; return the index after the comment."""
    if s[i + 1] == "/":
        j = i + 2
        while j < end and s[j] not in "\n\r":
            j += 1
        if j < end and s[j] == "\r" and j + 1 < end and s[j + 1] == "\n":
            j += 1
        return min(j + 1, end)
    j = s.find("*/", i + 2, end)
    return end if j < 0 else j + 2


def is_comment_start(s: str, i: int, end: int) -> bool:
    return s[i] == "/" and i + 1 < end and s[i + 1] in "/*"


def skip_backslash_angle(s: str, i: int, end: int) -> int:
    """``s[i:i+2]`` is ``\\<``; skip to the closing ``>`` (comments inside are skipped)."""
    j = i + 2
    while j < end:
        c = s[j]
        if c == ">":
            return j + 1
        if is_comment_start(s, j, end):
            j = skip_comment(s, j, end)
        else:
            j += 1
    return end


def skip_backslash(s: str, i: int, end: int) -> int:
    if i + 1 >= end:
        return i + 1
    if s[i + 1] == "<":
        return skip_backslash_angle(s, i, end)
    if s[i + 1] == "\r" and i + 2 < end and s[i + 2] == "\n":
        return i + 3
    return i + 2


def skip_double_quote(s: str, i: int, end: int) -> int:
    j = i + 1
    while j < end:
        c = s[j]
        if c == "\\":
            j = skip_backslash(s, j, end)
        elif c == '"':
            return j + 1
        else:
            j += 1
    return end


def skip_single_quote(s: str, i: int, end: int) -> int:
    j = s.find("'", i + 1, end)
    return end if j < 0 else j + 1


def skip_comment_space(s: str, i: int, end: int) -> int:
    while i < end:
        if s[i] in _SPACE:
            i += 1
        elif is_comment_start(s, i, end):
            i = skip_comment(s, i, end)
        else:
            break
    return i


# --------------------------------------------------------------------------
# Finding the end of a configuration string
# --------------------------------------------------------------------------

_CONFIG_SPECIAL = re.compile(r"[()'\"/\\]")


def find_config_end(text: str, start: int) -> int:
    """Index of the ``)`` closing a configuration string that starts at ``start``
    (just after its ``(``), or -1 when the parentheses are unbalanced.

    Only ``(`` and ``)`` are counted; quotes, comments and ``\\<hex>`` blocks
    protect the characters they contain (FastClick's ``lex_config``).
    """
    depth = 1
    end = len(text)
    i = start
    search = _CONFIG_SPECIAL.search
    while True:
        m = search(text, i)
        if m is None:
            return -1
        i = m.start()
        c = text[i]
        if c == "(":
            depth += 1
            i += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
            i += 1
        elif c == "/":
            i = skip_comment(text, i, end) if i + 1 < end and text[i + 1] in "/*" else i + 1
        elif c == '"':
            i = _skip_lexer_quote(text, i + 1, '"', end)
        elif c == "'":
            i = _skip_lexer_quote(text, i + 1, "'", end)
        else:  # backslash: only \< protects outside quotes
            i = skip_backslash_angle(text, i, end) if i + 1 < end and text[i + 1] == "<" else i + 1


def _skip_lexer_quote(s: str, i: int, endc: str, end: int) -> int:
    """The lexer's quote skipper: backslashes escape only inside double quotes."""
    while i < end:
        c = s[i]
        if c == "\\" and endc == '"' and i + 1 < end:
            i = skip_backslash_angle(s, i, end) if s[i + 1] == "<" else i + 2
        elif c == endc:
            return i + 1
        else:
            i += 1
    return end


_LINE_DIRECTIVE = re.compile(r"(?m)(?<=[\n\r])#[^\n\r]*")


def strip_line_directives(config: str) -> str:
    """Remove ``#`` line directives from a configuration string, as Click's lexer does."""
    return _LINE_DIRECTIVE.sub("", config) if "#" in config else config


def blank_line_directives(config: str) -> str:
    """Replace ``#`` line directives (a ``#`` starting a line inside a configuration
    string, which Click's lexer removes) by spaces, keeping every offset."""
    if "#" not in config:
        return config
    return _LINE_DIRECTIVE.sub(lambda m: " " * len(m.group()), config)


# --------------------------------------------------------------------------
# Argument splitting (cp_argvec) with raw offsets
# --------------------------------------------------------------------------

class RawArg(NamedTuple):
    """One argument: uncommented text plus its [start, end) range in the raw string.
    (A named tuple: one is made per argument of every element.)"""
    text: str
    start: int
    end: int


def _partial_uncomment(s: str, i: int, end: int, stop_at_comma: bool):
    """Click's ``partial_uncomment``: returns (text, raw_start, raw_end, stop_index)."""
    i = skip_comment_space(s, i, end)
    pieces: list[str] = []
    first = left = right = i
    closed = False
    while i < end:
        c = s[i]
        if c in _SPACE:
            i += 1
        elif is_comment_start(s, i, end):
            i = skip_comment(s, i, end)
            closed = True
        elif c == "," and stop_at_comma:
            break
        else:
            if closed:
                pieces.append(s[left:right] + " ")
                left = i
                closed = False
            if c == "'":
                i = skip_single_quote(s, i, end)
            elif c == '"':
                i = skip_double_quote(s, i, end)
            elif c == "\\" and i + 1 < end and s[i + 1] == "<":
                i = skip_backslash(s, i, end)
            else:
                i += 1
            right = i
    pieces.append(s[left:right])
    return "".join(pieces), first, max(first, right), i


_NEEDS_SLOW_SPLIT = re.compile(r"['\"/\\]")
_PLAIN_ARG = re.compile(r"[^,]*")


# RawArg from a (text, start, end) tuple without the named tuple's Python-level
# __new__ (split_args runs for every element of large configurations).
_raw_arg = partial(tuple.__new__, RawArg)


def _split_plain(config: str) -> list[RawArg]:
    """Fast path of split_args for configurations without quotes, comments or backslashes."""
    out = []
    pos = 0
    pieces = config.split(",")
    last = len(pieces) - 1
    for i, piece in enumerate(pieces):
        left = piece.lstrip(_SPACE)
        text = left.rstrip(_SPACE)
        if text or i < last:
            start = pos + len(piece) - len(left)
            out.append(_raw_arg((text, start, start + len(text))))
        pos += len(piece) + 1
    return out


def split_args(config: str) -> list[RawArg]:
    """Split like ``cp_argvec``: at every unquoted comma, comments become spaces,
    whitespace trimmed, an empty last argument dropped."""
    out: list[RawArg] = []
    n = len(config)
    if n == 0:
        return out
    if _NEEDS_SLOW_SPLIT.search(config) is None:
        return _split_plain(config)
    pos = 0
    while pos < n:
        text, rs, re_, pos = _partial_uncomment(config, pos, n, True)
        if text or pos < n:
            out.append(RawArg(text, rs, re_ if text else rs))
        pos += 1
    return out


def argvec(config: str) -> list[str]:
    return [a.text for a in split_args(config)]


def uncomment(s: str) -> str:
    return _partial_uncomment(s, 0, len(s), False)[0]


# --------------------------------------------------------------------------
# Keyword arguments (Args::reset_from)
# --------------------------------------------------------------------------

# "KEYWORD value": a word, whitespace, then at least one non-space character.
_KEYWORD_ARG = re.compile(r"([A-Za-z_][A-Za-z0-9_:.?!]*)[ \t\n\r\f\v]+(?=[^ \t\n\r\f\v])")


def keyword_split(arg: str) -> Optional[tuple[str, int]]:
    """(keyword, value offset) if ``arg`` looks like ``KEYWORD value`` to Args."""
    m = _KEYWORD_ARG.match(arg)
    return (m.group(1), m.end()) if m else None


# keyword_split's match restricted to upper-case keywords (see element_keyword).
_ELEMENT_KEYWORD_ARG = re.compile(
    r"(?=[A-Z0-9_:.?!]*[A-Z])([A-Z_][A-Z0-9_:.?!]*)[ \t\n\r\f\v]+(?=[^ \t\n\r\f\v])")


def element_keyword(arg: str) -> Optional[tuple[str, int]]:
    """(keyword, value offset) when ``arg`` is ``KEYWORD value`` for an element.

    Click's ``Args`` recognises a keyword only if the element declares it; we do
    not have the elements' keyword lists, so this relies on FastClick's
    convention that keywords are upper case (letters, digits and ``_:.?!``, at
    least one letter): ``CAPACITY 10`` and ``N_QUEUES 4`` are keyword arguments,
    ``pattern 1.2.3.4 - - -``, ``Capacity 10`` and ``12/0800 x`` are positional.
    (``keyword_split`` is the case-blind form, for compound formals and edits.)"""
    m = _ELEMENT_KEYWORD_ARG.match(arg)
    return (m.group(1), m.end()) if m else None


# --------------------------------------------------------------------------
# Space-separated words (cp_spacevec)
# --------------------------------------------------------------------------

def _skip_spacevec_item(s: str, i: int, end: int) -> int:
    while i < end:
        c = s[i]
        if c == "/":
            if i + 1 < end and s[i + 1] in "/*":
                return i
            i += 1
        elif c == '"':
            i = skip_double_quote(s, i, end)
        elif c == "'":
            i = skip_single_quote(s, i, end)
        elif c == "\\":
            i = skip_backslash(s, i, end) if i + 1 < end and s[i + 1] == "<" else i + 1
        elif c in _SPACE:
            return i
        else:
            i += 1
    return i


def spacevec(s: str) -> list[str]:
    out = []
    i, end = 0, len(s)
    while True:
        i = skip_comment_space(s, i, end)
        if i >= end:
            return out
        j = _skip_spacevec_item(s, i, end)
        out.append(s[i:j])
        i = j


def shift_spacevec(s: str) -> tuple[str, str]:
    """(first word, rest) like ``cp_shift_spacevec``."""
    end = len(s)
    i = skip_comment_space(s, 0, end)
    j = _skip_spacevec_item(s, i, end)
    k = skip_comment_space(s, j, end)
    return s[i:j], s[k:]


def unquote(s: str) -> str:
    """Remove one level of quoting (enough for ``require`` arguments and names)."""
    s = uncomment(s)
    out = []
    quote = ""
    i = 0
    while i < len(s):
        c = s[i]
        if c in "\"'" and (not quote or quote == c):
            quote = "" if quote else c
        elif c == "\\" and quote == '"' and i + 1 < len(s):
            out.append(s[i + 1])
            i += 1
        else:
            out.append(c)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------
# Variables: environments and cp_expand
# --------------------------------------------------------------------------

class VarEnv:
    """A lexically scoped variable environment (Click's ``VariableEnvironment``)."""

    __slots__ = ("parent", "depth", "names", "values")

    def __init__(self, parent: Optional["VarEnv"] = None):
        self.parent = parent
        self.depth = parent.depth + 1 if parent else 0
        self.names: list[str] = []
        self.values: list[str] = []

    def define(self, name: str, value: str, override: bool = False) -> bool:
        """Define ``name``; False when it was already defined here (value replaced if override)."""
        try:
            i = self.names.index(name)
        except ValueError:
            self.names.append(name)
            self.values.append(value)
            return True
        if override:
            self.values[i] = value
        return False

    def parent_of(self, depth: int) -> Optional["VarEnv"]:
        v: Optional[VarEnv] = self
        while v is not None and v.depth >= depth:
            v = v.parent
        return v

    def lookup(self, name: str) -> Optional[str]:
        v: Optional[VarEnv] = self
        while v is not None:
            for n, val in zip(v.names, v.values):
                if n == name:
                    return val
            v = v.parent
        return None

    def expand_var(self, var: str, vtype: str, depth: int) -> Optional[str]:
        name = var
        minus = -1
        index = -1
        if vtype == "{":
            end = len(var)
            s = skip_comment_space(var, 0, end)
            nb = s
            while s < end and (var[s].isalnum() or var[s] == "_"):
                s += 1
            ne = s
            s = skip_comment_space(var, s, end)
            if s < end and var[s] == "[":
                m = re.match(r"\s*(-?\d+)\s*\]", var[s + 1:])
                if m:
                    index = int(m.group(1))
                    s = skip_comment_space(var, s + 1 + m.end(), end)
            if s < end and var[s] == "-":
                minus = s
            name = var[nb:ne]
        val = self.lookup(name)
        if val is not None:
            value = cp_expand(val, self, depth + 1)
            if index >= 0:
                word = ""
                rest = value
                while index >= 0 and (rest or word):
                    word, rest = shift_spacevec(rest)
                    index -= 1
                return word
            return value
        if minus >= 0:
            return cp_expand(var[minus + 1:], self, depth + 1)
        return None


def quote(s: str) -> str:
    """Click's ``cp_quote``: a double-quoted string that unquotes to ``s``."""
    out = ['"']
    for c in s:
        if c in '\\"$':
            out.append("\\" + c)
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif c == "\n":
            out.append("\\n")
        elif ord(c) < 32 or ord(c) >= 127:
            out.append("\\%03o" % (ord(c) & 0xFF))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


# Click expands variables up to 10 levels deep; a value that uses a variable k times
# grows as k**10, so the length of one expansion is bounded too.
MAX_EXPANSION = 1 << 22


class ExpansionTooLarge(InputError):
    pass


def cp_expand(config: str, env: Optional[VarEnv], depth: int = 0, expand_quote: bool = False) -> str:
    """Expand ``$`` variables in ``config`` (FastClick's ``cp_expand``)."""
    if env is None or "$" not in config:
        return config
    s = config
    end = len(s)
    out: list[str] = []
    uninterpolated = 0
    quote_c = ""
    i = 0
    changed = False
    produced = 0
    while i < end:
        c = s[i]
        if c == "\\":
            if i + 1 < end and quote_c == '"':
                i += 1
        elif c in "'\"":
            if not quote_c:
                quote_c = c
            elif quote_c == c:
                quote_c = ""
        elif c == "/":
            if i + 1 < end and s[i + 1] in "/*" and not quote_c:
                i = skip_comment_space(s, i, end) - 1
        elif c == "$" and i + 1 < end and quote_c != "'" and depth <= 10:
            before = i
            expand_vname = False
            nxt = s[i + 1]
            if nxt == "{":
                vtype = "{"
                j = s.find("}", i + 2)
                if j < 0:
                    break
                vname = s[i + 2:j]
                expand_vname = "$" in vname
                i = j + 1
            elif nxt == "(":
                vtype = "("
                level, nq, j = 1, "", i + 2
                while j < end and level:
                    cj = s[j]
                    if cj == "(" and not nq:
                        level += 1
                    elif cj == ")" and not nq:
                        level -= 1
                    elif cj in "\"'":
                        nq = cj if not nq else ("" if nq == cj else nq)
                    elif cj == "\\" and j + 1 < end and nq != "'":
                        j += 1
                    elif cj == "$" and nq != "'":
                        expand_vname = True
                    j += 1
                if j == i + 2 or s[j - 1] != ")":
                    break
                vname = s[i + 2:j - 1]
                i = j
            elif nxt.isalnum() or nxt == "_":
                vtype = "a"
                j = i + 1
                while j < end and (s[j].isalnum() or s[j] == "_"):
                    j += 1
                vname = s[i + 1:j]
                i = j
            elif nxt in "?#$":
                vtype = "a"
                vname = nxt
                i += 2
            else:
                i += 1
                continue
            out.append(s[uninterpolated:before])
            changed = True
            if expand_vname:
                vname = cp_expand(vname, env, depth + 1)
            text = env.expand_var(vname, vtype, depth)
            uninterpolated = i
            if text is None:
                if expand_vname:
                    out.append(s[before] + s[before + 1] + vname + s[i - 1])
                else:
                    uninterpolated = before
            elif quote_c == '"' or (expand_quote and not quote_c):
                q = quote(text)[1:-1]
                out.append(q if quote_c == '"' else '"' + q + '"')
            else:
                out.append(text)
            produced += len(out[-1])
            if produced > MAX_EXPANSION:
                raise ExpansionTooLarge(f"'$' variables expand to more than {MAX_EXPANSION} "
                                        f"characters (a variable used several times in its "
                                        f"own definition?)")
            continue
        i += 1
    if not changed:
        return config
    out.append(s[uninterpolated:])
    return "".join(out)
