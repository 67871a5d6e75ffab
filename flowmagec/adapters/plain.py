"""Plain C/C++ and DPDK adapter: one NF per source file, named after the file stem.

The per-packet function is named in the source with a comment

    // flowmage: entry FUNCTION

(several lines allowed), or with ``--entry FUNC`` on the command line.  When
a directory is scanned without an explicit framework, only files carrying
that comment are taken as NFs (a library .c is not an NF).  DPDK is told
apart from plain C by an ``#include <rte_...>``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Optional

from ..artifacts import NFUnit
from . import source_text as st
from .common import IncludeResolver, dpdk_cflags, files_under, finish

ENTRY_COMMENT = re.compile(r"(?://|/\*)\s*flowmage:\s*entry\s+([A-Za-z_]\w*)")


def entry_comments(path: Path) -> list[str]:
    return ENTRY_COMMENT.findall(st.read(path))


def uses_dpdk(paths: Iterable[Path]) -> bool:
    return any(name.startswith("rte_") for p in paths for name, _ in st.includes(p))


class PlainAdapter:
    def __init__(self, src_dirs: Iterable[str] = (), entry: Optional[str] = None,
                 framework: Optional[str] = None):
        self.src_dirs = [Path(s) for s in src_dirs]
        self.entry = entry
        self.framework = framework      # 'dpdk' | 'plain' | None (auto per file)

    def candidates(self, path: Path, require_marker: bool) -> list[Path]:
        files = files_under(path, st.SOURCE_SUFFIXES)
        if path.is_file() or not require_marker or self.entry:
            return files
        return [f for f in files if entry_comments(f)]

    def discover(self, path: Path, require_marker: bool = True) -> list[NFUnit]:
        return [self.unit_for(f) for f in self.candidates(path, require_marker)]

    def unit_for(self, source: Path) -> NFUnit:
        resolver = IncludeResolver(self.src_dirs, source.parent)
        reachable = resolver.closure([source])
        headers = [h for h in reachable if h.suffix in st.HEADER_SUFFIXES]
        framework = self.framework or ("dpdk" if uses_dpdk(reachable) else "plain")
        entries = [self.entry] if self.entry else entry_comments(source)
        unit = NFUnit(name=source.stem, framework=framework, files=[str(source)],
                      headers=[str(h) for h in headers], entry_points=entries)
        flags = [f"-I{source.parent}", *(f"-I{d}" for d in self.src_dirs)]
        if source.suffix in st.CXX_SUFFIXES:
            flags.insert(0, "-std=gnu++17")
        if framework == "dpdk":
            flags += dpdk_cflags()
        unit.compile_flags = flags
        unit.attrs = {"entry_roots": list(entries)}
        if not entries:
            unit.attrs["entry_fallback"] = ("no '// flowmage: entry FUNC' comment and no --entry: "
                                            "every function is a per-packet candidate")
        return finish(unit)
