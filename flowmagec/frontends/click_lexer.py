"""Tokenizer for the Click language, plugged into Lark as a custom lexer.

Click's lexer (FastClick ``lib/lexer.cc``) is context sensitive in two places a
regular-expression lexer cannot handle, so this module does it by hand:

* after an element class or name (or a compound's closing brace, ``require``,
  ``define``) a ``(`` starts a *configuration string*, scanned to the matching
  ``)`` counting only parentheses (quotes, comments and ``\\<hex>`` protect);
  anywhere else ``(`` opens a group;
* a port list ``[0, 2-4]`` becomes one PORT token, parsed here into Click's
  port vector (``-1`` marks an expandable port: ``[]`` or ``[n,]``).

Comments and ``#`` line directives at line start are skipped.  Every token
keeps its byte offsets into the original text, which is what span-preserving
editing relies on.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Callable, Iterator

from lark import Token
from lark.lexer import Lexer

from ..artifacts import Span
from ..errors import InputError, span_at
from .click_config import find_config_end, skip_comment

RESERVED = {"elementclass": "ELEMENTCLASS", "require": "REQUIRE", "define": "DEFINE",
            "provide": "PROVIDE"}

# Leading whitespace is consumed with each token (one regex match per token).
_TOKEN_RE = re.compile(r"""
   [ \t\n\r\f\v]*
   (?: (?P<end>\Z)
 | (?P<comment>//|/\*)
 | (?P<ident>[A-Za-z0-9_@]+(?:/[A-Za-z0-9_@]+)*)
 | (?P<variable>\$[A-Za-z0-9_]+)
 | (?P<carrow>~[A-Za-z0-9/]*>)
 | (?P<op>->|=>|::|\|\||\.\.\.)
 | (?P<char>.) )
""", re.VERBOSE | re.DOTALL)

_LINE_DIRECTIVE = re.compile(r"#[ \t]*(?:line[ \t]+)?\d")
_PORT_WORD = re.compile(r"[A-Za-z0-9_@]+")
_OPS = {"->": "ARROW", "=>": "DARROW", "::": "DCOLON", "||": "DBAR", "...": "DOTS"}
_CHARS = {"{": "LBRACE", "}": "RBRACE", "(": "LPAR", ")": "RPAR", ",": "COMMA",
          ";": "SEMI", "|": "BAR", "[": "LSQB"}

# Tokens after which "(" begins a configuration string rather than a group.
_CONFIG_AFTER = {"IDENT", "REQUIRE", "DEFINE"}


class LineIndex:
    """Offset -> (line, column), both 1-based, via a sorted list of line starts
    (one bisection per span, instead of counting newlines from the file start)."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def span_maker(self, path: str) -> Callable[[int, int], Span]:
        """``make(start, end) -> Span`` for this file (a closure: it is called for
        every element and argument of large configurations)."""
        starts = self.starts

        def make(start: int, end: int) -> Span:
            i = bisect_right(starts, start)
            return Span(path, start, end, i, start - starts[i - 1] + 1)
        return make


def _syntax_error(path: str, text: str, pos: int, msg: str, expected: str | None = None,
                  length: int = 1) -> InputError:
    return InputError(msg, span_at(path, text, pos, length), expected=expected)


def parse_port(path: str, text: str, start: int, end: int) -> list[int]:
    """Parse the inside of ``[ ... ]`` (text[start:end]) into Click's port vector."""
    ports: list[int] = []
    last = -1
    dash = False
    i = start
    expect_number = True
    while True:
        while i < end:  # skip space and comments
            if text[i] in " \t\n\r\f\v":
                i += 1
            elif text.startswith(("//", "/*"), i):
                i = skip_comment(text, i, end)
            else:
                break
        if i >= end:
            if expect_number:  # "[]", "[n,]", "[n-]": expandable
                if not ports:
                    ports.append(0)
                ports.append(-1)
            return ports
        if expect_number:
            m = _PORT_WORD.match(text, i, end)
            if not m:
                raise _syntax_error(path, text, i, "bad port", "a port number")
            if not m.group().isdigit():
                raise _syntax_error(path, text, i, "port number should be an integer",
                                    "a port number", m.end() - i)
            port = int(m.group())
            if dash:
                if port < last:
                    raise _syntax_error(path, text, i, f"empty port range {last}-{port}",
                                        "an increasing range")
                ports.extend(range(last + 1, port + 1))
            else:
                ports.append(port)
            last = port
            i = m.end()
            expect_number = False
        else:
            c = text[i]
            if c == "-" and not dash:
                dash = True
            elif c == ",":
                dash = False
            else:
                raise _syntax_error(path, text, i, f"unexpected '{c}' in port list", "',' or ']'")
            i += 1
            expect_number = True


class ClickLexer(Lexer):
    """Lark custom lexer: yields Click tokens with exact byte offsets.  (click_parse
    feeds ``tokenize`` to its own driver of Lark's table; this makes the grammar
    usable with Lark's ``parse`` too.)"""

    def __init__(self, lexer_conf):
        pass

    def lex(self, text, *_unused) -> Iterator[Token]:
        return tokenize(text)


_str_new = str.__new__


def tokenize(text: str, path: str = "<config>") -> Iterator[Token]:
    # This loop runs once per token of configurations with tens of thousands of
    # elements: Tokens are built inline (byte offsets only, no line/column, which
    # spans get from LineIndex), and the next token's leading space is one regex.
    n = len(text)
    pos = 0
    prev = ""            # type of the previous significant token
    prev2 = ""
    braces: list[bool] = []   # True for an elementclass body
    closed_class = False      # the last "}" closed an elementclass body
    match = _TOKEN_RE.match
    str_new = _str_new
    token_class = Token
    reserved = RESERVED
    while True:
        m = match(text, pos)
        kind = m.lastgroup
        pos = m.start(kind)
        end = m.end()
        if kind == "ident":
            value = m.group(kind)
            ttype = reserved.get(value, "IDENT")
            if ttype == "PROVIDE":
                raise _syntax_error(path, text, pos, "'provide' is not allowed in a configuration",
                                    "an element, connection or declaration", len(value))
        elif kind == "op":
            value = m.group(kind)
            ttype = _OPS[value]
        elif kind == "char":
            c = text[pos]
            ttype = _CHARS.get(c)
            if ttype == "LPAR" and (prev in _CONFIG_AFTER or (prev == "RBRACE" and not closed_class)):
                close = find_config_end(text, pos + 1)
                if close < 0:
                    raise _syntax_error(path, text, pos, "unbalanced '(' in configuration string",
                                        "')'")
                # the token is the text inside the parentheses
                value = text[pos + 1:close]
                tok = str_new(token_class, value)
                tok.type = "CONFIG"
                tok.value = value
                tok.start_pos = pos + 1
                tok.end_pos = close
                tok.line = tok.column = tok.end_line = tok.end_column = None
                prev2, prev = prev, "CONFIG"
                pos = close + 1
                yield tok
                continue
            if ttype == "LSQB":
                close = _find_port_end(text, pos + 1, n)
                if close < 0:
                    raise _syntax_error(path, text, pos, "unterminated port list", "']'")
                ttype, value, end = "PORT", text[pos:close + 1], close + 1
            elif ttype is None:
                if c == "#" and (pos == 0 or text[pos - 1] in "\n\r"):
                    pos = _skip_line_directive(path, text, pos)
                    continue
                if c == "~":
                    raise _syntax_error(path, text, pos, "bad context arrow", "'~>' or '~name>'")
                raise _syntax_error(path, text, pos, f"unexpected character '{c}'",
                                    "an element, connection or declaration")
            else:
                value = c
                if ttype == "LBRACE":
                    braces.append(prev == "IDENT" and prev2 == "ELEMENTCLASS")
                elif ttype == "RBRACE":
                    closed_class = braces.pop() if braces else False
        elif kind == "comment":
            pos = skip_comment(text, pos, n)
            continue
        elif kind == "variable":
            value = m.group(kind)
            ttype = "VARIABLE"
        elif kind == "carrow":
            value = m.group(kind)
            ttype = "CARROW"
        else:   # end of text
            return
        tok = str_new(token_class, value)
        tok.type = ttype
        tok.value = value
        tok.start_pos = pos
        tok.end_pos = end
        tok.line = tok.column = tok.end_line = tok.end_column = None
        prev2, prev = prev, ttype
        pos = end
        yield tok


def _skip_line_directive(path: str, text: str, pos: int) -> int:
    """``text[pos]`` is a ``#`` at line start: skip a line directive, refuse anything else."""
    if not _LINE_DIRECTIVE.match(text, pos):
        raise _syntax_error(path, text, pos, "unknown preprocessor directive",
                            "'# LINE \"FILE\"' (run cpp first for #include/#define)")
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl + 1


def _find_port_end(text: str, i: int, n: int) -> int:
    while i < n:
        c = text[i]
        if c == "]":
            return i
        if c == "/" and i + 1 < n and text[i + 1] in "/*":
            i = skip_comment(text, i, n)
        elif c in "[{}();":
            return -1
        else:
            i += 1
    return -1
