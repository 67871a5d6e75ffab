"""Completing an NF copy's code from the framework tree it was taken from.

Benchmark directories often hold only part of an NF: the FlowMage copy of
VPP's ``lb`` plugin has ``lb.c`` / ``lb.h`` (control plane) but not
``node.c`` (the data plane).  The copy's own code still says where it lives:
it includes its own header through the tree path (``#include <lb/lb.h>``,
``<nat/nat64/nat64.h>``, ``<plugins/adl/adl.h>``).  When ``--src`` names the
framework tree, that directory part is looked up in the tree; the directory
found is the NF's plugin directory there, and its data-plane sources join the
unit:

- node files: ``.c`` files defining a packet node (``VLIB_NODE_FN`` or a
  ``VLIB_REGISTER_NODE`` that is not a process/input node);
- helper files: other ``.c`` files of the plugin directory defining functions
  the node files call (transitively), e.g. ``nat64_db.c``;
- headers those files include from the plugin directory (``lbhash.h``,
  ``fa_node.h``).

Nothing is chosen by name: the match is an include path the code wrote, it is
confirmed by shared code (a share of the copy's lines present in the tree
directory), and tree files that are twins of the copy's files (same code,
possibly renamed) are not added twice.  Each decision carries evidence.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from . import source_text as st

# A copy whose lines are this rare in the tree directory is not from there.
MIN_SHARED_LINES = 0.2
# A tree file whose lines are mostly in one copy file is that file's twin.
TWIN_SHARED_LINES = 0.6
_NODE_FN = re.compile(r"\bVLIB_NODE_FN\s*\(")
_REGISTER = re.compile(r"\bVLIB_REGISTER_NODE\s*\(\s*\w+[^)]*\)\s*=\s*\{")
_OFF_PATH_TYPE = re.compile(r"\.type\s*=\s*VLIB_NODE_TYPE_(?:PROCESS|INPUT)\b")
_TEST_FILE = re.compile(r"(^test_|_test\.c$)")


@dataclass
class TreeCompletion:
    """What the tree adds to an NF copy, and why."""
    plugin_dir: Optional[Path] = None
    files: list[Path] = field(default_factory=list)      # added .c sources
    headers: list[Path] = field(default_factory=list)    # added headers of the plugin dir
    evidence: list[str] = field(default_factory=list)    # one line per decision

    def summary(self) -> str:
        names = ", ".join(p.name for p in self.files + self.headers)
        return f"completed from {self.plugin_dir}: added {names}; " + "; ".join(self.evidence)


def search_dirs(tree: Path) -> list[Path]:
    """Directories an include path is relative to inside a VPP-like tree."""
    cands = [tree, tree / "src", tree / "src" / "plugins", tree / "plugins", tree / "include"]
    return [d for d in cands if d.is_dir()]


def own_header_includes(nf_dir: Path, files: Iterable[Path]) -> list[tuple[Path, int, str]]:
    """(file, line, name) of includes that spell a header of the copy by a tree path.

    ``#include <lb/lb.h>`` in a copy holding ``lb.h``: the header is the
    copy's own, and ``lb/`` is where it lives in the tree."""
    local = {p.name for p in nf_dir.iterdir() if p.is_file()}
    out = []
    for f in files:
        text = st.code(f)
        for m in st._INCLUDE.finditer(text):
            name = m.group(2).strip()
            if "/" in name and os.path.basename(name) in local:
                out.append((f, st.line_of(text, m.start()), name))
    return out


@functools.lru_cache(maxsize=4096)
def _line_set(path: str) -> frozenset[str]:
    """Distinctive code lines of a file (comments blanked, short lines dropped)."""
    lines = (ln.strip() for ln in st.code(path).splitlines())
    return frozenset(ln for ln in lines if len(ln) > 12)


def shared_share(files: Iterable[Path], others: Iterable[Path]) -> float:
    """Share of the distinctive lines of ``files`` that also occur in ``others``."""
    mine = frozenset().union(*(_line_set(str(f)) for f in files))
    theirs = frozenset().union(*(_line_set(str(f)) for f in others))
    return len(mine & theirs) / len(mine) if mine else 0.0


def is_node_file(path: Path) -> bool:
    """A ``.c`` defining a packet-path node (not only process/input nodes)."""
    text = st.code(path)
    if _NODE_FN.search(text):
        return True
    for m in _REGISTER.finditer(text):
        body = text[m.end() - 1:st.matching_brace(text, m.end() - 1)]
        if not _OFF_PATH_TYPE.search(body):
            return True
    return False


def twin_of(tree_file: Path, copy_files: list[Path]) -> Optional[Path]:
    """The copy file holding most of ``tree_file``'s lines (the same code, maybe renamed)."""
    for c in copy_files:
        if c.suffix == tree_file.suffix and shared_share([tree_file], [c]) >= TWIN_SHARED_LINES:
            return c
    return None


class TreeCompleter:
    """Finds an NF copy's plugin directory in ``--src`` trees and its data-plane files."""

    def __init__(self, src_dirs: Iterable[str]):
        self.trees = [Path(s).resolve() for s in src_dirs]

    def complete(self, nf_dir: Path) -> TreeCompletion:
        nf_dir = nf_dir.resolve()
        if not self.trees or any(t == nf_dir or t in nf_dir.parents for t in self.trees):
            return TreeCompletion()       # the NF already is tree code
        copy_files = sorted(p for p in nf_dir.iterdir() if p.suffix in (".c", ".h"))
        found = self._plugin_dir(nf_dir, copy_files)
        if found is None:
            return TreeCompletion()
        plugin_dir, why = found
        done = TreeCompletion(plugin_dir=plugin_dir, evidence=[why])
        tree_c = sorted(p for p in plugin_dir.glob("*.c") if not _TEST_FILE.search(p.name))
        fresh = {}
        for p in tree_c:
            twin = twin_of(p, copy_files)
            if twin is None:
                fresh[p] = None
            else:
                done.evidence.append(f"{p.name} not added: the copy's {twin.name} holds its code")
        nodes = [p for p in fresh if is_node_file(p)]
        for p in nodes:
            done.evidence.append(f"{p.name} defines a packet node (VLIB_NODE_FN/VLIB_REGISTER_NODE)")
        helpers = self._helper_files(nodes, [p for p in fresh if p not in nodes], done.evidence)
        done.files = nodes + helpers
        done.headers = self._plugin_headers(done.files, plugin_dir, copy_files)
        if done.headers:
            done.evidence.append("headers they include from the plugin dir: "
                                 + ", ".join(h.name for h in done.headers))
        return done

    def _plugin_dir(self, nf_dir: Path, copy_files: list[Path]) -> Optional[tuple[Path, str]]:
        for f, line, name in own_header_includes(nf_dir, copy_files):
            rel = os.path.dirname(name)
            for tree in self.trees:
                for base in search_dirs(tree):
                    cand = (base / rel).resolve()
                    if not cand.is_dir() or cand == nf_dir:
                        continue
                    share = shared_share(copy_files, list(cand.glob("*.[ch]")))
                    if share >= MIN_SHARED_LINES:
                        return cand, (f"{f.name}:{line}: #include <{name}> names the copy's own "
                                      f"{os.path.basename(name)} by its tree path; {cand} holds "
                                      f"{share:.0%} of the copy's code lines")
        return None

    @staticmethod
    def _helper_files(nodes: list[Path], others: list[Path], evidence: list[str]) -> list[Path]:
        """Files of ``others`` defining functions the node files call, transitively."""
        defs = {o: {d.short for d in st.function_defs(o)} for o in others}
        called = set().union(*(st.called_names(st.code(n)) for n in nodes)) if nodes else set()
        added: list[Path] = []
        changed = True
        while changed:
            changed = False
            for o, names in defs.items():
                hit = sorted(names & called)
                if o not in added and hit:
                    added.append(o)
                    evidence.append(f"{o.name} defines {', '.join(hit[:3])} called on the packet path")
                    called |= st.called_names(st.code(o))
                    changed = True
        return added

    @staticmethod
    def _plugin_headers(files: list[Path], plugin_dir: Path, copy_files: list[Path]) -> list[Path]:
        """Headers of ``plugin_dir`` included (transitively) by ``files``, twins left out."""
        out: list[Path] = []
        todo = list(files)
        seen: set[Path] = set()
        while todo:
            f = todo.pop(0)
            if f in seen:
                continue
            seen.add(f)
            for name, _quoted in st.includes(f):
                h = plugin_dir / os.path.basename(name)
                if h not in out and _in_plugin(name, plugin_dir, h) \
                        and twin_of(h, copy_files) is None:
                    out.append(h)
                    todo.append(h)
        return out


def _in_plugin(name: str, plugin_dir: Path, h: Path) -> bool:
    """``<lb/lbhash.h>`` or ``"fa_node.h"`` naming a file of the plugin dir."""
    if not h.is_file() or h.suffix not in st.HEADER_SUFFIXES:
        return False
    rel = os.path.dirname(name)
    return rel == "" or plugin_dir.as_posix().endswith("/" + rel)
