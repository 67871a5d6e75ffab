"""Artifacts round-trip through JSON; outputs are all-or-nothing; errors render with a caret."""
import json

import pytest

from flowmagec.artifacts import (Argument, Chain, Connection, Element, Evidence, Fact, Facts,
                                 FeatureSet, NFFeatures, NFPlacement, Plan, Span, Stage,
                                 canonical_fields)
from flowmagec.errors import InputError, span_at
from flowmagec.outputs import OutputSet


def test_chain_round_trip_keeps_nested_types():
    span = Span(file="a.click", start=3, end=9, line=1, col=4)
    chain = Chain(framework="fastclick", path="a.click",
                  elements=[Element(name="p", cls="IPolicer",
                                    args=[Argument(text="SIZE 10", keyword="SIZE", value="10", span=span)],
                                    decl_span=span)],
                  connections=[Connection(src="p", src_port=0, dst="q", dst_port=1)])
    back = Chain.from_json(chain.to_json())
    assert back == chain
    assert isinstance(back.elements[0].args[0].span, Span)
    assert back.graph().number_of_edges() == 1


def test_features_and_plan_round_trip():
    f = NFFeatures(name="X", stateful=True, key=["src_ip"], intensity="per-packet",
                   evidence={"key": [Evidence(file="x.cc", line=3, source="source.Key")]})
    fs = FeatureSet(nfs=[f])
    assert FeatureSet.from_json(fs.to_json()) == fs
    assert json.loads(fs.to_json())["schema"] == "flowmage.features/1"
    plan = Plan(fields=["src_ip"], placements=[NFPlacement(element="p", cls="X", mode="shared")],
                stages=[Stage(index=0, fields=["src_ip"])])
    assert Plan.from_json(plan.to_json()) == plan
    facts = Facts(nf="X", facts=[Fact(kind="state", value={"container": "_t"},
                                      evidence=Evidence(file="x.cc", line=1, source="s"))])
    assert Facts.from_json(facts.to_json()) == facts


def test_canonical_fields_orders_and_rejects_unknown():
    assert canonical_fields(["dst_port", "src_ip", "src_ip"]) == ["src_ip", "dst_port"]
    with pytest.raises(ValueError):
        canonical_fields(["src_mac"])


def test_output_set_is_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    with pytest.raises(RuntimeError):
        with OutputSet() as outs:
            outs.write(a, "A")
            raise RuntimeError("stage failed")
    assert not a.exists() and list(tmp_path.iterdir()) == []
    with OutputSet() as outs:
        outs.write(a, "A")
        outs.write(b, "B")
    assert a.read_text() == "A" and b.read_text() == "B"


def test_output_set_never_overwrites_inputs_or_existing_without_force(tmp_path):
    src = tmp_path / "chain.click"
    src.write_text("x")
    with pytest.raises(InputError, match="refusing to overwrite input"):
        OutputSet(protected=[str(src)], force=True).write(src, "y")
    with pytest.raises(InputError, match="--force"):
        OutputSet().write(src, "y")
    assert src.read_text() == "x"


def test_error_renders_file_line_col_and_caret(tmp_path):
    text = "a :: Foo(1);\nb :: Bar(2 -> c;\n"
    p = tmp_path / "bad.click"
    p.write_text(text)
    err = InputError("unbalanced '('", span=span_at(str(p), text, text.index("(2")),
                     expected="')'")
    out = err.render()
    assert out.splitlines()[0] == f"{p}:2:9: error: unbalanced '(' (expected ')')"
    assert out.splitlines()[1] == "b :: Bar(2 -> c;"
    assert out.splitlines()[2] == " " * 8 + "^"
    assert err.exit_code == 2
