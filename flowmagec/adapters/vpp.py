"""VPP adapter: a plugin / node source directory -> one NF named after the directory.

Entry points are the node functions (``VLIB_NODE_FN (x)`` defines ``x_fn``;
``VLIB_REGISTER_NODE (x) = { .function = f }`` names ``f``) plus the static
helpers those functions call, transitively, inside the unit's own files.
Nodes registered as ``VLIB_NODE_TYPE_PROCESS`` (timers, GC walkers) or
``VLIB_NODE_TYPE_INPUT`` (drivers, interrupt-driven housekeeping) are not on
an NF's packet path and are left out.  A
single ``.c`` given on the command line is an NF named after its stem; several
``.c`` of one directory given together are that directory's NF (the plugin),
as when the directory is given (``adapters.discover_paths``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Optional

from ..artifacts import NFUnit
from . import source_text as st
from .common import IncludeResolver, find_root, finish
from .tree_completion import TreeCompleter

FRAMEWORK = "vpp"
_MARKERS = re.compile(r"\bVLIB_(?:NODE_FN|REGISTER_NODE|PLUGIN_REGISTER|INIT_FUNCTION)\b|"
                      r"#\s*include\s*<(?:vlib|vnet|vppinfra)/")
_NODE_FN = re.compile(r"\bVLIB_NODE_FN\s*\(\s*(\w+)\s*\)\s*\(([^;{}]*)\)\s*\{")
_REGISTER = re.compile(r"\bVLIB_REGISTER_NODE\s*\(\s*(\w+)[^)]*\)\s*=\s*\{")
_DOT_FUNCTION = re.compile(r"\.function\s*=\s*&?\s*(\w+)")
_OFF_PATH_TYPE = re.compile(r"\.type\s*=\s*VLIB_NODE_TYPE_(?:PROCESS|INPUT)\b")
_TEST_FILE = re.compile(r"(^test_|_test\.c$)")


def is_vpp_source(path: Path) -> bool:
    return path.suffix == ".c" and bool(_MARKERS.search(st.code(path)))


def nf_dirs(path: Path) -> list[Path]:
    """Directories that directly hold VPP sources (each is one NF)."""
    if path.is_file():
        return []
    dirs = {p.parent for p in path.rglob("*.c") if is_vpp_source(p)}
    return sorted(dirs)


class VppAdapter:
    def __init__(self, src_dirs: Iterable[str] = ()):
        self.src_dirs = [str(s) for s in src_dirs]

    def discover(self, path: Path) -> list[NFUnit]:
        if path.is_file():
            return [self.unit_for(path.stem, [path], path.parent)]
        return [u for d in nf_dirs(path) if (u := self.unit_for_dir(d)) is not None]

    def unit_for_dir(self, d: Path) -> Optional[NFUnit]:
        """The NF of one directory that directly holds VPP sources (None when they
        are all unit tests: ``test/`` dirs of a plugin are not NFs)."""
        sources = self._sources(d)
        return self.unit_for(d.name, sources, d) if sources else None

    def find_plugins(self, wanted: dict[str, tuple[Optional[str], str]]) -> dict[str, NFUnit]:
        """Units for VPP features, keyed and named by the chain's class.

        ``wanted`` maps class -> (plugin_dir, src_root) as the VPP frontend
        records them (``nat44`` -> ``nat/nat44-ed`` under ``plugins``); the
        directory is looked up under each --src tree (``src/<root>/<dir>``,
        ``<root>/<dir>``, ``<dir>``), else any NF directory named like the class.
        """
        found: dict[str, NFUnit] = {}
        by_name: dict[str, Path] = {}
        for src in map(Path, self.src_dirs):
            for cls, (plugin_dir, src_root) in wanted.items():
                if cls in found or not plugin_dir:
                    continue
                for cand in (src / "src" / src_root / plugin_dir, src / src_root / plugin_dir,
                             src / plugin_dir):
                    if cand.is_dir() and self._sources(cand):
                        found[cls] = self.unit_for(cls, self._sources(cand), cand)
                        break
            if len(found) < len(wanted):
                for d in nf_dirs(src):
                    by_name.setdefault(d.name, d)
        for cls in wanted:
            if cls not in found and cls in by_name:
                found[cls] = self.unit_for(cls, self._sources(by_name[cls]), by_name[cls])
        return found

    @staticmethod
    def _sources(d: Path) -> list[Path]:
        return sorted(p for p in d.glob("*.c") if not _TEST_FILE.search(p.name))

    def unit_for(self, name: str, sources: list[Path], nf_dir: Path) -> NFUnit:
        root = self._root(nf_dir)
        resolver = IncludeResolver([r for r in [root, *map(Path, self.src_dirs)] if r], nf_dir)
        local = [h for h in resolver.closure(sources) if h.suffix in st.HEADER_SUFFIXES
                 and nf_dir.resolve() in h.parents]
        # tree completion hook (owner: tree_completion.py): a partial copy of a plugin
        # gets the data-plane files of its plugin dir in the --src tree
        completion = TreeCompleter(self.src_dirs).complete(nf_dir)
        sources = sources + completion.files
        local = local + completion.headers
        roots = self._node_functions(sources)
        helpers = self._helpers(roots, sources + local)
        unit = NFUnit(name=name, framework=FRAMEWORK, files=[str(s) for s in sources],
                      headers=[str(h) for h in local])
        unit.entry_points = list(roots) + helpers
        unit.compile_flags = vpp_flags(root, nf_dir)
        if completion.plugin_dir is not None:
            unit.compile_flags.append(f"-I{completion.plugin_dir}")
        unit.attrs = {"src_root": str(root) if root else None, "entry_roots": list(roots),
                      "helpers": helpers}
        if completion.plugin_dir is not None:
            unit.attrs["tree_completion"] = completion.summary()
        if not roots:
            unit.attrs["entry_fallback"] = ("no VLIB_NODE_FN / VLIB_REGISTER_NODE function found: "
                                            "every function is a per-packet candidate")
        return finish(unit)

    def _root(self, nf_dir: Path) -> Optional[Path]:
        for marker in ("src/vlib", "include/vlib", "vlib"):
            root = find_root(nf_dir, marker, self.src_dirs)
            if root is not None:
                return root
        return None

    @staticmethod
    def _node_functions(sources: list[Path]) -> dict[str, str]:
        """Node function name -> body text, for every node defined in ``sources``."""
        out: dict[str, str] = {}
        registered: list[str] = []
        off_path: set[str] = set()
        for f in sources:
            text = st.code(f)
            for m in _REGISTER.finditer(text):
                brace = m.end() - 1
                body = text[brace:st.matching_brace(text, brace)]
                fn = _DOT_FUNCTION.search(body)
                if _OFF_PATH_TYPE.search(body):
                    off_path |= {f"{m.group(1)}_fn", fn.group(1) if fn else ""}
                elif fn:
                    registered.append(fn.group(1))
        for f in sources:
            text = st.code(f)
            for m in _NODE_FN.finditer(text):
                brace = m.end() - 1
                if f"{m.group(1)}_fn" not in off_path:
                    out[f"{m.group(1)}_fn"] = text[brace:st.matching_brace(text, brace)]
        defs = {d.short: d for f in sources for d in st.function_defs(f)}
        for fn in registered:
            if fn not in out and fn in defs:
                d = defs[fn]
                out[fn] = st.code(d.file)[d.body_start:d.body_end]
        return out

    @staticmethod
    def _helpers(roots: dict[str, str], files: list[Path]) -> list[str]:
        """Functions defined in ``files`` reachable by calls from the node functions."""
        defs = {}
        for f in files:
            for d in st.function_defs(f):
                defs.setdefault(d.short, st.code(d.file)[d.body_start:d.body_end])
        seen: list[str] = []
        todo = list(roots.values())
        while todo:
            for callee in sorted(st.called_names(todo.pop(0))):
                if callee in defs and callee not in seen and callee not in roots:
                    seen.append(callee)
                    todo.append(defs[callee])
        return seen


def vpp_flags(root: Optional[Path], nf_dir: Path) -> list[str]:
    """-I the plugin dir, its parent (``<plugin/x.h>``) and the tree's src/include dirs."""
    flags = [f"-I{nf_dir}", f"-I{nf_dir.parent}"]
    if root is not None:
        for sub in ("src", "src/plugins", "include", "plugins", "."):
            d = (root / sub).resolve()
            if d.is_dir() and f"-I{d}" not in flags:
                flags.append(f"-I{d}")
    return flags
