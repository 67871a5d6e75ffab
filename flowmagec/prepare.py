"""Framework preparation: the generated headers a stock checkout lacks, made in the cache.

A FastClick checkout has no ``include/click/config.h`` until ``./configure``
ran; a VPP checkout has no ``vlib/config.h``, ``vppinfra/config.h`` nor the
``*.api_enum.h`` / ``*.api_types.h`` that ``vppapigen`` writes at build time.
Without them every NF's IR is unavailable.  This module makes them with the
tree's own generators, but always *outside* the user's tree:

- one place per framework: ``prepare_fastclick.py`` (runs the tree's
  ``configure`` out of tree) and ``prepare_vpp.py`` (fills the tree's
  ``*.h.in`` and runs the tree's ``vppapigen``);
- the result lives in ``<cache>/prepared/<framework>-<key>/``, where the key
  is the tree's path plus a content digest of everything the generation reads
  (so it runs once per tree, and again only when those inputs change);
- a directory is built under a temporary name and renamed into place, so
  concurrent runs never see half a preparation; a failure is cached too
  (``failed.txt``, one line) and is the unit's IR status;
- a real build's ``compile_commands.json`` (``--compdb``) still wins: units
  whose files all have an entry are not prepared.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Protocol

from .artifacts import NFUnit

PREPARED_DIR = "prepared"
# Paths inside a preparation are stored with this prefix: it is built under a
# temporary name and renamed into place.
HERE = "@PREPARED@"
RESULT_FILE = "prepared.json"
FAILED_FILE = "failed.txt"


@dataclass
class Prepared:
    """What one preparation of one tree produced."""
    framework: str
    root: Path
    out: Optional[Path]             # the prepared directory (None when it failed)
    error: str = ""                 # one line, when it failed
    info: dict = field(default_factory=dict)   # framework-specific (flags, what was generated)

    @property
    def ok(self) -> bool:
        return self.out is not None and not self.error

    def path(self, stored: str) -> str:
        """A path of ``info`` (stored relative to ``HERE``) made absolute."""
        return stored.replace(HERE, str(self.out))


def stored(value, out: Path):
    """``value`` (str / list / dict of them) with ``out`` spelled as ``HERE``."""
    if isinstance(value, str):
        return value.replace(str(out), HERE)
    if isinstance(value, list):
        return [stored(v, out) for v in value]
    if isinstance(value, dict):
        return {k: stored(v, out) for k, v in value.items()}
    return value


class Preparer(Protocol):
    """One framework's preparation (see prepare_fastclick.py, prepare_vpp.py)."""
    framework: str

    def needed(self, root: Path) -> bool:
        """True when the tree lacks what a build would generate."""

    def inputs(self, root: Path) -> list[Path]:
        """Every file the generation reads (its content is the cache key)."""

    def options(self) -> list[str]:
        """What else decides the output (configure options, tool versions)."""

    def generate(self, root: Path, out: Path, log: Callable[[str], None]) -> dict:
        """Write the generated files under ``out``; return ``info``; raise PrepareError."""

    def flags_for(self, unit: NFUnit, prepared: Prepared) -> list[str]:
        """The unit's compile flags once the tree is prepared."""


class PrepareError(Exception):
    """A generation step failed; the message is one line for ``ir_status``."""


def tree_key(root: Path, inputs: Iterable[Path], options: Iterable[str]) -> str:
    """sha256 of the tree's path, the generation's inputs (relative name + content), options."""
    h = hashlib.sha256(str(root.resolve()).encode())
    for p in sorted(inputs):
        h.update(b"\0" + str(p.relative_to(root) if p.is_relative_to(root) else p).encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<missing>")
    h.update("\0".join(options).encode())
    return h.hexdigest()[:20]


_LOCK = threading.Lock()
_MEMO: dict[tuple[str, str, str], Prepared] = {}


def prepare_tree(preparer: Preparer, root: Path, cache: Path,
                 log: Callable[[str], None] = lambda s: None) -> Prepared:
    """The tree's preparation from the cache, or made now (once per process and key)."""
    root = root.resolve()
    with _LOCK:                      # units are prepared from one thread, but keep it safe
        key = tree_key(root, preparer.inputs(root), preparer.options())
        memo_key = (preparer.framework, str(root), f"{cache.resolve()}/{key}")
        if memo_key in _MEMO:
            return _MEMO[memo_key]
        done = _load_or_make(preparer, root, cache / PREPARED_DIR / f"{preparer.framework}-{key}",
                             log)
        _MEMO[memo_key] = done
        return done


def _load_or_make(preparer: Preparer, root: Path, final: Path,
                  log: Callable[[str], None]) -> Prepared:
    cached = _load(preparer.framework, root, final)
    if cached is not None:
        return cached
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{final.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    log(f"note: preparing {preparer.framework} tree {root} in {final}")
    try:
        info = preparer.generate(root, tmp, log)
        (tmp / RESULT_FILE).write_text(json.dumps(stored(info, tmp), indent=1))
    except PrepareError as e:
        (tmp / FAILED_FILE).write_text(str(e).splitlines()[0] if str(e) else "preparation failed")
    try:
        os.rename(tmp, final)
    except OSError:                  # another process won the race: use its result
        shutil.rmtree(tmp, ignore_errors=True)
    done = _load(preparer.framework, root, final)
    return done or Prepared(preparer.framework, root, None, "preparation failed: no result")


def _load(framework: str, root: Path, final: Path) -> Optional[Prepared]:
    if (final / FAILED_FILE).is_file():
        return Prepared(framework, root, None, (final / FAILED_FILE).read_text().strip())
    if (final / RESULT_FILE).is_file():
        try:
            info = json.loads((final / RESULT_FILE).read_text())
        except ValueError:
            return None
        return Prepared(framework, root, final, "", info)
    return None


# ---------------------------------------------------------------- units

def _preparers() -> dict[str, Preparer]:
    from .prepare_fastclick import FastClickPreparer
    from .prepare_vpp import VppPreparer
    return {p.framework: p for p in (FastClickPreparer(), VppPreparer())}


def prepare_units(units: list[NFUnit], cache: Path, needs: Callable[[NFUnit], bool],
                  log: Callable[[str], None] = lambda s: None) -> None:
    """Give each unit of an unprepared stock tree the flags of the prepared tree.

    ``needs(unit)``: whether the unit uses adapter flags at all (False when
    every file has a compile_commands.json entry).  A failed preparation is
    recorded in ``unit.attrs['prepare_error']`` (the IR status then says it).
    """
    preparers = _preparers()
    per_root: dict[tuple[str, str], Optional[Prepared]] = {}   # the key is read once per tree
    for u in units:
        preparer = preparers.get(u.framework)
        root = u.attrs.get("src_root")
        if preparer is None or not root or not needs(u):
            continue
        if (u.framework, root) not in per_root:
            per_root[(u.framework, root)] = (prepare_tree(preparer, Path(root), cache, log)
                                             if preparer.needed(Path(root)) else None)
        done = per_root[(u.framework, root)]
        if done is None:
            continue
        if not done.ok:
            u.attrs["prepare_error"] = done.error
            continue
        u.compile_flags = preparer.flags_for(u, done)
        u.attrs["prepared"] = str(done.out)
