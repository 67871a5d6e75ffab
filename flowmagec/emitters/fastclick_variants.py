"""Per-core / shared variants of FastClick element classes, discovered from the source tree.

A *family* is a set of element classes that do the same job with different
state layouts, found from the code (strongest first):

1. one template base instantiated with different arguments
   (``AggregateCounter : AggregateCounterBase<not_per_thread<S>>`` and
   ``AggregateCounterIMP : AggregateCounterBase<per_thread<S>>``);
2. classes deriving from the element class, or the element class it derives from
   (``FlowIPManagerMP : FlowIPManager``);
3. weak: the naming convention ``X`` / ``XMP`` / ``XIMP``, then other subclasses of
   a shared non-framework base (``Counter`` / ``CounterAtomic`` under ``CounterBase``).

Strong evidence needs "thin" classes (no push/simple_action/configure of their own:
all behaviour in the shared base), so helper templates such as
``FlowSpaceElement<T>`` or CRTP bases (``SimpleElement<X>``) make no family.  A weak
member must read every keyword the element reads and have the same port_count().

The *mode* of each class comes from its code, never from its name:
``per-core`` when its state (own body, bases, template arguments, or the
types passed as template arguments) is held in ``per_thread<...>``;
``thread-safe`` when its state is not per thread and FastClick declares it
``ELEMENT_MT_SAFE`` or it uses a synchronisation primitive (HashTableMP, atomics,
locks); ``unsafe`` otherwise (``not_per_thread<T>`` is a plain wrapper).  This is
why ``CounterMP`` (per_thread stats) counts as per-core despite its name.  A variant
is only offered if it reads every keyword the user's configuration uses.
Checked on a FastClick tree by tools/fastclick_families.py.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional
from ..adapters.source_text import split_top_level

_CLASS_HEAD = re.compile(r"\b(?:class|struct)\s+(\w+)\s*(?:final\s*)?(?::\s*([^{;]*))?\{")
_BASE = re.compile(r"(?:public|protected|private)?\s*(?:virtual\s+)?([A-Za-z_]\w*(?:::\w+)*)\s*(<.*)?$", re.S)
_CLASS_NAME = re.compile(r'class_name\(\)\s*const\s*(?:override\s*)?\{\s*return\s*"([^"]+)"')
_PER_THREAD = re.compile(r"\bper_thread(?:_\w+)?\b")   # not_per_thread has no word boundary
# Framework synchronisation primitives: state guarded by these is shared safely.
_SYNC = re.compile(r"\b(?:HashTableMP|HashContainerMP|atomic_uint\w*|atomic_int\w*|std::atomic|"
                   r"Spinlock|SimpleSpinlock|ReadWriteLock|RWLock|rte_rwlock_t|rte_spinlock_t|"
                   r"std::mutex|std::shared_mutex|__sync_\w+|__atomic_\w+)\b")
_MT_SAFE = re.compile(r"\bELEMENT_MT_SAFE\(\s*(\w+)\s*\)")
_CONFIGURE = re.compile(r"(\w+)\s*(?:<[^<>]*>)?\s*::\s*configure\s*\([^)]*\)\s*\{")
_READ_KW = re.compile(r'\.read\w*\s*\(\s*"([A-Z_][A-Z0-9_]*)"')
_BRACES = re.compile(r"[{}]")
# Per-packet entry points and configuration: a class declaring none of them is "thin",
# all its behaviour comes from its base.
_BEHAVIOUR = re.compile(r"\b(?:push|push_batch|pull|pull_batch|simple_action|simple_action_batch|"
                        r"process|push_flow|run_task|configure)\s*\(")
_PORT_COUNT = re.compile(r"port_count\(\)\s*const\s*(?:override\s*)?\{\s*return\s*([^;]+);")
_IDENT = re.compile(r"[A-Za-z_]\w*")
MODES = ("per-core", "thread-safe", "unsafe")
# A base class inherited by this many classes is framework plumbing (Element,
# BatchElement...): its own per_thread bookkeeping says nothing about an NF's state.
ROOT_FAN_IN = 20
ROOT_SHARE = 0.3          # ... or by this share of all element classes (small trees)


@dataclass
class CxxClass:
    name: str
    file: str
    line: int
    bases: list[str] = field(default_factory=list)          # base class names
    template_args: dict[str, str] = field(default_factory=dict)   # base -> '<...>' text
    body: str = ""
    element: Optional[str] = None        # Click class name (class_name()), if an element


def _matching_brace(text: str, open_at: int) -> int:
    """Offset of the '}' closing the '{' at ``open_at`` (comments and strings are rare
    enough in class bodies to ignore); end of text if unbalanced."""
    depth = 0
    for m in _BRACES.finditer(text, open_at):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.start()
    return len(text)


def _sources(src_dirs) -> list[str]:
    out = []
    for root in src_dirs:
        for d, dirs, files in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith(".")]
            out.extend(os.path.join(d, f) for f in sorted(files) if f.endswith((".hh", ".cc", ".h")))
    return sorted(out)


@dataclass
class SourceIndex:
    classes: dict[str, CxxClass] = field(default_factory=dict)     # C++ name -> class
    elements: dict[str, str] = field(default_factory=dict)         # Click name -> C++ name
    mt_safe: set[str] = field(default_factory=set)                 # Click names
    keywords: dict[str, set[str]] = field(default_factory=dict)    # C++ name -> configure() keywords
    roots: set[str] = field(default_factory=set)                   # framework base classes


def _scan_file(path: str, text: str, idx: SourceIndex) -> None:
    for m in _CLASS_HEAD.finditer(text):
        name, bases_text = m.group(1), m.group(2) or ""
        body = text[m.end(): _matching_brace(text, m.end() - 1)]
        c = CxxClass(name=name, file=path, line=text.count("\n", 0, m.start()) + 1, body=body)
        for spec in split_top_level(bases_text):
            bm = _BASE.match(spec)
            if bm:
                c.bases.append(bm.group(1))
                if bm.group(2):
                    c.template_args[bm.group(1)] = bm.group(2)
        cn = _CLASS_NAME.search(body)
        if cn:
            c.element = cn.group(1)
            idx.elements.setdefault(cn.group(1), name)
        if name not in idx.classes or (c.element and not idx.classes[name].element):
            idx.classes[name] = c
    idx.mt_safe.update(_MT_SAFE.findall(text))
    for m in _CONFIGURE.finditer(text):
        body = text[m.end(): m.end() + 6000]
        idx.keywords.setdefault(m.group(1), set()).update(_READ_KW.findall(body))


@lru_cache(maxsize=16)
def _scan(src_dirs: tuple[str, ...]) -> SourceIndex:
    idx = SourceIndex()
    for path in _sources(src_dirs):
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                _scan_file(path, fh.read(), idx)
        except OSError:
            continue
    fan_in = Counter(b for c in idx.classes.values() for b in set(c.bases))
    n_elements = sum(1 for c in idx.classes.values() if c.element)
    idx.roots = {b for b, n in fan_in.items()
                 if n >= ROOT_FAN_IN or (n >= 3 and n >= ROOT_SHARE * n_elements)}
    return idx


class ClassVariants:
    """Families and modes of the element classes of one source tree."""

    def __init__(self, src_dirs=()):
        self.idx = _scan(tuple(os.path.abspath(d) for d in src_dirs))

    # -- per class ----------------------------------------------------------
    def _cxx(self, element: str) -> Optional[CxxClass]:
        name = self.idx.elements.get(element)
        return self.idx.classes.get(name) if name else None

    def _evidence(self, cls: CxxClass, pattern: re.Pattern, seen: set[str]) -> Optional[str]:
        """Where ``pattern`` (a state idiom) appears for ``cls`` ('file:line'), following its
        bases and the classes named in its template arguments; None if nowhere."""
        if cls.name in seen or cls.name in self.idx.roots:
            return None
        seen.add(cls.name)
        if pattern.search(cls.body) or any(pattern.search(a) for a in cls.template_args.values()):
            return f"{cls.file}:{cls.line}"
        names = list(cls.bases)
        for args in cls.template_args.values():
            names += _IDENT.findall(args)
        for n in names:
            other = self.idx.classes.get(n)
            if other is not None:
                hit = self._evidence(other, pattern, seen)
                if hit:
                    return hit
        return None

    def _per_thread(self, cls: CxxClass, seen: set[str]) -> Optional[str]:
        return self._evidence(cls, _PER_THREAD, seen)

    def mode(self, element: str) -> Optional[str]:
        """'per-core' | 'thread-safe' | 'unsafe' from the code; None if not in the tree."""
        cls = self._cxx(element)
        if cls is None:
            return None
        if self._per_thread(cls, set()):
            return "per-core"
        if element in self.idx.mt_safe or self._evidence(cls, _SYNC, set()):
            return "thread-safe"
        return "unsafe"

    def port_count(self, element: str) -> Optional[str]:
        """The port_count() an element class (or its nearest base) returns, as written."""
        todo, seen = [self.idx.elements.get(element, "")], set()
        while todo:
            n = todo.pop(0)
            c = self.idx.classes.get(n)
            if c is None or n in seen:
                continue
            seen.add(n)
            m = _PORT_COUNT.search(c.body)
            if m:
                return m.group(1).strip()
            todo += c.bases
        return None

    def keywords(self, element: str) -> set[str]:
        """Keywords read by configure() of the class or any of its bases."""
        out: set[str] = set()
        todo, seen = [self.idx.elements.get(element, "")], set()
        while todo:
            n = todo.pop()
            if not n or n in seen:
                continue
            seen.add(n)
            out |= self.idx.keywords.get(n, set())
            c = self.idx.classes.get(n)
            if c:
                todo += c.bases
        return out

    # -- families -------------------------------------------------------------
    def _elements_of(self, pred) -> list[str]:
        return sorted(c.element for c in self.idx.classes.values() if c.element and pred(c))

    def family(self, element: str) -> tuple[list[str], str]:
        """(other element classes doing the same job, how they were found)."""
        found = self.family_evidence(element)
        return list(found), "; ".join(dict.fromkeys(w.lstrip("~") for w in found.values()))

    def family_evidence(self, element: str) -> dict[str, str]:
        """member -> how it was found, strongest evidence first.  Evidence starting with
        '~' is weak (naming, siblings): such a member must also read every keyword the
        element reads, or it is probably a different job."""
        cls = self._cxx(element)
        found: dict[str, str] = {}

        def add(members, why):
            for m in members:
                if m != element and m not in found:
                    found[m] = why

        if cls is not None:
            # a template base parametrised by the class itself (CRTP: SimpleElement<X>) is
            # plumbing shared by unrelated elements, not a family
            templated = [b for b in cls.bases if b in cls.template_args]
            family_templates = [b for b in templated if b not in self.idx.roots
                                and cls.name not in _IDENT.findall(cls.template_args[b])]
            # strong evidence needs "thin" classes (behaviour all in the shared base), else
            # the base is a helper shared by elements doing different jobs (FlowSpaceElement<T>)
            thin = lambda c: not _BEHAVIOUR.search(c.body)
            if thin(cls):
                for b in family_templates:
                    add(self._elements_of(lambda c: b in c.template_args and thin(c)),
                        f"instantiations of {b}<...>")
            add(self._elements_of(lambda c: cls.name in c.bases and thin(c)),
                f"classes derived from {cls.name}")
            if thin(cls):
                add([self.idx.classes[b].element for b in cls.bases
                     if b in self.idx.classes and self.idx.classes[b].element], f"bases of {cls.name}")
        stem = re.sub(r"I?MP$", "", element)
        add([n for n in (stem, stem + "MP", stem + "IMP") if n in self.idx.elements],
            f"~naming {stem}/{stem}MP/{stem}IMP")
        if cls is not None:
            # weakest: siblings under a shared non-framework base; among them, the
            # closest names first (FlowIPManager -> FlowIPManagerBucket before CTXManager)
            for b in cls.bases:
                if b not in self.idx.roots and b not in templated and b in self.idx.classes:
                    sibs = self._elements_of(lambda c: b in c.bases)
                    add(sorted(sibs, key=lambda m: -len(os.path.commonprefix([m, element]))),
                        f"~other subclasses of {b}")
        return found

    def variant(self, element: str, mode: str, used_keywords=()) -> tuple[Optional[str], str]:
        """(an element class of ``element``'s family in ``mode`` that reads every keyword in
        ``used_keywords``, or None; a sentence saying why)."""
        if self.mode(element) == mode:
            return element, f"{element} is already {mode}"
        found = self.family_evidence(element)
        members = list(found)
        need = set(used_keywords)
        fits = [m for m in members if self.mode(m) == mode]
        own = self.keywords(element)
        ok = [m for m in fits if (need | (own if found[m].startswith("~") else set())) <= self.keywords(m)
              and (not found[m].startswith("~") or self.port_count(m) == self.port_count(element))]
        if ok:
            return ok[0], f"{ok[0]} is {mode} ({found[ok[0]].lstrip('~')})"
        if fits:
            missing = sorted(need - self.keywords(fits[0]))
            return None, f"{fits[0]} is {mode} but does not read {', '.join(missing)}"
        shown = ", ".join(members[:4]) + (f" and {len(members) - 4} more" if len(members) > 4 else "")
        return None, (f"no {mode} class among {shown}" if members
                      else f"no variant of {element} in the source tree")

    def sharing_keyword(self, element: str) -> Optional[str]:
        """A keyword read in configure() that switches sharing (its name contains SHARED)."""
        kws = sorted(k for k in self.keywords(element) if "SHARED" in k)
        return kws[0] if kws else None
