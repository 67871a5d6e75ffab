"""Errors with exit codes and compiler-style rendering (file:line:col + caret)."""
from __future__ import annotations

from typing import Optional

from .artifacts import Span

EXIT_OK = 0
EXIT_FAILURE = 1      # analysis / solve failure
EXIT_BAD_INPUT = 2    # bad input (syntax, missing file, bad option)


class FlowmageError(Exception):
    exit_code = EXIT_FAILURE

    def __init__(self, message: str, span: Optional[Span] = None,
                 expected: Optional[str] = None, notes: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.span = span
        self.expected = expected
        self.notes = tuple(notes)

    def render(self, source_text: Optional[str] = None) -> str:
        loc = (f"{printable(self.span.file)}:{self.span.line}:{self.span.col}: "
               if self.span else "")
        msg = printable(self.message)
        if self.expected:
            msg += f" (expected {printable(self.expected)})"
        out = [f"{loc}error: {msg}"]
        if self.span is not None:
            text = source_text
            if text is None:
                try:
                    with open(self.span.file, encoding="utf-8", errors="surrogateescape") as fh:
                        text = fh.read()
                except OSError:
                    text = None
            if text is not None and self.span.line > 0:
                lines = text.split("\n")        # spans count '\n' only
                if self.span.line <= len(lines):
                    raw = lines[self.span.line - 1].rstrip("\r")
                    col = max(0, self.span.col - 1)
                    # Long lines (generated configs) are cut around the column.
                    lo = max(0, col - 80)
                    before = printable(raw[lo:col])
                    here = raw[col:col + max(1, min(self.span.end - self.span.start, 80))]
                    after = printable(raw[col + len(here):col + len(here) + 80])
                    shown = printable(here)
                    out.append(("..." if lo else "") + before + shown + after)
                    caret = "".join(c if c == "\t" else " " for c in before)
                    out.append(("   " if lo else "") + caret + "^" + "~" * (max(1, len(shown)) - 1))
        out.extend(f"note: {printable(n)}" for n in self.notes)
        return "\n".join(out)


def _escape_char(c: str) -> str:
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:           # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{o - 0xDC00:02x}"
    if 0xD800 <= o <= 0xDFFF:
        return f"\\u{o:04x}"
    if (o < 0x20 and c not in "\t\n") or 0x7F <= o <= 0x9F:
        return f"\\x{o:02x}"
    return c


def printable(text: str) -> str:
    """``text`` safe for a terminal: undecodable bytes and control characters escaped
    (``\\xff``, ``\\x1b``), so that no raw byte of the input reaches the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\t\n" else _escape_char(c) for c in text)


class InputError(FlowmageError):
    """The user's input is wrong: syntax error, missing file, bad option value."""
    exit_code = EXIT_BAD_INPUT


class AnalysisError(FlowmageError):
    """Analysis or solving failed on valid input."""
    exit_code = EXIT_FAILURE


def span_at(file: str, text: str, offset: int, length: int = 1) -> Span:
    """A Span for ``offset`` in ``text`` with 1-based line and column."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file=file, start=offset, end=offset + max(length, 1), line=line, col=col)


def parse_json(text: str, file: str, what: str = "JSON"):
    """``json.loads`` whose syntax errors are InputErrors pointing at file:line:col."""
    import json
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid {what}: {e.msg}", span=span_at(file, text, e.pos)) from None


def read_json(path: str, what: str = "JSON"):
    """Read and parse a JSON file; unreadable or invalid input is an InputError."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise InputError(f"cannot read {what} {path}: {e.strerror}") from None
    return parse_json(text, path, what)
