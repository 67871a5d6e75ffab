"""The Click (FastClick) frontend: ``.click`` file -> Chain, and span-preserving edits.

Public API (used by the driver, the emitters and ``flowmagec parse``):

* ``load(path, src_dirs=(), defines=None) -> Chain`` - the flattened element
  graph (framework ``fastclick``) after ``require(library ...)``, ``define``
  and compound expansion, with Click's element names;
* ``known_classes(src_dirs) -> set[str]`` - element classes of the framework tree;
* ``ClickDocument`` - parse once, edit keyword arguments / classes / connections
  by byte spans, render the files back (see ``click_edit``);
* ``parse_text(text, path)`` - syntax only (statements with token offsets).

Pieces: ``click_lexer`` (tokens), ``grammar/click.lark`` + ``click_parse``
(LALR parse; ``click_lalr`` runs the table Lark builds), ``click_config`` (configuration strings and ``$`` variables),
``click_elab`` (names, compounds, tunnels), ``click_ports`` (port numbering of
one arrow), ``click_classes`` (class knowledge), ``click_edit`` (editing).
"""
from __future__ import annotations

import contextlib
import gc
import os
from typing import Callable, Optional

from ..artifacts import Chain
from .click_classes import known_classes
from .click_elab import Elaborator, _read_file
from .click_parse import parse_text
from .deep import call_deep

__all__ = ["load", "elaborate", "known_classes", "parse_text", "ClickDocument"]


def elaborate(path: str, src_dirs=(), defines: Optional[dict] = None,
              reader: Callable[[str], str] = _read_file) -> tuple[Chain, Elaborator]:
    """Parse ``path`` (and its libraries) and flatten it; also return the elaborator,
    which keeps the syntax trees and origins the editor needs."""
    path = os.path.normpath(path)
    elab = Elaborator(known_classes(src_dirs), defines=defines, reader=reader)

    def run() -> Chain:
        elab.run_file(path)
        elab.expand_all()
        return elab.build_chain(path)
    with _gc_paused():
        return call_deep(run), elab


@contextlib.contextmanager
def _gc_paused():
    """Parsing allocates many small objects and no reference cycles of note; the cyclic
    collector's repeated passes over them cost about a quarter of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(path: str, src_dirs=(), defines: Optional[dict] = None) -> Chain:
    """The Chain of a Click configuration file."""
    with _gc_paused():
        chain = elaborate(path, src_dirs, defines)[0]
        # The syntax trees die here, before the collector runs again: its first pass
        # then scans only the Chain, not every token and node of the parse.
    return chain


def __getattr__(name):  # ClickDocument lives in click_edit; import lazily (no cycle)
    if name == "ClickDocument":
        from .click_edit import ClickDocument
        return ClickDocument
    raise AttributeError(name)
