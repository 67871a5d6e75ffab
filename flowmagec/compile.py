"""Compile NF units to LLVM bitcode with clang (cached by content digest).

Choices (see also docs/DESIGN.md):
- ``clang -emit-llvm -c -g -O1 -fno-discard-value-names``.  -O1 runs mem2reg
  and inlines trivial accessors (``ip_header()``), which is what the IR passes
  want; clang-14 keeps typed struct GEPs at -O1, so header fields stay
  recoverable.  ``-g`` gives ``!dbg`` lines for evidence.
- Flags, in order of preference: the file's entry in ``--compdb``
  compile_commands.json; else, for a stock (unconfigured) framework tree, the
  flags of the tree prepared in the cache (``prepare.py``: FastClick's own
  configure, VPP's generated headers and vppapigen); else the adapter's flags
  (a configured FastClick tree gets ``-DHAVE_CONFIG_H -DCLICK_USERLEVEL
  -Iinclude -I. -Ivendor``).  A file whose only problem is a missing DPDK
  header is compiled again with ``pkg-config --cflags libdpdk``.
- Several files of one NF, and the out-of-line code of its C++ bases found in
  the tree (``attrs['base_sources']``), are linked into one module with llvmlite.
- Cache: ``--cache-dir``, ``$FLOWMAGEC_CACHE_DIR``, or ``$XDG_CACHE_HOME/flowmagec``
  (``~/.cache/flowmagec``); an entry's name is the sha256 of the file, the NF's headers,
  the flags and ``clang --version``.  Failures are cached too (``.err``).
- On failure the unit keeps going: ``ir_status`` is one line, ``unavailable:
  elements/x.cc:12:10: 'bar.h' file not found`` (paths relative to the tree,
  plus ``(in FILE)`` when the error is in a header), and the source-level
  passes still run.  When only some files
  of a multi-file NF compile, the rest is linked and the status says
  ``partial: ...``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shlex
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from . import prepare
from .adapters.common import content_digest, dpdk_cflags
from .adapters.source_text import CXX_SUFFIXES
from .artifacts import NFUnit, NFUnits
from .errors import InputError

IR_FLAGS = ["-emit-llvm", "-c", "-g", "-O1", "-fno-discard-value-names", "-w",
            "-ferror-limit=3"]
DEFAULT_CACHE = "flowmagec"        # under $XDG_CACHE_HOME (see cache_root)
COMPILE_TIMEOUT_S = 120


def cache_root(cache_dir: Optional[str] = None) -> Path:
    """``--cache-dir``, else ``$FLOWMAGEC_CACHE_DIR``, else ``$XDG_CACHE_HOME/flowmagec``,
    else ``~/.cache/flowmagec`` (never the working directory)."""
    explicit = cache_dir or os.environ.get("FLOWMAGEC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / DEFAULT_CACHE


@functools.lru_cache(maxsize=4)
def clang_version(cc: str = "clang") -> str:
    try:
        out = subprocess.run([cc, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.splitlines()[0] if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


# ---------------------------------------------------------------- compile_commands.json

class CompileDB:
    """Per-file flags from a compile_commands.json (include/define/std/machine flags only)."""

    _DROP_WITH_ARG = {"-o", "-MF", "-MT", "-MQ", "-c"}

    def __init__(self, path: str):
        try:
            entries = json.loads(Path(path).read_text())
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read compilation database '{path}': {e}") from e
        self.flags: dict[Path, list[str]] = {}
        for e in entries:
            directory = Path(e.get("directory", "."))
            args = e.get("arguments") or shlex.split(e.get("command", ""))
            file = (directory / e["file"]).resolve()
            self.flags[file] = self._keep(args[1:], directory, file)

    def _keep(self, args: list[str], directory: Path, file: Path) -> list[str]:
        out, skip = [], False
        for i, a in enumerate(args):
            if skip:
                skip = False
                continue
            if a in self._DROP_WITH_ARG:
                skip = a != "-c"
                continue
            if a.startswith(("-M", "-o")) or (directory / a).resolve() == file:
                continue
            for opt in ("-I", "-isystem", "-iquote", "-include"):
                if a.startswith(opt) and len(a) > len(opt) and not a[len(opt)].startswith("/"):
                    a = opt + str((directory / a[len(opt):]).resolve())
            out.append(a)
        return out

    def for_file(self, file: str) -> Optional[list[str]]:
        return self.flags.get(Path(file).resolve())


# ---------------------------------------------------------------- one file

@dataclass
class FileResult:
    source: str
    bitcode: Optional[Path]
    error: str = ""


def _first_error(stderr: str) -> str:
    for line in stderr.splitlines():
        if re.search(r"\b(fatal )?error:", line):
            return line.strip()
    lines = [l for l in stderr.splitlines() if l.strip()]
    return lines[0].strip() if lines else "clang failed"


def compiler_for(source: str) -> str:
    return "clang++" if Path(source).suffix in CXX_SUFFIXES else "clang"


def compile_file(source: str, flags: list[str], headers: list[str], cache: Path) -> FileResult:
    """clang -emit-llvm one file into the cache (or reuse a cached result)."""
    cc = compiler_for(source)
    digest = content_digest([source, *headers], flags + IR_FLAGS, clang_version(cc))
    out, err = cache / "bc" / f"{digest}.bc", cache / "bc" / f"{digest}.err"
    if out.is_file():
        return FileResult(source, out)
    if err.is_file():
        return FileResult(source, None, err.read_text())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.{id(out)}.tmp")
    cmd = [cc, *flags, *IR_FLAGS, source, "-o", str(tmp)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return FileResult(source, None, f"clang timed out after {COMPILE_TIMEOUT_S}s")
    except OSError as e:
        return FileResult(source, None, f"cannot run {cc}: {e}")
    if proc.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        message = _first_error(proc.stderr)
        err.write_text(message)
        return FileResult(source, None, message)
    os.replace(tmp, out)
    return FileResult(source, out)


# ---------------------------------------------------------------- linking

def link_bitcode(parts: list[Path], out: Optional[Path] = None) -> Path:
    """Link several bitcode files into one module (llvmlite ``link_in``).

    The module is named after its parts (content-addressed bitcode files), so
    a unit whose flags or files change gets a new module."""
    if len(parts) == 1:
        return parts[0]
    if out is None:
        name = hashlib.sha256("\0".join(p.name for p in parts).encode()).hexdigest()[:32]
        out = parts[0].parent.parent / "units" / f"{name}.bc"
    if out.is_file():
        return out
    import llvmlite.binding as llvm
    out.parent.mkdir(parents=True, exist_ok=True)
    main = llvm.parse_bitcode(parts[0].read_bytes())
    for p in parts[1:]:
        main.link_in(llvm.parse_bitcode(p.read_bytes()))
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(main.as_bitcode())
    os.replace(tmp, out)
    return out


# ---------------------------------------------------------------- status lines

_LOCATION = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<col>\d+): "
                       r"(?:fatal error|error): (?P<msg>.*)$")


def _relative(path: str, bases: list[Path]) -> str:
    p = Path(path)
    if not p.is_absolute():
        return path
    for b in bases:
        try:
            return str(p.resolve().relative_to(b))
        except ValueError:
            continue
    return path


def status_line(source: str, error: str, bases: list[Path]) -> str:
    """One readable line: ``elements/x.cc:12:10: 'bar.h' file not found`` (paths
    relative to the tree / NF directory), plus the file being compiled when
    the error is in a header."""
    tu = _relative(source, bases)
    m = _LOCATION.match(error.strip())
    if not m:
        return f"{tu}: {error.strip()}"
    where = _relative(m.group("file"), bases)
    line = f"{where}:{m.group('line')}:{m.group('col')}: {m.group('msg').strip()}"
    return line if where == tu else f"{line} (in {tu})"


def _bases(unit: NFUnit) -> list[Path]:
    """Directories error paths are shown relative to: the tree, else the NF's parent dir."""
    out = []
    if unit.attrs.get("prepared"):           # generated headers: 'gen/vnet/l2/l2.api.c'
        out.append(Path(unit.attrs["prepared"]).resolve())
    if unit.attrs.get("src_root"):
        out.append(Path(unit.attrs["src_root"]).resolve())
    if unit.files:
        out.append(Path(unit.files[0]).resolve().parent.parent)
    return out


# ---------------------------------------------------------------- units

def _status(unit: NFUnit, results: list[FileResult]) -> tuple[Optional[list[Path]], str]:
    ok = [r.bitcode for r in results if r.bitcode is not None]
    failed = [r for r in results if r.bitcode is None]
    if not results:
        return None, "unavailable: no source files"
    if not failed:
        return ok, "ok"
    first = status_line(failed[0].source, failed[0].error, _bases(unit))
    if not ok:
        return None, f"unavailable: {first}"
    return ok, f"partial: {len(ok)}/{len(results)} files compiled; {first}"


# A file that fails only because a header of a known library is missing is
# compiled again with that library's flags (the compiler, not a lexical scan,
# saw the include under the tree's #if conditions).
MISSING_HEADER_FLAGS: list[tuple[re.Pattern, Callable[[], list[str]]]] = [
    (re.compile(r"'rte_\w+\.h' file not found"), dpdk_cflags),
]


def _with_library_flags(flags: list[str], error: str) -> Optional[list[str]]:
    for pattern, provider in MISSING_HEADER_FLAGS:
        extra = provider() if pattern.search(error) else []
        if extra and not all(f in flags for f in extra):
            return flags + [f for f in extra if f not in flags]
    return None


def _own_header(source: str, headers: list[str]) -> tuple[str, ...]:
    """The header declaring a base source's class (same stem), for its cache key."""
    return tuple(h for h in headers if Path(h).stem == Path(source).stem)


def _link_unit(own: list[Path], bases: list[Path], unit: NFUnit,
               log: Callable[[str], None]) -> Path:
    """The NF's module: own files plus base-class files; without the latter if they clash."""
    if bases:
        try:
            return link_bitcode(own + bases)
        except Exception as e:       # e.g. a symbol defined in both: keep the NF's own code
            log(f"note: {unit.name}: base sources not linked: {str(e).splitlines()[0]}")
    return link_bitcode(own)


def compile_units(units: NFUnits, compdb=None, cache_dir=None, jobs=0,
                  log: Callable[[str], None] = lambda s: None,
                  on_file: Optional[Callable[[int, int], None]] = None) -> NFUnits:
    """Compile every unit's files to bitcode; set ``bitcode`` and ``ir_status``.

    Stock framework trees are prepared first (``prepare.py``: configure /
    generated headers in the cache).  A unit's module links its own files and
    the out-of-line code of its C++ bases (``attrs['base_sources']``, found by
    the adapter); a base file that does not compile is left out of the module
    without making the NF partial.  ``on_file(done, total)`` is called as each
    distinct file finishes (the progress display)."""
    db = CompileDB(compdb) if compdb else None
    cache = cache_root(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    prepare.prepare_units(units.units, cache,
                          needs=lambda u: db is None or any(db.for_file(f) is None
                                                            for f in u.files),
                          log=log)
    tasks = [(u, f, (db.for_file(f) if db else None) or u.compile_flags, own,
              tuple(u.headers) if own else _own_header(f, u.headers))
             for u in units.units if not u.attrs.get("prepare_error")
             for f, own in [*((f, True) for f in u.files),
                            *((f, False) for f in u.attrs.get("base_sources", []))]]
    # Elements sharing a .cc (AverageCounter / ...MP / ...IMP) compile it once;
    # a base's .cc is keyed by its own header only, so it is shared by all its subclasses.
    unique = list(dict.fromkeys((f, tuple(flags), hdrs) for _, f, flags, _, hdrs in tasks))
    workers = jobs or os.cpu_count() or 1

    def build(key) -> FileResult:
        f, flags, headers = key
        res = compile_file(f, list(flags), list(headers), cache)
        retry = _with_library_flags(list(flags), res.error) if res.bitcode is None else None
        return compile_file(f, retry, list(headers), cache) if retry else res

    finished = iter(range(1, len(unique) + 1))     # next() is atomic under the GIL

    def build_and_report(key) -> FileResult:
        res = build(key)
        if on_file is not None:
            on_file(next(finished), len(unique))
        return res

    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(unique, pool.map(build_and_report, unique)))
    by_unit: dict[int, list[FileResult]] = {}
    base_parts: dict[int, list[Path]] = {}
    for u, f, flags, own, hdrs in tasks:
        res = done[(f, tuple(flags), hdrs)]
        if own:
            by_unit.setdefault(id(u), []).append(res)
        elif res.bitcode is not None:
            base_parts.setdefault(id(u), []).append(res.bitcode)
        else:
            log(f"note: {u.name}: base source {Path(f).name} left out of the module: {res.error}")
    for u in units.units:
        u.bitcode = None
        if u.attrs.get("prepare_error"):
            u.ir_status = f"unavailable: preparing the {u.framework} tree failed: " \
                          f"{u.attrs['prepare_error']}"
            log(f"note: {u.name}: IR {u.ir_status}")
            continue
        parts, status = _status(u, by_unit.get(id(u), []))
        u.ir_status = status
        if parts:
            bases = [p for p in base_parts.get(id(u), []) if p not in parts]
            try:
                u.bitcode = str(_link_unit(parts, bases, u, log))
            except Exception as e:   # llvmlite raises RuntimeError on bad/mismatched modules
                u.ir_status = f"unavailable: link failed: {str(e).splitlines()[0] if str(e) else e}"
        if u.ir_status != "ok":
            log(f"note: {u.name}: IR {u.ir_status}")
    return units
