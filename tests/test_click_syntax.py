"""Click language, lexical level: tokens, configuration strings, ports, arguments, variables."""
import pytest

from flowmagec.errors import InputError
from flowmagec.frontends.click_config import (VarEnv, argvec, cp_expand, find_config_end,
                                              element_keyword, keyword_split, split_args)
from flowmagec.frontends.click_lexer import parse_port, tokenize
from flowmagec.frontends.click_parse import ConnNode, ElementClassNode, parse_text


def kinds(text):
    return [(t.type, str(t)) for t in tokenize(text, "t.click")]


def test_identifiers_with_slash_and_at():
    assert kinds("a/b@1 -> c") == [("IDENT", "a/b@1"), ("ARROW", "->"), ("IDENT", "c")]
    # '/' must sit between identifier characters; '//' starts a comment
    assert kinds("a//b\nc") == [("IDENT", "a"), ("IDENT", "c")]


def test_slash_at_end_is_not_part_of_identifier():
    with pytest.raises(InputError) as e:
        list(tokenize("a/ -> b", "t.click"))
    assert e.value.span.col == 2


def test_reserved_words_and_provide_rejected():
    assert [t.type for t in tokenize("elementclass require define", "t")] == \
        ["ELEMENTCLASS", "REQUIRE", "DEFINE"]
    with pytest.raises(InputError) as e:
        parse_text("x :: Idle;\nprovide(foo);", "p.click")
    assert (e.value.span.line, e.value.span.col) == (2, 1)


def test_arrows_and_context_arrows():
    assert [t.type for t in tokenize("a -> b => c ~> d ~ip> e ~/ip> f :: || ...", "t")] == [
        "IDENT", "ARROW", "IDENT", "DARROW", "IDENT", "CARROW", "IDENT", "CARROW", "IDENT",
        "CARROW", "IDENT", "DCOLON", "DBAR", "DOTS"]


def test_comments_and_line_directives_are_skipped():
    text = "// one\n/* two\n */ a\n# 12 \"x.click\"\nb"
    assert [str(t) for t in tokenize(text, "t")] == ["a", "b"]


def test_hash_not_at_line_start_is_an_error():
    with pytest.raises(InputError):
        list(tokenize("a # b", "t"))


def test_config_token_after_class_even_across_newline():
    toks = kinds("Queue\n  (10) -> (x)")
    assert toks[:2] == [("IDENT", "Queue"), ("CONFIG", "10")]
    # after an arrow '(' opens a group
    assert toks[3] == ("LPAR", "(")


def test_config_after_compound_but_group_after_elementclass_body():
    t1 = kinds("{ -> }(3)")
    assert ("CONFIG", "3") in t1
    t2 = kinds("elementclass A { -> } (x)")
    assert ("LPAR", "(") in t2


@pytest.mark.parametrize("text,end", [
    ("a(b)c)", 5),
    ("\"(\")", 3),
    ("'(')", 3),
    ("/* ( */)", 7),
    ("// (\n)", 5),
    ("\\<28>)", 5),          # \<hex> protects a paren byte
    ("\"a\\\")\")", 6),       # escaped quote inside double quotes
])
def test_config_end_counts_only_unprotected_parens(text, end):
    assert find_config_end(text, 0) == end


def test_unbalanced_config_is_reported_at_its_paren():
    with pytest.raises(InputError) as e:
        parse_text("a :: Queue(\n 10 \"x\" (", "u.click")
    err = e.value
    assert (err.span.line, err.span.col) == (1, 11)
    assert "')'" in err.expected


def test_argvec_like_cp_argvec():
    assert argvec("a, b, c") == ["a", "b", "c"]
    assert argvec("  a /*?*/ b,  c, ") == ["a b", "c"]
    assert argvec('"x, y" // ?') == ['"x, y"']
    assert argvec("A, , B") == ["A", "", "B"]
    assert argvec("f(1, 2)") == ["f(1", "2)"]     # not bracket-aware
    assert argvec("a,") == ["a"]                  # empty last argument dropped
    assert argvec(",") == [""]
    assert argvec("") == []


def test_split_args_offsets_point_into_raw_text():
    raw = " X 1 , /* c */ Y  2,\n  z"
    got = [(a.text, raw[a.start:a.end]) for a in split_args(raw)]
    assert got == [("X 1", "X 1"), ("Y  2", "Y  2"), ("z", "z")]


def test_keyword_detection_like_args():
    assert keyword_split("PORT 0") == ("PORT", 5)
    assert keyword_split("N_QUEUES  4") == ("N_QUEUES", 10)
    assert keyword_split("A.B:c?! v") == ("A.B:c?!", 8)
    assert keyword_split("PORT") is None          # no value
    assert keyword_split("12/0800 x") is None     # must start with a letter or '_'
    assert keyword_split("a-b c") is None


@pytest.mark.parametrize("inner,ports", [
    ("0", [0]), ("2", [2]), ("0,1", [0, 1]), ("0-2", [0, 1, 2]), ("1-2, 5", [1, 2, 5]),
    ("", [0, -1]), ("3,", [3, -1]), (" /* c */ 1 ", [1]),
])
def test_port_lists(inner, ports):
    assert parse_port("t", inner, 0, len(inner)) == ports


def test_bad_port_reports_column():
    with pytest.raises(InputError) as e:
        parse_port("t", "[0, x]", 1, 5)
    assert e.value.span.col == 5


def env(**kv):
    e = VarEnv()
    for k, v in kv.items():
        e.define(k, v)
    return e


@pytest.mark.parametrize("text,out", [
    ("$a", "1"), ("${a}", "1"), ("x$a.y", "x1.y"), ("${zz-def}", "def"), ("${a-def}", "1"),
    ("${l[0]} ${l[2]}", "p r"), ("$zz", "$zz"), ("${zz}", "${zz}"),
    ("'$a'", "'$a'"), ('"$a"', '"1"'), ('"$q"', '"say \\"hi\\""'), ("$$", "$$"),
    ("${self:$NIC:pci}", "${self:$NIC:pci}"), ("$r", "1-1"), ("// $a\n$a", "// $a\n1"),
])
def test_variable_expansion(text, out):
    assert cp_expand(text, env(a="1", l="p q r", q='say "hi"', r="$a-$a")) == out


def test_scoped_environment_lookup_and_override():
    root = env(x="root")
    inner = VarEnv(root)
    inner.define("y", "in")
    assert cp_expand("$x $y", inner) == "root in"
    assert not root.define("x", "cli", override=True)
    assert cp_expand("$x", inner) == "cli"


def test_parse_keeps_statement_structure():
    stmts = parse_text("a :: A -> b :: B\nc -> d; elementclass E { $x | -> Print($x) -> }", "t")
    assert [type(s) for s in stmts] == [ConnNode, ConnNode, ElementClassNode]
    body = stmts[2].compound.bodies[0]
    assert [str(v) for _t, v in body.formals] == ["$x"]
    assert body.stmts[0].lead is not None and body.stmts[0].trail is not None


def test_line_directives_must_be_well_formed():
    assert [str(t) for t in tokenize('#line 5 "a.click"\nx', "t")] == ["x"]
    with pytest.raises(InputError, match="unknown preprocessor directive") as e:
        list(tokenize('x;\n#include "B"\ny', "t"))
    assert (e.value.span.line, e.value.span.col) == (2, 1)


@pytest.mark.parametrize("arg, expected", [
    ("CAPACITY 10", ("CAPACITY", 9)), ("N_QUEUES  4", ("N_QUEUES", 10)),
    ("A.B:C?! v", ("A.B:C?!", 8)), ("_X1 y", ("_X1", 4)),
    ("pattern 1.2.3.4 - - -", None),      # lower case: positional (IPRewriter patterns)
    ("Capacity 10", None), ("A1b c", None), ("12/0800 x", None), ("1A x", None),
    ("PORT", None), ("___ x", None),
])
def test_element_keywords_are_upper_case_words(arg, expected):
    assert element_keyword(arg) == expected


def _shape(x):
    """A comparable form of a syntax tree (tokens with their types and offsets)."""
    from lark import Token
    if isinstance(x, Token):
        return (x.type, str(x), x.start_pos, x.end_pos)
    if isinstance(x, (list, tuple)):
        return [_shape(i) for i in x]
    if hasattr(x, "__dict__"):
        attrs = {k: v for k, v in vars(x).items()}
        return (type(x).__name__, {k: _shape(v) for k, v in sorted(attrs.items())})
    return x


def test_lean_driver_builds_what_larks_own_parser_builds():
    """click_lalr runs Lark's table with its own loop: same trees as Lark's parser."""
    import glob
    import os
    from importlib import resources
    from lark import Lark
    from flowmagec.frontends import click_parse
    from flowmagec.frontends.click_lexer import ClickLexer
    grammar = resources.files("flowmagec.grammar").joinpath("click.lark").read_text()
    lark = Lark(grammar, parser="lalr", lexer=ClickLexer, transformer=click_parse._Build(),
                maybe_placeholders=False)
    data = os.path.join(os.path.dirname(__file__), "data", "click")
    files = glob.glob(os.path.join(data, "**", "*.click"), recursive=True)
    assert len(files) >= 8
    for path in files:
        with open(path) as fh:
            text = fh.read()
        assert _shape(click_parse.parse_text(text, path)) == _shape(lark.parse(text)), path
