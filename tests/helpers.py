"""Assertions shared by several test files."""
from __future__ import annotations

from typing import Optional

from flowmagec.errors import InputError


def assert_error_at(err: InputError, line: int, col: int, needle: str,
                    source_text: Optional[str] = None) -> str:
    """``err`` says ``needle`` (in its message or expected list) at ``line:col`` and
    renders as ``file:line:col: error: ...`` with a caret under the source line."""
    rendered = err.render(source_text)
    assert (err.span.line, err.span.col) == (line, col), rendered
    assert needle in err.message + (err.expected or "")
    assert rendered.startswith(f"{err.span.file}:{line}:{col}: error: ")
    assert "^" in rendered.splitlines()[-1]
    return rendered
