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
from typing import Iterator

from lark import Token
from lark.lexer import Lexer

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

# Token(type, value, start_pos, line, column, end_line, end_column, end_pos) without the
# keyword-argument compatibility shim of Token.__new__ (same positional signature).
_NEW_TOKEN = getattr(Token, "_future_new", Token)

_LINE_DIRECTIVE = re.compile(r"#[ \t]*(?:line[ \t]+)?\d")
_PORT_WORD = re.compile(r"[A-Za-z0-9_@]+")
_OPS = {"->": "ARROW", "=>": "DARROW", "::": "DCOLON", "||": "DBAR", "...": "DOTS"}
_CHARS = {"{": "LBRACE", "}": "RBRACE", "(": "LPAR", ")": "RPAR", ",": "COMMA",
          ";": "SEMI", "|": "BAR", "[": "LSQB"}

# Tokens after which "(" begins a configuration string rather than a group.
_CONFIG_AFTER = {"IDENT", "REQUIRE", "DEFINE"}


class ClickSource(str):
    """The text handed to Lark, carrying the file name for error messages."""
    path: str = "<config>"

    @classmethod
    def of(cls, text: str, path: str) -> "ClickSource":
        s = cls(text)
        s.path = path
        return s


class LineIndex:
    """Offset -> (line, column), both 1-based, via a sorted list of line starts."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1


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
    """Lark custom lexer: yields Click tokens with exact byte offsets."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, text, *_unused) -> Iterator[Token]:
        # Lark hands custom lexers the text object it was given (our ClickSource).
        path = getattr(text, "path", "<config>")
        return tokenize(text, path)


def tokenize(text: str, path: str = "<config>") -> Iterator[Token]:
    n = len(text)
    pos = 0
    prev = ""            # type of the previous significant token
    prev2 = ""
    braces: list[bool] = []   # True for an elementclass body
    closed_class = False      # the last "}" closed an elementclass body
    match = _TOKEN_RE.match
    new = _NEW_TOKEN
    while True:
        m = match(text, pos)
        kind = m.lastgroup
        if kind == "end":
            return
        pos = m.start(kind)
        end = m.end()
        c = text[pos]
        if c == "#" and (pos == 0 or text[pos - 1] in "\n\r"):
            if not _LINE_DIRECTIVE.match(text, pos):
                raise _syntax_error(path, text, pos, "unknown preprocessor directive",
                                    "'# LINE \"FILE\"' (run cpp first for #include/#define)")
            nl = text.find("\n", pos)
            pos = n if nl < 0 else nl + 1
            continue
        if kind == "ident":
            word = m.group(kind)
            ttype = RESERVED.get(word, "IDENT")
            if ttype == "PROVIDE":
                raise _syntax_error(path, text, pos, "'provide' is not allowed in a configuration",
                                    "an element, connection or declaration", len(word))
            tok = new(ttype, word, pos, None, None, None, None, end)
        elif kind == "comment":
            pos = skip_comment(text, pos, n)
            continue
        elif kind == "variable":
            tok = new("VARIABLE", m.group(kind), pos, None, None, None, None, end)
        elif kind == "carrow":
            tok = new("CARROW", m.group(kind), pos, None, None, None, None, end)
        elif kind == "op":
            op = m.group(kind)
            tok = new(_OPS[op], op, pos, None, None, None, None, end)
        else:
            if c == "~":
                raise _syntax_error(path, text, pos, "bad context arrow", "'~>' or '~name>'")
            ttype = _CHARS.get(c)
            if ttype is None:
                raise _syntax_error(path, text, pos, f"unexpected character '{c}'",
                                    "an element, connection or declaration")
            if ttype == "LPAR" and (prev in _CONFIG_AFTER or (prev == "RBRACE" and not closed_class)):
                close = find_config_end(text, pos + 1)
                if close < 0:
                    raise _syntax_error(path, text, pos, "unbalanced '(' in configuration string",
                                        "')'")
                tok = new("CONFIG", text[pos + 1:close], pos + 1, None, None, None, None, close)
                end = close + 1
            elif ttype == "LSQB":
                close = _find_port_end(text, pos + 1, n)
                if close < 0:
                    raise _syntax_error(path, text, pos, "unterminated port list", "']'")
                tok = new("PORT", text[pos:close + 1], pos, None, None, None, None, close + 1)
                end = close + 1
            else:
                if ttype == "LBRACE":
                    braces.append(prev == "IDENT" and prev2 == "ELEMENTCLASS")
                elif ttype == "RBRACE":
                    closed_class = braces.pop() if braces else False
                tok = new(ttype, c, pos, None, None, None, None, end)
        prev2, prev = prev, tok.type
        pos = end
        yield tok


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
