"""Elements that reprogram a port's RSS themselves (DeviceBalancer, flow-rule installers).

Such an element rewrites the RETA, the hash key or the flow rules of the
devices it manages at run time, so rules the emitter added there would be
fought over.  Which classes do it is read from the source tree: a class
*programs RSS* when its code (class body or out-of-line methods) calls one of
``fastclick_knowledge.RSS_PROGRAMMING_CALLS`` / ``..._MEMBER_CALLS``, or when a
class it derives from or creates (``new T``) does.  ``DeviceBalancer`` is found
that way: it derives from ``NICScheduler`` whose ``set_method`` creates
``MethodRSS``, whose methods call ``set_rss_reta`` and ``rte_flow_create``
(vendor/nicscheduler).  Classes not in the tree fall back to the reviewed
``DOCUMENTED_RSS_PROGRAMMERS``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..adapters import source_text
from ..adapters.source_text import function_defs
from ..artifacts import Element
from .fastclick_knowledge import (DEVICE_CLASSES, DOCUMENTED_RSS_PROGRAMMERS,
                                  RSS_PROGRAMMING_CALLS, RSS_PROGRAMMING_MEMBER_CALLS)
from .fastclick_variants import SourceIndex, _scan, _sources

_CALL = re.compile(r"\b(" + "|".join(map(re.escape, RSS_PROGRAMMING_CALLS)) + r")\s*\(")
_MEMBER_CALL = re.compile(r"(?:->|\.)\s*(" + "|".join(map(re.escape, RSS_PROGRAMMING_MEMBER_CALLS))
                          + r")\s*\(")
_NEW = re.compile(r"\bnew\s+([A-Za-z_]\w*)\s*[(<;]")


@dataclass(frozen=True)
class CallSite:
    file: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.call})"


@dataclass
class MethodIndex:
    """Out-of-line method bodies per C++ class (comments blanked)."""
    code: dict[str, list[tuple[str, int, str]]]      # class -> [(file, first line, body)]


@lru_cache(maxsize=8)
def _methods(src_dirs: tuple[str, ...]) -> MethodIndex:
    idx = MethodIndex(code={})
    for path in _sources(src_dirs):
        try:
            defs = [d for d in function_defs(path) if "::" in d.name]
            text = source_text.code(path) if defs else ""
        except OSError:
            continue
        for d in defs:
            owner = d.name.rsplit("::", 1)[0].rsplit("::", 1)[-1]
            idx.code.setdefault(owner, []).append(
                (path, source_text.line_of(text, d.body_start), text[d.body_start: d.body_end]))
    return idx


def _class_code(c) -> str:
    """A class body as the index holds it, with its comments blanked."""
    try:
        raw, blanked = source_text.read(c.file), source_text.code(c.file)
    except OSError:
        return c.body
    at = raw.find(c.body)
    return blanked[at: at + len(c.body)] if at >= 0 else c.body


def _first_call(path: str, line: int, body: str) -> Optional[CallSite]:
    m = _CALL.search(body) or _MEMBER_CALL.search(body)
    if not m:
        return None
    return CallSite(path, line + body.count("\n", 0, m.start()), m.group(1))


class RssProgrammers:
    """Which element classes reprogram RSS at run time, with the path of evidence."""

    def __init__(self, src_dirs=()):
        key = tuple(os.path.abspath(d) for d in src_dirs)
        self.classes: SourceIndex = _scan(key)
        self.methods = _methods(key) if key else MethodIndex(code={})
        self._memo: dict[str, Optional[list[str]]] = {}

    def _direct(self, cxx: str) -> Optional[CallSite]:
        c = self.classes.classes.get(cxx)
        if c is not None:
            hit = _first_call(c.file, c.line, _class_code(c))
            if hit:
                return hit
        for path, line, body in self.methods.code.get(cxx, []):
            hit = _first_call(path, line, body)
            if hit:
                return hit
        return None

    def _created(self, cxx: str) -> list[str]:
        c = self.classes.classes.get(cxx)
        texts = ([_class_code(c)] if c is not None else []) + [b for _, _, b in self.methods.code.get(cxx, [])]
        return list(dict.fromkeys(n for t in texts for n in _NEW.findall(t)))

    def _path(self, cxx: str, seen: set[str]) -> Optional[list[str]]:
        """Evidence chain from ``cxx`` to an RSS-programming call, or None."""
        if cxx in seen or cxx in self.classes.roots:
            return None
        seen.add(cxx)
        hit = self._direct(cxx)
        if hit:
            return [f"{cxx}: {hit}"]
        c = self.classes.classes.get(cxx)
        links = [(b, "derives from") for b in (c.bases if c else [])]
        links += [(n, "creates") for n in self._created(cxx)]
        for other, how in links:
            if other not in self.classes.classes and other not in self.methods.code:
                continue
            sub = self._path(other, seen)
            if sub:
                return [f"{cxx} {how} {other}"] + sub
        return None

    def evidence(self, element_class: str) -> Optional[str]:
        """Why ``element_class`` reprograms RSS at run time ('' -> it does not)."""
        if element_class in DEVICE_CLASSES:
            return None
        if element_class not in self._memo:
            cxx = self.classes.elements.get(element_class)
            if cxx is None:
                doc = DOCUMENTED_RSS_PROGRAMMERS.get(element_class)
                self._memo[element_class] = [f"FastClick {doc}"] if doc else None
            else:
                self._memo[element_class] = self._path(cxx, set())
        path = self._memo[element_class]
        return "; ".join(path) if path else None


def managed_devices(element: Element, sources: list[Element]) -> list[str]:
    """The FromDPDKDevice elements an RSS programmer names in its arguments (exact
    element names, also relative to its compound); all of them when it names none."""
    names = {s.name: s.name for s in sources}
    prefix = element.name.rsplit("/", 1)[0] + "/" if "/" in element.name else ""
    for s in sources:
        if prefix and s.name.startswith(prefix):
            names.setdefault(s.name[len(prefix):], s.name)
    named = [names[a.value.strip()] for a in element.args if a.value.strip() in names]
    return list(dict.fromkeys(named)) or [s.name for s in sources]
