"""Click frontend errors: file:line:col, what was expected, exit code 2 from the CLI."""
import json
import re
import textwrap

import pytest

from flowmagec.cli import main
from flowmagec.errors import InputError
from flowmagec.frontends.click import load
from helpers import assert_error_at


def load_text(tmp_path, text):
    p = tmp_path / "e.click"
    p.write_text(textwrap.dedent(text))
    return load(str(p))


@pytest.mark.parametrize("text,line,col,words", [
    ("a :: Queue(10;\n", 1, 11, "unbalanced"),
    ("a :: Queue\nb :: ;", 2, 6, "syntax error"),
    ("a -> [x]b;", 1, 7, "port number"),
    ("a :: Idle;\nprovide(p);", 2, 1, "provide"),
    ("define($x 1)\ndefine($y 2, $x 3)", 2, 14, "multiply defined"),
    ("define(x 1)", 1, 8, "not a variable"),
    ("elementclass C { $a, $a | -> }", 1, 22, "multiply defined"),
    ("elementclass C { KEY $a, $b | -> }", 1, 26, "out of order"),
    ("elementclass C { $a | -> }\nIdle -> C(1, 2) -> Discard;", 2, 9, "no match"),
    ("a, b :: Idle;\na [0,1,2] -> [0,1,2] b;", 2, 11, "=>"),
    ("a, b :: Idle;\na [0,1] => [0,1,2] b;", 2, 9, "mismatch"),
    ("-> Discard;", 1, 1, "without an element"),
    ("a :: Idle;\na :: Queue;", 2, 1, "redeclaration"),
    ("Queue :: Queue;", 1, 1, "used as element name"),
    ("1 :: Idle;", 1, 1, "all-digit"),
    ("a :: Idle; a(3) -> Discard;", 1, 13, "configuration string ignored"),
    ("require(library nothere.click)", 1, 9, "not found"),
    ("elementclass X { ... }", 1, 18, "syntax error"),
    ("elementclass C { input[1] -> Discard }", 1, 16, "input 0 missing"),
    ("elementclass C {\n  output -> Discard }", 1, 16, "may only be used as input"),
    ("x :: Idle\nx ~ Print", 2, 3, "context arrow"),
    ("elementclass G { input -> output }\ng :: G; Idle -> g -> Discard;\nIdle -> [1]g;", 3, 6,
     "'g' has no input 1"),
    ("elementclass A { input -> Paint(1) -> output }\nIdle -> a :: A;", 1, 36, "output 0 unused"),
    ("elementclass A { input -> Paint(1) -> output }\na :: A -> Discard;", 1, 24, "input 0 unused"),
])
def test_syntax_and_semantic_errors_have_locations(tmp_path, text, line, col, words):
    with pytest.raises(InputError) as e:
        load_text(tmp_path, text)
    assert_error_at(e.value, line, col, words)


def test_expected_tokens_are_in_words(tmp_path):
    with pytest.raises(InputError) as e:
        load_text(tmp_path, "a :: ;")
    assert "element or class name" in e.value.expected


def test_cli_reports_error_with_caret_and_exit_2(tmp_path, capsys):
    p = tmp_path / "bad.click"
    p.write_text("ok :: Idle;\nx :: Queue(\n")
    assert main(["parse", str(p)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{p}:2:11: error: unbalanced '(' in configuration string (expected ')')"
    assert err[1] == "x :: Queue("
    assert err[2] == " " * 10 + "^"


def test_cli_parse_json_is_schema_versioned(tmp_path, capsys):
    p = tmp_path / "ok.click"
    p.write_text("define($n 3)\nsrc :: Idle -> Queue($n) -> Discard;\n")
    assert main(["parse", str(p), "--json", "-D", "n=5"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "flowmage.chain/1" and data["framework"] == "fastclick"
    assert [e["name"] for e in data["elements"]] == ["src", "Queue@2", "Discard@3"]
    assert data["elements"][1]["config"] == "5"


def test_cli_parse_summary_lists_elements_and_warnings(tmp_path, capsys):
    p = tmp_path / "s.click"
    p.write_text("a :: Mystery; a -> Discard;\n")
    assert main(["parse", str(p)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  a +:: Mystery\(\)", out, re.M) and "a [0] -> [0] Discard@2" in out
    assert "warning: unknown element class 'Mystery'" in out
