"""Span-preserving editing of Click configurations (ClickDocument)."""
import os
import shutil
import textwrap

import pytest

from flowmagec.errors import InputError
from flowmagec.frontends.click import ClickDocument

DATA = os.path.join(os.path.dirname(__file__), "data", "click")


def doc_of(tmp_path, text, name="c.click"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return ClickDocument.parse_file(str(p)), p


@pytest.mark.parametrize("name", sorted(f for f in os.listdir(DATA) if f.endswith(".click")))
def test_render_without_edits_is_byte_exact(name):
    path = os.path.join(DATA, name)
    with open(path, newline="") as fh:
        original = fh.read()
    doc = ClickDocument.parse_file(path)
    assert doc.render() == original
    assert doc.edited_files() == {}


def test_byte_exact_with_crlf_tabs_and_unicode(tmp_path):
    p = tmp_path / "w.click"
    p.write_bytes("// h\u00e9\r\nq :: Queue(\t10 ) ;\r\n\tq -> Discard\r\n".encode())
    doc = ClickDocument.parse_file(str(p))
    assert doc.render().encode() == p.read_bytes()
    doc.set_keyword("q", "CAPACITY", "5")
    assert doc.render() == "// h\u00e9\r\nq :: Queue(\t10, CAPACITY 5 ) ;\r\n\tq -> Discard\r\n"


def test_set_keyword_replaces_only_the_value(tmp_path):
    doc, _ = doc_of(tmp_path, """\
        src :: FromDPDKDevice(0, N_QUEUES   1 /* one */, BURST 32) // keep
        -> Discard;
    """)
    doc.set_keyword("src", "N_QUEUES", "8")
    assert doc.render().splitlines()[0] == \
        "src :: FromDPDKDevice(0, N_QUEUES   8 /* one */, BURST 32) // keep"
    assert doc.chain.element("src").keyword("N_QUEUES").value == "8"


def test_set_keyword_appends_or_creates_parentheses(tmp_path):
    doc, _ = doc_of(tmp_path, """\
        a :: Queue(10,);
        b :: Queue;
        c :: Queue();
        Idle -> a -> Unqueue -> b -> Unqueue -> c -> Discard;
    """)
    doc.set_keyword("a", "CAPACITY", "1")
    doc.set_keyword("b", "CAPACITY", "2")
    doc.set_keyword("c", "CAPACITY", "3")
    lines = doc.render().splitlines()
    assert lines[:3] == ["a :: Queue(10, CAPACITY 1,);", "b :: Queue(CAPACITY 2);",
                         "c :: Queue(CAPACITY 3);"]


def test_set_keyword_on_anonymous_element_and_last_occurrence(tmp_path):
    doc, _ = doc_of(tmp_path, "Idle -> Print(X, LEN 1, LEN 2) -> Discard;\n")
    doc.set_keyword("Print@2", "LEN", "9")        # Click reads the last LEN
    assert doc.render() == "Idle -> Print(X, LEN 1, LEN 9) -> Discard;\n"


def test_remove_keyword_takes_its_comma(tmp_path):
    doc, _ = doc_of(tmp_path, "s :: Print(A 1, B 2, C 3);\nIdle -> s -> Discard;\n")
    assert doc.remove_keyword("s", "B")
    assert doc.render().startswith("s :: Print(A 1, C 3);")
    assert doc.remove_keyword("s", "A")
    assert doc.render().startswith("s :: Print(C 3);")
    assert not doc.remove_keyword("s", "ZZ")


def test_set_class_changes_only_the_class_token(tmp_path):
    doc, _ = doc_of(tmp_path, "q :: Queue(10); Idle -> q -> Unqueue -> Discard;\n")
    doc.set_class("q", "ThreadSafeQueue")
    doc.set_class("Unqueue@3", "RatedUnqueue")   # renames the anonymous element
    assert doc.render() == "q :: ThreadSafeQueue(10); Idle -> q -> RatedUnqueue -> Discard;\n"
    assert doc.chain.element("RatedUnqueue@3").cls == "RatedUnqueue"


def test_insert_before_splices_into_the_connection(tmp_path):
    doc, _ = doc_of(tmp_path, """\
        src :: Idle; c :: Counter;
        src -> [0]c -> Discard;
    """)
    doc.insert_before("c", "HashSwitch(26, 4) -> ")
    assert doc.render().splitlines()[1] == "src -> HashSwitch(26, 4) -> [0]c -> Discard;"
    edges = {(x.src, x.dst) for x in doc.chain.connections}
    assert ("src", "HashSwitch@3") in edges and ("HashSwitch@3", "c") in edges


def test_insert_before_all_and_unconnected_element(tmp_path):
    doc, _ = doc_of(tmp_path, "a, b, x :: Idle; a -> x; b -> x;\n")
    doc.insert_before("x", "Paint(1) -> ", which="all")
    assert doc.render() == "a, b, x :: Idle; a -> Paint(1) -> x; b -> Paint(1) -> x;\n"
    with pytest.raises(InputError, match="never the target"):
        doc.insert_before("a", "Paint(2) -> ")


def test_insert_before_skips_element_lists(tmp_path):
    doc, _ = doc_of(tmp_path, "a, b, c :: Idle; a -> b, c; a [1] -> c;\n")
    doc.insert_before("c", "Paint(1) -> ")          # only the list-free place is edited
    assert doc.render() == "a, b, c :: Idle; a -> b, c; a [1] -> Paint(1) -> c;\n"
    with pytest.raises(InputError, match="element lists"):
        doc.insert_before("b", "Paint(2) -> ")


def test_compound_member_edits_the_class_body(tmp_path):
    doc, _ = doc_of(tmp_path, """\
        elementclass Q { input -> q :: Queue -> output }
        Idle -> q1 :: Q -> Unqueue -> q2 :: Q -> Unqueue -> Discard;
    """)
    doc.set_keyword("q2/q", "CAPACITY", "50")
    assert doc.render().splitlines()[0] == \
        "elementclass Q { input -> q :: Queue(CAPACITY 50) -> output }"
    # every instance shares the body
    assert doc.chain.element("q1/q").config == "CAPACITY 50"


def test_library_edits_are_reported_per_file(tmp_path):
    shutil.copytree(os.path.join(DATA, "lib"), tmp_path / "lib")
    (tmp_path / "m.click").write_text("require(library lib/common.click)\nIdle -> libsink;\n")
    doc = ClickDocument.parse_file(str(tmp_path / "m.click"))
    doc.set_class("libsink", "Counter")
    edited = doc.edited_files()
    assert list(edited) == [str(tmp_path / "lib" / "common.click")]
    assert "libsink :: Counter;" in edited[str(tmp_path / "lib" / "common.click")]
    assert doc.render() == (tmp_path / "m.click").read_text()


def test_append_adds_statements(tmp_path):
    doc, _ = doc_of(tmp_path, "a :: Idle; a -> Discard;")   # no final newline
    doc.append("b :: Idle;\nb -> Discard;\n")
    assert doc.render() == "a :: Idle; a -> Discard;\nb :: Idle;\nb -> Discard;\n"
    assert doc.chain.element("b").cls == "Idle"


def test_unknown_element_and_bad_edits_are_refused(tmp_path):
    doc, p = doc_of(tmp_path, "queue :: Queue; Idle -> queue -> Discard;\n")
    with pytest.raises(KeyError, match="did you mean 'queue'"):
        doc.set_keyword("queu", "CAPACITY", "1")
    with pytest.raises(ValueError):
        doc.set_keyword("queue", "BAD KEY", "1")
    with pytest.raises(InputError, match="edit refused"):
        doc.set_keyword("queue", "CAPACITY", "(unbalanced")
    assert doc.render() == p.read_text()          # the refused edit was undone


# ---- cheap edits: configuration-string edits are checked locally, parsed lazily ----

@pytest.fixture
def parse_count(monkeypatch):
    """Counts full parses made by ClickDocument."""
    from flowmagec.frontends import click_edit
    calls = []
    real = click_edit.elaborate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(click_edit, "elaborate", counting)
    return calls


def test_keyword_edits_are_parsed_once_when_the_chain_is_read(tmp_path, parse_count):
    doc, _ = doc_of(tmp_path, """\
        a :: Queue(10);  // first
        b :: Queue(CAPACITY 5, /* c */ BURST 2);
        Idle -> a -> Unqueue -> b -> Unqueue -> Print(X) -> Discard;
    """)
    assert len(parse_count) == 1
    doc.set_keyword("a", "CAPACITY", "100")          # appended
    doc.set_keyword("a", "CAPACITY", "200")          # then replaced, at a moved offset
    doc.set_keyword("b", "BURST", "16")              # after a grown configuration
    doc.remove_keyword("b", "CAPACITY")
    doc.set_keyword("Print@6", "LENGTH", "64")
    assert len(parse_count) == 1                     # no parse yet
    assert doc.render() == textwrap.dedent("""\
        a :: Queue(10, CAPACITY 200);  // first
        b :: Queue(BURST 16);
        Idle -> a -> Unqueue -> b -> Unqueue -> Print(X, LENGTH 64) -> Discard;
    """)
    chain = doc.chain
    assert len(parse_count) == 2
    assert chain.element("a").keyword("CAPACITY").value == "200"
    assert chain.element("b").keyword("BURST").value == "16"
    arg = chain.element("Print@6").keyword("LENGTH")
    assert doc.render()[arg.value_span.start:arg.value_span.end] == "64"
    doc.chain                                        # no edit since: no parse
    assert len(parse_count) == 2


def test_structural_edit_after_pending_edits_uses_moved_offsets(tmp_path, parse_count):
    doc, _ = doc_of(tmp_path, "a :: Queue(1); b :: Queue(2); Idle -> a -> Unqueue -> b -> Discard;\n")
    doc.set_keyword("a", "CAPACITY", "300")
    doc.set_class("b", "ThreadSafeQueue")            # validated at once by a full parse
    doc.insert_before("b", "Paint(7) -> ")
    assert doc.render() == ("a :: Queue(1, CAPACITY 300); b :: ThreadSafeQueue(2); "
                            "Idle -> a -> Unqueue -> Paint(7) -> b -> Discard;\n")
    assert len(parse_count) == 3
    assert doc.chain.element("b").cls == "ThreadSafeQueue"


def test_config_edit_that_changes_the_statement_is_parsed_at_once(tmp_path, parse_count):
    doc, _ = doc_of(tmp_path, "q :: Queue(1); Idle -> q -> Discard;\n")
    # ")" in the value ends the configuration early: the result parses (an element
    # list), but it is no longer a local edit, so it is checked by a full parse.
    doc.set_keyword("q", "CAPACITY", "2), Counter(")
    assert len(parse_count) == 2
    assert doc.render().startswith("q :: Queue(1, CAPACITY 2), Counter();")
    assert {e.cls for e in doc.chain.elements} >= {"Queue", "Counter"}
    with pytest.raises(InputError, match="edit refused"):
        doc.set_keyword("q", "BURST", "/* open")
    assert doc.render().startswith("q :: Queue(1, CAPACITY 2), Counter();")


def test_refused_edit_keeps_pending_edits(tmp_path, parse_count):
    doc, _ = doc_of(tmp_path, "a :: Queue(1); b :: Queue(2); Idle -> a -> Unqueue -> b -> Discard;\n")
    doc.set_keyword("a", "CAPACITY", "5")
    with pytest.raises(InputError, match="edit refused"):
        doc.set_keyword("b", "CAPACITY", "(3")
    with pytest.raises(InputError, match="edit refused"):
        doc.set_class("b", "elementclass")           # a reserved word: no longer parses
    doc.set_keyword("b", "CAPACITY", "6")
    assert doc.render().startswith("a :: Queue(1, CAPACITY 5); b :: Queue(2, CAPACITY 6);")
    assert doc.chain.element("b").keyword("CAPACITY").value == "6"


def test_compound_fallback_makes_config_edits_eager(tmp_path, parse_count):
    # "|| ..." falls back on the primitive Queue when the arguments do not fit the
    # compound: the argument count decides the expansion, so names may change.
    doc, _ = doc_of(tmp_path, """\
        elementclass Queue { $a, $b | input -> Null -> output || ... }
        Idle -> q :: Queue(1) -> Unqueue -> Discard;
    """)
    assert doc.chain.element("q").cls == "Queue"
    doc.set_keyword("q", "CAPACITY", "2")
    assert len(parse_count) == 2                     # parsed at once
    assert doc.chain.element("q/Null@1").cls == "Null"


def test_removing_the_only_argument_leaves_empty_parentheses(tmp_path):
    doc, _ = doc_of(tmp_path, "q :: Queue(CAPACITY 5);\nIdle -> q -> Unqueue -> Discard;\n")
    assert doc.remove_keyword("q", "CAPACITY")
    assert doc.render().startswith("q :: Queue();")     # valid Click: no arguments
    assert doc.chain.element("q").args == []
