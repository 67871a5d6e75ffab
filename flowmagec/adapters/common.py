"""Pieces every adapter shares: include resolution inside source roots, digests, roots."""
from __future__ import annotations

import functools
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Iterable, Optional

from ..artifacts import NFUnit
from . import source_text


class IncludeResolver:
    """Resolves #include names to files, but only inside the given roots.

    Search order: the including file's dir (quoted includes), each root's
    ``include/`` and the root itself (and VPP's ``src/``, ``plugins/``), then
    -- because benchmark directories hold copies of base headers next to the
    element (``flowelement.hh`` included as ``<click/flow/flowelement.hh>``)
    -- for files of the NF's own directory, a file of the same base name there.
    Resolutions are memoised process-wide: a FastClick tree re-includes the
    same few hundred headers for every element.
    """

    def __init__(self, roots: Iterable[Path], nf_dir: Optional[Path] = None):
        self.roots = [Path(r).resolve() for r in roots]
        self.nf_dir = str(nf_dir.resolve()) if nf_dir else None
        search: list[str] = []
        for r in self.roots:
            search += [str(r / "include"), str(r), str(r / "src"), str(r / "src" / "plugins"),
                       str(r / "plugins")]
        self.search = tuple(dict.fromkeys(d for d in search if os.path.isdir(d)))

    def resolve(self, name: str, quoted: bool, from_file: Path) -> Optional[Path]:
        from_dir = os.path.dirname(str(from_file))
        hit = _resolve(name, quoted, from_dir, self.search)
        if hit is None and self.nf_dir is not None and from_dir == self.nf_dir:
            hit = _resolve(os.path.basename(name), True, self.nf_dir, ())
        return Path(hit) if hit else None

    def closure(self, start: Iterable[Path], limit: int = 400) -> list[Path]:
        """Every file reachable from ``start`` through resolvable includes (BFS order)."""
        seen: dict[str, None] = {}
        todo = [str(Path(s).resolve()) for s in start]
        while todo and len(seen) < limit:
            f = todo.pop(0)
            if f in seen:
                continue
            seen[f] = None
            if os.path.dirname(f) == self.nf_dir:
                todo += [str(h) for name, q in source_text.includes(f)
                         if (h := self.resolve(name, q, Path(f))) is not None]
            else:
                todo += _resolved_includes(f, self.search)
        return [Path(f) for f in seen]


@functools.lru_cache(maxsize=65536)
def _resolve(name: str, quoted: bool, from_dir: str, search: tuple[str, ...]) -> Optional[str]:
    dirs = ((from_dir,) if quoted else ()) + search
    for d in dirs:
        c = os.path.join(d, name)
        if os.path.isfile(c):
            return os.path.realpath(c)
    return None


@functools.lru_cache(maxsize=16384)
def _resolved_includes(file: str, search: tuple[str, ...]) -> tuple[str, ...]:
    from_dir = os.path.dirname(file)
    out = (_resolve(name, q, from_dir, search) for name, q in source_text.includes(file))
    return tuple(h for h in out if h)


def find_root(start: Path, marker: str, src_dirs: Iterable[str] = ()) -> Optional[Path]:
    """The framework root for ``start``: a --src dir or an ancestor holding ``marker``."""
    start = start.resolve()
    for s in src_dirs:
        sp = Path(s).resolve()
        if (sp / marker).exists():
            return sp
    for anc in [start, *start.parents]:
        if (anc / marker).exists():
            return anc
    return None


def content_digest(paths: Iterable[str], flags: Iterable[str], extra: str = "") -> str:
    """sha256 over file contents (in order), flags and an extra string."""
    h = hashlib.sha256()
    for p in paths:
        h.update(str(Path(p).name).encode())
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            h.update(b"<missing>")
    h.update("\0".join(flags).encode())
    h.update(extra.encode())
    return h.hexdigest()


def finish(unit: NFUnit) -> NFUnit:
    """Dedupe lists and stamp the content digest (used by the feature DB and the cache)."""
    unit.files = list(dict.fromkeys(unit.files))
    unit.headers = [h for h in dict.fromkeys(unit.headers) if h not in unit.files]
    unit.entry_points = list(dict.fromkeys(unit.entry_points))
    unit.digest = content_digest(unit.files + unit.headers + unit.attrs.get("base_sources", []),
                                 unit.compile_flags + unit.entry_points, unit.framework)
    return unit


def files_under(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files with the given suffixes under ``path`` (sorted, skipping hidden/build dirs).

    For a file, the file and its same-stem siblings (``x.hh`` given: ``x.cc`` too).
    """
    if path.is_file():
        return sorted(p for p in path.parent.glob(path.stem + ".*")
                      if p.suffix in suffixes and p.is_file())
    out = []
    for p in sorted(path.rglob("*")):
        if p.suffix in suffixes and p.is_file() and not any(
                part.startswith(".") for part in p.relative_to(path).parts):
            out.append(p)
    return out


@functools.lru_cache(maxsize=1)
def _dpdk_cflags() -> tuple[str, ...]:
    try:
        out = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True,
                             text=True, timeout=20)
        return tuple(out.stdout.split()) if out.returncode == 0 else ()
    except (OSError, subprocess.SubprocessError):
        return ()


def dpdk_cflags() -> list[str]:
    """``pkg-config --cflags libdpdk`` (empty when DPDK is not installed)."""
    return list(_dpdk_cflags())
