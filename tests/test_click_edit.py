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
