"""A lean driver for the LALR(1) table Lark builds from grammar/click.lark.

Lark compiles the grammar and its parse table; this module only runs that
table.  Lark's own loop (``ParserState.feed_token``) pays, per token, for
hashing its ``Rule`` objects in Python, for a generic child filter per
reduction and for a ``Tree`` per inlined rule (``_stmt``, ``x*`` helpers).
Large generated configurations are tens of thousands of tokens, so here the
table is flattened once into integer-indexed lists, and each rule's
reduction calls the syntax builder directly with its children, inlined rules
(names starting with ``_``) spliced into their parent as Lark's tree builder
would.  The result is the same syntax tree, about twice as fast.

Syntax errors raise Lark's ``UnexpectedToken`` (token and expected terminals),
exactly as Lark's parser does, so callers handle both alike.
"""
from __future__ import annotations

from typing import Callable, Iterable

from lark import Lark, Token
from lark.exceptions import UnexpectedToken
from lark.parsers.lalr_analysis import Shift


class _Inlined(list):
    """Children of an inlined rule, to be spliced into the parent's children."""
    __slots__ = ()


class _Reduction:
    """One grammar rule: how many values it pops, what it builds, where it goes."""
    __slots__ = ("size", "build", "origin")

    def __init__(self, size: int, build: Callable[[list], object], origin: str):
        self.size = size
        self.build = build
        self.origin = origin


def _children_builder(expansion, make: Callable[[list], object]) -> Callable[[list], object]:
    """``make`` applied to the children with inlined rules' children spliced in."""
    inlined = [i for i, sym in enumerate(expansion)
               if not sym.is_term and sym.name.startswith("_")]
    if not inlined:
        return make
    if inlined == [0] and make is _Inlined:
        # Left-recursive helper "x+ -> x+ item..." (e.g. a connection's "(ARROW elist)*"):
        # grow the list in place, so a chain of n items costs O(n), not O(n^2).
        if len(expansion) == 2:
            def append(children: list):
                items = children[0]
                items.append(children[1])
                return items
            return append

        def extend(children: list):
            items = children[0]
            items.extend(children[1:])
            return items
        return extend
    positions = frozenset(inlined)

    def build(children: list):
        out = []
        for i, child in enumerate(children):
            if i in positions:
                out.extend(child)
            else:
                out.append(child)
        return make(out)
    return build


class LeanLALR:
    """Runs a Lark LALR parser's table over a token stream, calling ``builder``'s
    methods (named after rules or their ``-> alias``) at each reduction."""

    def __init__(self, lark: Lark, builder: object, start: str = "start"):
        try:
            table = lark.parser.parser.parser.parse_table    # ParsingFrontend > LALR_Parser > _Parser
        except AttributeError:      # pragma: no cover - a Lark release that moved it
            raise RuntimeError("this Lark release keeps its LALR table elsewhere; "
                               "flowmagec's Click parser needs lark 1.1.9 to 1.3") from None
        nstates = len(table.states)
        self.start_state = table.start_states[start]
        self.end_state = table.end_states[start]
        rules: dict = {}
        # actions[state][terminal]: state >= 0 to shift to, or ~rule index to reduce by
        self.actions: list[dict[str, int]] = [{} for _ in range(nstates)]
        self.gotos: list[dict[str, int]] = [{} for _ in range(nstates)]
        self.reductions: list[_Reduction] = []
        for state, row in table.states.items():
            for sym, (action, arg) in row.items():
                sym = str.__str__(sym)      # Lark's names are Tokens: slow to compare
                if not sym.isupper() and sym != "$END":        # nonterminal: a goto
                    self.gotos[state][sym] = arg
                elif action is Shift:
                    self.actions[state][sym] = arg
                else:
                    if arg not in rules:
                        rules[arg] = len(self.reductions)
                        self.reductions.append(self._reduction(arg, builder))
                    self.actions[state][sym] = ~rules[arg]

    @staticmethod
    def _reduction(rule, builder) -> _Reduction:
        name = rule.origin.name
        if name.startswith("_"):
            make = _Inlined
        else:
            make = getattr(builder, rule.alias or name)
        return _Reduction(len(rule.expansion), _children_builder(rule.expansion, make),
                          str.__str__(name))

    def parse(self, tokens: Iterable[Token]):
        actions, gotos, reductions = self.actions, self.gotos, self.reductions
        states = [self.start_state]
        values: list = []
        push_state, push_value = states.append, values.append
        token = None
        for token in tokens:
            ttype = token.type
            while True:
                act = actions[states[-1]].get(ttype)
                if act is None:
                    raise self._unexpected(token, states[-1])
                if act >= 0:
                    push_state(act)
                    push_value(token)
                    break
                red = reductions[~act]
                size = red.size
                if size:
                    children = values[-size:]
                    del values[-size:]
                    del states[-size:]
                else:
                    children = []
                push_value(red.build(children))
                push_state(gotos[states[-1]][red.origin])
        end = (Token.new_borrow_pos("$END", "", token) if token is not None
               else Token("$END", "", 0, 1, 1))
        while True:
            act = actions[states[-1]].get("$END")
            if act is None or act >= 0:
                raise self._unexpected(end, states[-1])
            red = reductions[~act]
            size = red.size
            children = values[-size:] if size else []
            if size:
                del values[-size:]
                del states[-size:]
            push_value(red.build(children))
            push_state(gotos[states[-1]][red.origin])
            if states[-1] == self.end_state:
                return values[-1]

    def _unexpected(self, token: Token, state: int) -> UnexpectedToken:
        expected = {t for t in self.actions[state]}
        return UnexpectedToken(token, expected)
