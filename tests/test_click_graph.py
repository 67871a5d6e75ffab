"""Click frontend, graph level: flattening, names, compounds, libraries, defines, spans."""
import json
import os
import textwrap

import pytest

from flowmagec import frontends
from flowmagec.artifacts import Chain
from flowmagec.frontends.click import known_classes, load
from flowmagec.frontends.click_classes import classes_in_elementmap, classes_in_source

DATA = os.path.join(os.path.dirname(__file__), "data", "click")
GOLDEN = sorted(f[:-6] for f in os.listdir(DATA) if f.endswith(".click")
                and os.path.exists(os.path.join(DATA, f[:-6] + ".golden.json")))


def summary(chain: Chain) -> dict:
    return {"elements": sorted([e.name, e.cls, e.config] for e in chain.elements),
            "connections": sorted([c.src, c.src_port, c.dst, c.dst_port, c.arrow]
                                  for c in chain.connections)}


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_flattening(name):
    chain = load(os.path.join(DATA, name + ".click"))
    with open(os.path.join(DATA, name + ".golden.json")) as fh:
        assert summary(chain) == json.load(fh)


def write(tmp_path, text, name="c.click"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def test_anonymous_names_follow_click_numbering(tmp_path):
    # Anonymous elements are named Class@N with N their position in the table.
    chain = load(write(tmp_path, "a :: Idle; Idle -> Discard; b :: Idle; Discard;"))
    assert [e.name for e in chain.elements] == ["a", "Idle@2", "Discard@3", "b", "Discard@5"]


def test_anonymous_name_collision_is_bumped(tmp_path):
    chain = load(write(tmp_path, "Idle@2 :: Idle; Idle -> Idle@2;"))
    assert sorted(e.name for e in chain.elements) == ["Idle@2", "Idle@3"]


def test_multi_declaration_spreads_class_and_config(tmp_path):
    chain = load(write(tmp_path, "a, b :: Queue(5); a -> c;"))
    assert chain.element("a").config == chain.element("b").config == "5"
    # 'c' used before its declaration: Click calls it undeclared; we warn and
    # keep it as an anonymous element of unknown class 'c'
    assert chain.element("c@3").cls == "c"
    assert any("undeclared element 'c'" in d.message for d in chain.diagnostics)


def test_in_a_connection_only_the_last_name_is_declared(tmp_path):
    chain = load(write(tmp_path, "n1 :: Idle; n1, n2 :: Queue -> Discard;"))
    assert chain.element("n1").cls == "Idle" and chain.element("n2").cls == "Queue"
    assert {(c.src, c.dst) for c in chain.connections} == {("n1", "Discard@3"), ("n2", "Discard@3")}


def test_compound_members_are_named_outer_inner_and_nest(tmp_path):
    chain = load(write(tmp_path, """
        elementclass In { input -> q :: Queue -> output }
        elementclass Out { input -> i :: In -> c :: Counter -> output }
        Idle -> o :: Out -> Discard;
    """))
    names = [e.name for e in chain.elements]
    assert "o/i/q" in names and "o/c" in names
    edges = {(c.src, c.dst) for c in chain.connections}
    assert edges == {("Idle@1", "o/i/q"), ("o/i/q", "o/c"), ("o/c", "Discard@3")}
    assert chain.element("o/i/q").attrs["declared_in"] == "In"


def test_compound_overload_by_argument_count(tmp_path):
    chain = load(write(tmp_path, """
        elementclass P { $a | input -> Paint($a) -> output
                      || $a, $b | input -> Paint($a, $b) -> output }
        Idle -> P(1) -> P(2, 3) -> Discard;
    """))
    configs = sorted(e.config for e in chain.elements if e.cls == "Paint")
    assert configs == ["1", "2, 3"]


def test_compound_elementclass_is_lexically_scoped(tmp_path):
    chain = load(write(tmp_path, """
        elementclass Outer { elementclass Inner { -> Paint(9) -> } -> Inner -> }
        Idle -> Outer -> Discard;
        Inner :: Idle;   // 'Inner' is not a class out here: an element name
    """))
    assert chain.element("Inner").cls == "Idle"
    assert any(e.name.endswith("Paint@1") for e in chain.elements)


def test_library_resolved_relative_to_including_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "lib.click").write_text("elementclass L { -> Paint(5) -> }\nlibelem :: Idle;\n")
    (tmp_path / "sub" / "main.click").write_text("require(library lib.click)\nlibelem -> L -> Discard;\n")
    chain = load(str(tmp_path / "sub" / "main.click"))
    assert [os.path.basename(f) for f in chain.files] == ["main.click", "lib.click"]
    assert chain.requires == ["library lib.click"]
    span = chain.element("L@2/Paint@1").decl_span
    assert os.path.basename(span.file) == "lib.click" and span.line == 1


def test_defines_override_like_click_command_line(tmp_path):
    p = write(tmp_path, "define($n 1)\nIdle -> Queue($n) -> Discard;")
    assert load(p).element("Queue@2").config == "1"
    assert load(p, defines={"n": "7"}).element("Queue@2").config == "7"
    assert load(p, defines={"extra": "x"}).element("Queue@2").config == "1"


def test_unknown_class_is_a_warning_with_location(tmp_path):
    chain = load(write(tmp_path, "x :: NoSuchElementClass(1);\nIdle -> x;"))
    assert chain.element("x").cls == "NoSuchElementClass"
    (d,) = [d for d in chain.diagnostics if "NoSuchElementClass" in d.message]
    assert d.severity == "warning" and (d.span.line, d.span.col) == (1, 6)


def test_class_knowledge_decides_anonymous_vs_reference(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "myelem.hh").write_text('class MyElem : public Element { public:\n'
                                   '  const char *class_name() const override { return "MyElem"; }\n};\n')
    (src / "other.cc").write_text("EXPORT_ELEMENT(OtherElem)\n")
    assert {"MyElem", "OtherElem"} <= classes_in_source(str(src))
    p = write(tmp_path, "MyElem -> OtherElem -> Discard;")
    chain = load(p, src_dirs=[str(src)])
    assert [e.cls for e in chain.elements] == ["MyElem", "OtherElem", "Discard"]
    assert not chain.diagnostics
    assert "MyElem" in known_classes([str(src)]) and "MyElem" not in known_classes()


def test_elementmap_classes(tmp_path):
    emap = tmp_path / "elementmap.xml"
    emap.write_text('<?xml version="1.0"?><elementmap xmlns="http://www.lcdf.org/click/xml/">'
                    '<entry name="FromMap" cxxclass="FromMap" /></elementmap>')
    assert classes_in_elementmap(str(emap)) == {"FromMap"}


def test_argument_spans_and_keywords_point_into_the_file(tmp_path):
    text = "src :: FromDPDKDevice(0, N_QUEUES 4,\n   /* c */ BURST  32);\nsrc -> Discard;"
    p = write(tmp_path, text)
    e = load(p).element("src")
    assert [(a.keyword, a.value) for a in e.args] == [(None, "0"), ("N_QUEUES", "4"), ("BURST", "32")]
    burst = e.keyword("BURST")
    assert text[burst.span.start:burst.span.end] == "BURST  32"
    assert text[burst.value_span.start:burst.value_span.end] == "32"
    assert (burst.span.line, burst.span.col) == (2, 12)
    assert text[e.class_span.start:e.class_span.end] == "FromDPDKDevice"
    assert text[e.config_span.start:e.config_span.end] == "0, N_QUEUES 4,\n   /* c */ BURST  32"
    assert text[e.decl_span.start:e.decl_span.end].startswith("src :: FromDPDKDevice(")


def test_arguments_through_variables_keep_expanded_values(tmp_path):
    p = write(tmp_path, "define($q 8)\nFromDevice(eth0, N_QUEUES $q) -> Discard;")
    arg = load(p).element("FromDevice@1").keyword("N_QUEUES")
    assert arg.value == "8"
    assert open(p).read()[arg.value_span.start:arg.value_span.end] == "$q"


def test_variable_expanding_into_several_arguments_keeps_spans(tmp_path):
    text = ("elementclass P { $first, __REST__ $rest |\n"
            "  input -> p :: Print(HEAD, $rest, TAIL) -> output }\n"
            "Idle -> P(1, CAPACITY 5, BURST 3) -> Discard;\n")
    p = write(tmp_path, text)
    args = load(p).element("P@2/p").args
    assert [(a.keyword, a.value) for a in args] == \
        [(None, "HEAD"), ("CAPACITY", "5"), ("BURST", "3"), (None, "TAIL")]
    # the two arguments of $rest both point at "$rest"; the others at themselves
    assert [text[a.span.start:a.span.end] for a in args] == ["HEAD", "$rest", "$rest", "TAIL"]
    assert [text[a.value_span.start:a.value_span.end] for a in args] == \
        ["HEAD", "$rest", "$rest", "TAIL"]
    assert (args[3].span.line, args[3].span.col) == (2, 36)


def test_variable_expanding_into_no_argument(tmp_path):
    text = "elementclass P { __REST__ $r | input -> p :: Print(X, $r) -> output }\n" \
           "Idle -> P -> Discard;\n"
    args = load(write(tmp_path, text)).element("P@2/p").args
    assert [a.text for a in args] == ["X"]
    assert text[args[0].span.start:args[0].span.end] == "X"


def test_chain_json_round_trip_and_graph(tmp_path):
    chain = load(os.path.join(DATA, "basic.click"))
    again = Chain.from_json(chain.to_json())
    assert again == chain
    g = chain.graph()
    assert g.number_of_nodes() == len(chain.elements)
    assert g.has_edge("src", "cls")


def test_frontend_dispatch_by_extension():
    chain = frontends.load(os.path.join(DATA, "ports.click"))
    assert chain.framework == "fastclick" and chain.schema == "flowmage.chain/1"


def test_anonymous_compound_with_configuration(tmp_path):
    chain = load(write(tmp_path, "Idle -> { $x | input -> Paint($x) -> output }(4) -> Discard;"))
    assert [(e.name, e.config) for e in chain.elements] == \
        [("Idle@1", ""), ("Discard@3", ""), ("@2/Paint@1", "4")]


def test_requirements_are_recorded(tmp_path):
    chain = load(os.path.join(DATA, "defines.click"))
    assert chain.requires == ["package fastclick", "library lib/common.click", "compact_config",
                              "library lib/common.click"]
    assert [os.path.basename(f) for f in chain.files] == ["defines.click", "common.click"]


def test_element_order_matches_click(tmp_path):
    # file-level elements first, in declaration order; compound members after, as expanded
    chain = load(os.path.join(DATA, "compound.click"))
    names = [e.name for e in chain.elements]
    assert names[:4] == ["src", "Discard@5", "Discard@6", "Discard@9"]
    assert names.index("cq/c") < names.index("f/Paint@1") < names.index("sp/t")


def test_define_inside_group_and_compound_scopes(tmp_path):
    chain = load(write(tmp_path, """
        define($v outer)
        elementclass K { define($v inner) input -> Print($v) -> output }
        Idle -> K -> Print($v) -> Discard;
    """))
    assert sorted(e.config for e in chain.elements if e.cls == "Print") == ["inner", "outer"]
