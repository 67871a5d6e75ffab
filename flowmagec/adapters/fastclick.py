"""FastClick adapter: element classes -> NF units.

An element is a C++ class exported with ``EXPORT_ELEMENT(Cxx)``; its Click
name is what ``class_name()`` returns.  Base classes are followed through the
headers the element includes (inside the source roots), leaving out the
framework core: the root class, recognised structurally as the class that
declares ``class_name()`` pure virtual, and the bases declared next to it.  Per-packet entry points are
the standard hooks (push, pull, simple_action, *_batch) of the element or its
bases, plus the element's methods those bodies call (e.g. the
``process(state, packet)`` hook a flow-manager base calls for each packet).
"""
from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from ..artifacts import NFUnit
from . import source_text as st
from .common import IncludeResolver, dpdk_cflags, files_under, find_root, finish

FRAMEWORK = "fastclick"
ROOT_MARKER = "include/click"
ENTRY_NAMES = ("push", "pull", "simple_action", "push_batch", "pull_batch",
               "simple_action_batch")
# EXPORT_ELEMENT(A), EXPORT_ELEMENT(A B) (two classes), EXPORT_ELEMENT(A-Alias) (class A
# under the Click name Alias), EXPORT_ELEMENT(A A-Alias) (both names).
_EXPORT = re.compile(r"\bEXPORT_ELEMENT\s*\(\s*([A-Za-z_][\w\s-]*?)\s*\)")
_EXPORT_WORD = re.compile(r"([A-Za-z_]\w*)(?:-([A-Za-z_]\w*))?")
_CLASS_NAME = re.compile(r"\bclass_name\s*\(\s*\)\s*const[^{;]*\{\s*return\s*\"([^\"]+)\"")
_PURE_CLASS_NAME = re.compile(r"\bclass_name\s*\(\s*\)\s*const\s*=\s*0")
_CLASS_DECL = re.compile(
    r"(?:template\s*<(?P<tpl>[^{};]*?)>\s*)?\b(?:class|struct)\s+(?:CLICK_\w+\s+)?(?P<name>[A-Za-z_]\w*)"
    r"\s*(?:final\s*)?(?::(?P<bases>[^{;]*))?\{")
_ACCESS = re.compile(r"\b(?:public|protected|private|virtual)\b")


@dataclass(eq=False)
class ClassDecl:
    """A class definition found in a file: name, bases as written, body span."""
    name: str
    file: Path
    line: int
    bases: list[str]            # base specifiers without access keywords: 'IFlowManager<IPSDState>'
    body: tuple[int, int]

    def text(self) -> str:
        return st.code(self.file)[self.body[0]:self.body[1]]

    def member_text(self) -> str:
        """The class body with nested braces (inline bodies) removed: declarations only."""
        body = self.text()[1:-1]
        out, depth = [], 0
        for c in body:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            elif depth == 0:
                out.append(c)
        return "".join(out)

    def click_name(self) -> Optional[str]:
        m = _CLASS_NAME.search(self.text())
        return m.group(1) if m else None

    def is_framework_root(self) -> bool:
        return bool(_PURE_CLASS_NAME.search(self.text()))

    @functools.cached_property
    def _methods(self) -> frozenset[str]:
        names = {m.group(1) for m in re.finditer(r"([A-Za-z_~]\w*)\s*\(", self.member_text())}
        return frozenset(names - {self.name, "~" + self.name} - st._NOT_FUNCTIONS)

    def methods(self) -> frozenset[str]:
        """Names declared as member functions (declarations or inline definitions)."""
        return self._methods


def base_name(spec: str) -> str:
    """'public IFlowManager<IPSDState>' -> 'IFlowManager'."""
    spec = _ACCESS.sub(" ", spec).strip()
    spec = re.sub(r"<.*>", "", spec, flags=re.S).strip()
    return spec.rsplit("::", 1)[-1]


def template_args(spec: str) -> list[str]:
    m = re.search(r"<(.*)>", spec, re.S)
    return [base_name(a) for a in st.split_top_level(m.group(1))] if m else []


@functools.lru_cache(maxsize=8192)
def _class_decls_cached(path: str, mtime: int) -> tuple[ClassDecl, ...]:
    text = st.code(path)
    out = []
    for m in _CLASS_DECL.finditer(text):
        brace = m.end() - 1
        bases = [_ACCESS.sub(" ", b).strip() for b in st.split_top_level(m.group("bases") or "")]
        out.append(ClassDecl(name=m.group("name"), file=Path(path), line=st.line_of(text, m.start("name")),
                             bases=bases, body=(brace, st.matching_brace(text, brace))))
    return tuple(out)


def class_decls(path: Path) -> tuple[ClassDecl, ...]:
    return _class_decls_cached(str(path), path.stat().st_mtime_ns)


def find_class(name: str, files: Iterable[Path]) -> Optional[ClassDecl]:
    for f in files:
        for c in class_decls(f):
            if c.name == name:
                return c
    return None


@dataclass
class ElementSource:
    """Where an exported element lives: its C++ class and its .cc file."""
    cxx: str
    source: Path
    alias: Optional[str] = None       # the Click name of an ``A-Alias`` export


def exported_elements(files: Iterable[Path]) -> list[ElementSource]:
    """EXPORT_ELEMENT(...) occurrences in the given files."""
    out = []
    for f in files:
        if "EXPORT_ELEMENT" not in st.code(f):
            continue
        for m in _EXPORT.finditer(st.code(f)):
            for w in _EXPORT_WORD.finditer(m.group(1)):
                out.append(ElementSource(cxx=w.group(1), source=f, alias=w.group(2)))
    return out


class FastClickAdapter:
    """Builds NFUnits for FastClick elements found in paths or by class name."""

    def __init__(self, src_dirs: Iterable[str] = ()):
        self.src_dirs = [str(s) for s in src_dirs]

    # ---------------------------------------------------------------- discovery
    def discover(self, path: Path) -> list[NFUnit]:
        files = files_under(path, st.SOURCE_SUFFIXES + st.HEADER_SUFFIXES)
        exports = list({(e.cxx, e.source): e for e in exported_elements(files)}.values())
        return [u for e in exports if (u := self.unit_for(e)) is not None]

    def unit_for(self, elem: ElementSource) -> Optional[NFUnit]:
        nf_dir = elem.source.parent
        root = find_root(nf_dir, ROOT_MARKER, self.src_dirs)
        roots = [r for r in [root, *map(Path, self.src_dirs)] if r is not None]
        resolver = IncludeResolver(roots, nf_dir)
        reachable = resolver.closure([elem.source, *self._sibling_headers(elem)])
        decl = find_class(elem.cxx, reachable)
        if decl is None:
            return None
        chain = self._base_chain(decl, reachable)
        name = decl.click_name() or elem.cxx
        unit = NFUnit(name=name, framework=FRAMEWORK, files=[str(elem.source)])
        unit.headers = [str(decl.file)] + [str(c.file) for c in chain]
        unit.bases = [c.name for c in chain]
        roots_set = self._entry_points(decl, chain, [elem.source])
        unit.entry_points = roots_set[0] + roots_set[1]
        unit.compile_flags = fastclick_flags(root, nf_dir, [elem.source, *map(Path, unit.headers)])
        state_types = [a for spec in decl.bases for a in template_args(spec)
                       if a != decl.name and find_class(a, reachable) is not None]
        unit.attrs = {"class_decl": f"{decl.file}:{decl.line}", "cxx_class": elem.cxx,
                      "src_root": str(root) if root else None,
                      "entry_roots": roots_set[0], "hooks": roots_set[1],
                      "template_state_types": state_types,
                      "base_sources": [str(p) for p in base_sources(chain, root, elem.source)]}
        return finish(unit)

    @staticmethod
    def _sibling_headers(elem: ElementSource) -> list[Path]:
        stem_header = [elem.source.with_suffix(s) for s in st.HEADER_SUFFIXES]
        return [h for h in stem_header if h.is_file()]

    @staticmethod
    def _base_chain(decl: ClassDecl, files: list[Path], limit: int = 12) -> list[ClassDecl]:
        """Base classes followed inside ``files``, most-derived first.

        The framework's core is left out: the root class (it declares
        ``class_name()`` pure virtual) and every base declared in the same
        directory as the root (``BatchElement`` next to ``Element``), whose
        methods are plumbing to the next element, not NF code.  Bases in other
        directories (``include/click/flow/``, the element's own dir) are kept.
        """
        chain: list[ClassDecl] = []
        core_dir: Optional[Path] = None
        todo = list(decl.bases)
        while todo and len(chain) < limit:
            base = find_class(base_name(todo.pop(0)), files)
            if base is None or base in chain or base.name == decl.name:
                continue
            if base.is_framework_root():
                core_dir = base.file.parent
                continue
            chain.append(base)
            todo += base.bases
        if core_dir is None:
            return chain
        return [c for c in chain if c.file.parent != core_dir]

    def _entry_points(self, decl: ClassDecl, chain: list[ClassDecl],
                      sources: list[Path]) -> tuple[list[str], list[str]]:
        """(roots, hooks): per-packet entry methods, and the class's methods they call."""
        classes = [decl, *chain]

        def owner(method: str) -> Optional[ClassDecl]:
            return next((c for c in classes if method in c.methods()), None)

        roots = [f"{c.name}::{m}" for m in ENTRY_NAMES if (c := owner(m)) is not None]
        bodies = self._method_bodies(classes, sources)
        hooks: list[str] = []
        todo = list(roots)
        seen = set(roots)
        while todo:
            q = todo.pop(0)
            for callee in sorted(st.called_names(bodies.get(q, ""))):
                c = owner(callee)
                qual = f"{c.name}::{callee}" if c else None
                if qual and qual not in seen:
                    seen.add(qual)
                    hooks.append(qual)
                    todo.append(qual)
        return roots, hooks

    @staticmethod
    def _method_bodies(classes: list[ClassDecl], sources: list[Path]) -> dict[str, str]:
        """'Class::method' -> body text, from inline definitions and out-of-line ones."""
        bodies: dict[str, str] = {}
        names = {c.name for c in classes}
        for c in classes:
            text = st.code(c.file)
            for fd in st.function_defs(c.file):
                if c.body[0] < fd.body_start < c.body[1] and "::" not in fd.name:
                    bodies.setdefault(f"{c.name}::{fd.short}", text[fd.body_start:fd.body_end])
        for f in {*sources, *(c.file for c in classes)}:
            text = st.code(f)
            for fd in st.function_defs(f):
                cls = fd.name.rsplit("::", 1)[0].rsplit("::", 1)[-1] if "::" in fd.name else None
                if cls in names:
                    key = f"{cls}::{fd.short}"
                    bodies[key] = bodies.get(key, "") + text[fd.body_start:fd.body_end]
        return bodies

    # ---------------------------------------------------------------- by class name
    def find_classes(self, names: Iterable[str]) -> dict[str, NFUnit]:
        """Units for Click class names, searched in the --src trees."""
        wanted = set(names)
        found: dict[str, NFUnit] = {}
        for src in self.src_dirs:
            for cls, elem in self._index(Path(src)).items():
                if cls in wanted and cls not in found:
                    unit = self.unit_for(elem)
                    if unit is not None:
                        unit.name = cls          # an alias names the same code
                        found[cls] = unit
        return found

    def _index(self, src: Path) -> dict[str, ElementSource]:
        """Click name -> element source: from share/click/elementmap.xml, else a scan."""
        emap = src / "share" / "click" / "elementmap.xml"
        if emap.is_file():
            return elementmap_index(emap, src)
        index: dict[str, ElementSource] = {}
        for elem in exported_elements(files_under(src, st.SOURCE_SUFFIXES + st.HEADER_SUFFIXES)):
            if elem.alias:
                index.setdefault(elem.alias, elem)
                continue
            decl = find_class(elem.cxx, [elem.source, *self._sibling_headers(elem)])
            index[(decl.click_name() if decl else None) or elem.cxx] = elem
        return index


def base_sources(chain: list[ClassDecl], root: Optional[Path], own: Path) -> list[Path]:
    """Out-of-line code of the element's C++ bases: the ``.cc`` next to a base's
    header, or in the tree's ``lib/`` for framework headers (``include/click/
    flow/flowelement.hh`` -> ``lib/flowelement.cc``), kept only when it defines
    methods of that base.  They are linked into the NF's module (IR only)."""
    out: list[Path] = []
    for c in chain:
        dirs = [c.file.parent] + ([root / "lib"] if root is not None else [])
        for d in dirs:
            for suffix in st.CXX_SUFFIXES:
                cand = d / (c.file.stem + suffix)
                if cand.is_file() and cand != own and cand not in out and any(
                        fd.name.rsplit("::", 1)[0].rsplit("::", 1)[-1] == c.name
                        for fd in st.function_defs(cand) if "::" in fd.name):
                    out.append(cand)
    return out


def elementmap_index(path: Path, src: Path) -> dict[str, ElementSource]:
    """Click's own class map (``make share/click/elementmap.xml``): name -> source file."""
    out: dict[str, ElementSource] = {}
    for entry in ET.parse(path).getroot():
        name, cxx, source = entry.get("name"), entry.get("cxxclass"), entry.get("sourcefile")
        if name and cxx and source and (src / source).is_file():
            out[name] = ElementSource(cxx=cxx, source=src / source)
    return out


_MAKE_CXXFLAGS = re.compile(r"^CXXFLAGS\s*=\s*(.*)$", re.M)


@functools.lru_cache(maxsize=16)
def configured_machine_flags(root: Path) -> tuple[str, ...]:
    """The ``-m...`` flags configure chose (``userlevel/Makefile``: e.g. ``-mavx2``, which
    ``String::searchAVX2`` needs when HAVE_AVX2); ``-msse4.2`` when not recorded."""
    makefile = root / "userlevel" / "Makefile"
    try:
        m = _MAKE_CXXFLAGS.search(makefile.read_text(errors="replace"))
    except OSError:
        m = None
    found = tuple(f for f in (m.group(1).split() if m else []) if f.startswith("-m"))
    return found or ("-msse4.2",)


def fastclick_flags(root: Optional[Path], nf_dir: Path, own_files: list[Path]) -> list[str]:
    """Default flags: a configured tree's (config.h present), else -I the root's include/.

    DPDK's flags are added when the element's own files or its base classes'
    headers include ``<rte_*.h>`` (framework headers include DPDK only under
    ``#if HAVE_DPDK``, which a lexical scan cannot see, so they do not count).
    """
    flags = ["-std=gnu++17", f"-I{nf_dir}"]
    if root is not None:
        if (root / "include" / "click" / "config.h").is_file():
            flags = ["-std=gnu++17", "-DHAVE_CONFIG_H", "-DCLICK_USERLEVEL", f"-I{nf_dir}",
                     f"-I{root / 'include'}", f"-I{root}", f"-I{root / 'vendor'}",
                     *configured_machine_flags(root)]
        else:
            flags += [f"-I{root / 'include'}", f"-I{root}", "-DCLICK_USERLEVEL"]
    if any(name.startswith("rte_") for f in own_files for name, _ in st.includes(f)):
        flags += dpdk_cflags()
    return flags
