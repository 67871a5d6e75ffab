"""Click syntax: Lark LALR parser (grammar/click.lark) -> a small syntax tree.

The syntax tree keeps every token (with byte offsets) the elaborator and the
editor need; it does no name resolution (that is click_elab's job, because in
Click whether ``Foo`` is a class or an element depends on what came before).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Optional, Union

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import InputError, span_at
from .click_lalr import LeanLALR
from .click_lexer import ClickLexer, tokenize
from .deep import MAX_NESTING

# --------------------------------------------------------------------------
# Syntax tree
# --------------------------------------------------------------------------


@dataclass(eq=False)
class CompoundBody:
    formals: list[tuple[Optional[Token], Token]]   # (keyword type or None, $variable)
    stmts: list


@dataclass(eq=False)
class CompoundNode:
    lbrace: Token
    rbrace: Token
    bodies: list[CompoundBody]
    extension: bool = False


class ElemNode:
    """One element in a connection or declaration, as written.

    A plain class rather than a dataclass: large configurations have one per
    element, and only the attributes that differ from the class defaults below
    are set per instance."""
    kind: str                               # 'named' | 'compound' | 'group' | 'implicit'
    start: int
    end: int
    in_port: Optional[Token] = None         # PORT token before the element
    out_port: Optional[Token] = None        # PORT token after it
    ident: Optional[Token] = None           # name (or class, for anonymous elements)
    has_decl: bool = False                  # '::' present
    decl_class: Optional[Token] = None      # class after '::'
    decl_compound: Optional[CompoundNode] = None
    config: Optional[Token] = None          # CONFIG token (text inside the parentheses)
    compound: Optional[CompoundNode] = None  # anonymous compound '{...}'
    stmts: tuple = ()                       # group body
    incoming: bool = False                  # preceded by an arrow in its connection
    in_list: bool = False                   # one of several comma-separated elements

    def __init__(self, kind: str, start: int, end: int, **attrs):
        self.kind = kind
        self.start = start
        self.end = end
        for name, value in attrs.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"ElemNode({self.kind}, {self.start}, {self.end})"


@dataclass(eq=False)
class ConnNode:
    lists: list[list[ElemNode]]
    arrows: list[Token]                     # arrows[i] joins lists[i] and lists[i+1]
    lead: Optional[Token] = None            # leading arrow (implicit 'input')
    trail: Optional[Token] = None           # trailing arrow (implicit 'output')


@dataclass(eq=False)
class ElementClassNode:
    keyword: Token
    name: Token
    compound: Optional[CompoundNode] = None
    synonym: Optional[Token] = None


@dataclass(eq=False)
class RequireNode:
    keyword: Token
    config: Token


@dataclass(eq=False)
class DefineNode:
    keyword: Token
    config: Token


Stmt = Union[ConnNode, ElementClassNode, RequireNode, DefineNode]

_ARROWS = ("ARROW", "DARROW", "CARROW")


class _Build:
    """Builds the syntax tree while the LALR parser reduces (no parse tree kept).

    Each method receives the children of one rule, tokens included (children of
    rules whose names start with '_' are spliced in, as in Lark)."""

    def start(self, items):
        return [i for i in items if not isinstance(i, Token)]

    def connection(self, items):
        lists, arrows, lead, trail = [], [], None, None
        pending = None
        for it in items:
            if isinstance(it, Token):
                if not lists:
                    lead = it
                pending = it
            else:
                if lists:
                    arrows.append(pending)
                if pending is not None:
                    for e in it:
                        e.incoming = True
                pending = None
                lists.append(it)
        if pending is not None:
            trail = pending
        return ConnNode(lists, arrows, lead, trail)

    def elist(self, items):
        if len(items) == 1:
            return items
        nodes = items[::2]          # elem (COMMA elem)*
        for n in nodes:
            n.in_list = True
        return nodes

    def implicit(self, items):
        p = items[0]
        return ElemNode("implicit", p.start_pos, p.end_pos, in_port=p)

    def named(self, items):
        """PORT? IDENT (DCOLON (IDENT | compound))? CONFIG? PORT?"""
        n = len(items)
        first = items[0]
        i = 1 if first.type == "PORT" else 0
        ident = items[i]
        node = ElemNode("named", ident.start_pos, ident.end_pos)
        node.ident = ident
        if i:
            node.in_port = first
            node.start = first.start_pos
        i += 1
        if i < n and items[i].type == "DCOLON":
            node.has_decl = True
            decl = items[i + 1]
            if isinstance(decl, CompoundNode):
                node.decl_compound = decl
                node.end = decl.rbrace.end_pos
            else:
                node.decl_class = decl
                node.end = decl.end_pos
            i += 2
        if i < n and items[i].type == "CONFIG":
            node.config = items[i]
            node.end = items[i].end_pos + 1
            i += 1
        if i < n:                           # output PORT
            node.out_port = items[i]
            node.end = items[i].end_pos
        return node

    @staticmethod
    def _ports(node: "ElemNode", items, first: int, last: int) -> "ElemNode":
        """Attach the PORT tokens before ``items[first]`` and after ``items[last]``."""
        if first > 0:
            node.in_port = items[0]
            node.start = items[0].start_pos
        if last + 1 < len(items):
            node.out_port = items[-1]
            node.end = items[-1].end_pos
        return node

    def anon_compound(self, items):
        first = 1 if isinstance(items[0], Token) else 0
        comp = items[first]
        node = ElemNode("compound", comp.lbrace.start_pos, comp.rbrace.end_pos, compound=comp)
        last = first
        if first + 1 < len(items) and items[first + 1].type == "CONFIG":
            node.config = items[first + 1]
            node.end = node.config.end_pos + 1
            last = first + 1
        return self._ports(node, items, first, last)

    def group(self, items):
        first = 1 if items[0].type == "PORT" else 0
        last = len(items) - 1 if items[-1].type == "RPAR" else len(items) - 2
        lpar, rpar = items[first], items[last]
        stmts = [i for i in items[first + 1:last] if not isinstance(i, Token)]
        node = ElemNode("group", lpar.start_pos, rpar.end_pos, stmts=stmts, ident=lpar)
        return self._ports(node, items, first, last)

    def compound(self, items):
        lbrace, rbrace = items[0], items[-1]
        bodies = [i for i in items if isinstance(i, CompoundBody)]
        ext = any(i is _EXTENSION for i in items)
        return CompoundNode(lbrace, rbrace, bodies, ext)

    def extension(self, items):
        return _EXTENSION

    def body(self, items):
        formals = []
        stmts = []
        for it in items:
            if isinstance(it, _Formals):
                formals = it.items
            elif not isinstance(it, Token):
                stmts.append(it)
        return CompoundBody(formals, stmts)

    def formals(self, items):
        return _Formals([i for i in items if isinstance(i, tuple)])

    def formal(self, items):
        return (items[0], items[1]) if len(items) == 2 else (None, items[0])

    def elementclass(self, items):
        return ElementClassNode(items[0], items[1], compound=items[2])

    def synonym(self, items):
        return ElementClassNode(items[0], items[1], synonym=items[2])

    def require(self, items):
        return RequireNode(items[0], items[1])

    def define(self, items):
        return DefineNode(items[0], items[1])


_EXTENSION = object()       # marks "|| ..." in a compound's children


class _Formals:
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


@lru_cache(maxsize=1)
def _parser() -> LeanLALR:
    """Lark builds the LALR table from the grammar; LeanLALR runs it (see click_lalr)."""
    grammar = resources.files("flowmagec.grammar").joinpath("click.lark").read_text()
    lark = Lark(grammar, parser="lalr", lexer=ClickLexer, maybe_placeholders=False)
    return LeanLALR(lark, _Build())


# Human words for the terminals Lark reports as expected.
_WORDS = {
    "IDENT": "an element or class name", "VARIABLE": "a '$variable'",
    "CONFIG": "'(' configuration ')'", "PORT": "a port '[N]'",
    "ARROW": "'->'", "DARROW": "'=>'", "CARROW": "a context arrow '~>'",
    "DCOLON": "'::'", "DBAR": "'||'", "DOTS": "'...'", "LBRACE": "'{'", "RBRACE": "'}'",
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "SEMI": "';'", "BAR": "'|'",
    "ELEMENTCLASS": "'elementclass'", "REQUIRE": "'require'", "DEFINE": "'define'",
    "$END": "end of file",
}


def _expected_words(expected) -> str:
    words = sorted({_WORDS.get(e, e) for e in expected})
    if len(words) > 6:
        words = words[:6] + ["..."]
    return " or ".join(words) if words else "something else"


_OPENERS = frozenset(("LBRACE", "LPAR"))
_CLOSERS = frozenset(("RBRACE", "RPAR"))


def _nesting_checked(tokens, text: str, path: str):
    """The tokens, refusing compounds/groups nested deeper than MAX_NESTING."""
    depth = 0
    for tok in tokens:
        ttype = tok.type
        if ttype in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                raise InputError(f"nesting deeper than {MAX_NESTING} levels",
                                 span_at(path, text, tok.start_pos))
        elif ttype in _CLOSERS:
            depth -= 1
        yield tok


def parse_text(text: str, path: str) -> list[Stmt]:
    """Parse a whole Click file into statements; syntax errors raise InputError."""
    try:
        return _parser().parse(_nesting_checked(tokenize(text, path), text, path))
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            pos = len(text.rstrip()) or 0
            raise InputError("unexpected end of file", span_at(path, text, max(0, pos - 1)),
                             expected=_expected_words(e.expected)) from None
        length = max(1, (tok.end_pos or tok.start_pos + 1) - tok.start_pos)
        shown = str(tok) if tok.type != "CONFIG" else "(" + str(tok)[:20] + ")"
        pos = tok.start_pos - (1 if tok.type == "CONFIG" else 0)
        raise InputError(f"syntax error near '{shown.strip()}'", span_at(path, text, pos, length),
                         expected=_expected_words(e.expected)) from None
    except UnexpectedEOF as e:
        raise InputError("unexpected end of file", span_at(path, text, max(0, len(text) - 1)),
                         expected=_expected_words(e.expected)) from None
    except (UnexpectedCharacters, UnexpectedInput) as e:  # pragma: no cover - lexer is ours
        raise InputError(f"syntax error: {e}", span_at(path, text, getattr(e, "pos_in_stream", 0) or 0)) from None
