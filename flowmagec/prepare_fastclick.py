"""FastClick preparation: the tree's own ``configure``, run out of tree in the cache.

Autoconf's configure writes its outputs in the directory it runs in and only
reads ``$srcdir``, so ``<cache>/prepared/fastclick-<key>/`` gets
``include/click/config*.h``, ``userlevel/Makefile`` etc. while the user's tree
stays byte-identical.  The compile flags are then the ones the configured
``userlevel/Makefile`` would use (DEFS, INCLUDES, CPPFLAGS and the -m/-f/-I/-D
part of CXXFLAGS, which carries DPDK's pkg-config flags in a DPDK build), with
the build directory's include dirs backed by the tree's own where the build
directory has none (an in-tree build would find ``vendor/`` there).

One configuration per tree, whatever is audited, so an element's features do
not depend on what else was analysed: every element group the tree offers
(``--enable-all-elements``) and DPDK when ``pkg-config`` finds libdpdk.
"""
from __future__ import annotations

import functools
import re
import shlex
import subprocess
from pathlib import Path
from typing import Callable, Optional

from .adapters.common import dpdk_cflags
from .artifacts import NFUnit
from .prepare import Prepared, PrepareError

CONFIGURE_TIMEOUT_S = 600
# Bumped when what generate() writes changes (part of the cache key).
GENERATOR_VERSION = "1"
BASE_OPTIONS = ["--enable-userlevel", "--disable-linuxmodule", "--enable-all-elements"]
# Flags of the configured Makefile that change what the code means (not -O/-g/-W).
_KEPT_FLAG = re.compile(r"^-(?:I|D|U|include|isystem|iquote|m|std=|f(?!diagnostics))")
_JOINED_ARG = ("-I", "-D", "-U")                    # '-I dir' -> '-Idir'
_SEPARATE_ARG = ("-include", "-isystem", "-iquote")  # kept as two words


@functools.lru_cache(maxsize=1)
def _dpdk_version() -> str:
    try:
        out = subprocess.run(["pkg-config", "--modversion", "libdpdk"], capture_output=True,
                             text=True, timeout=20)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


class FastClickPreparer:
    framework = "fastclick"

    def needed(self, root: Path) -> bool:
        return not (root / "include" / "click" / "config.h").is_file() \
            and (root / "configure").is_file()

    def inputs(self, root: Path) -> list[Path]:
        """configure and the templates it fills (``*.in`` at the top and one level down)."""
        tops = [p for p in root.glob("*.in") if p.is_file()]
        subs = [p for p in root.glob("*/*.in") if p.is_file()]
        return [root / "configure", *tops, *subs]

    def options(self) -> list[str]:
        dpdk = _dpdk_version()
        return [*BASE_OPTIONS, "--enable-dpdk" if dpdk else "--disable-dpdk", f"dpdk={dpdk}",
                f"generator={GENERATOR_VERSION}"]

    def generate(self, root: Path, out: Path, log: Callable[[str], None]) -> dict:
        opts = [o for o in self.options() if o.startswith("--")]
        cmd = ["sh", str(root.resolve() / "configure"), *opts]   # exec bit not needed
        try:
            proc = subprocess.run(cmd, cwd=out, capture_output=True, text=True,
                                  timeout=CONFIGURE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise PrepareError(f"configure timed out after {CONFIGURE_TIMEOUT_S}s")
        except OSError as e:
            raise PrepareError(f"cannot run configure: {e}")
        (out / "flowmagec-configure.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise PrepareError(f"configure failed: {_last_error(proc.stdout + proc.stderr)}")
        if not (out / "include" / "click" / "config.h").is_file():
            raise PrepareError("configure ran but wrote no include/click/config.h")
        return {"options": opts, "flags": configured_flags(root, out)}

    def flags_for(self, unit: NFUnit, prepared: Prepared) -> list[str]:
        nf_dir = Path(unit.files[0]).parent if unit.files else prepared.root
        return ["-std=gnu++17", f"-I{nf_dir}",
                *(prepared.path(f) for f in prepared.info.get("flags", []))]


def _last_error(output: str) -> str:
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    errs = [l for l in lines if "error" in l.lower()]
    return (errs or lines or ["no output"])[-1][:300]


# ---------------------------------------------------------------- the configured Makefile

_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*([:+?]?=)\s*(.*)$")
_REF = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]")
_COND = re.compile(r"^(ifeq|ifneq|ifdef|ifndef)\s*(.*)$")


class MakeVariables:
    """The variable assignments of a Makefile, with conditionals and references evaluated.

    Just enough of make for a configured Click Makefile: ``=``, ``:=``, ``+=``,
    ``?=``, backslash continuations, ``ifeq/ifneq (a,b)``, ``ifdef/ifndef``,
    ``else``, ``endif``; ``$(shell ...)`` and other functions expand to nothing
    (an unknown condition is false).  Rule bodies (tab lines after a ``target:`` line) are skipped.
    """

    def __init__(self, text: str, preset: Optional[dict[str, str]] = None):
        self.vars: dict[str, str] = dict(preset or {})
        self._read(text.replace("\\\n", " "))

    def expand(self, value: str, depth: int = 0) -> str:
        if depth > 10:
            return value
        value = re.sub(r"\$\((?:shell|call|wildcard|if|subst|patsubst|filter)[^)]*\)", "", value)
        return _REF.sub(lambda m: self.expand(self.vars.get(m.group(1), ""), depth + 1), value)

    def _read(self, text: str) -> None:
        active: list[bool] = []
        in_rule = False               # tab lines after 'target: deps' are recipes
        for raw in text.splitlines():
            if raw.startswith("\t") and in_rule:
                continue
            line = raw.split("#", 1)[0].strip()
            if line and not raw.startswith("\t"):
                in_rule = bool(re.match(r"^[^=#]*[^:=]:(?!=)", line)) and not _ASSIGN.match(line)
            cond = _COND.match(line)
            if cond:
                active.append(self._test(cond.group(1), cond.group(2)))
                continue
            if line == "else" or line.startswith("else "):
                if active:
                    active[-1] = not active[-1]
                continue
            if line == "endif":
                if active:
                    active.pop()
                continue
            if not all(active):
                continue
            m = _ASSIGN.match(line)
            if not m:
                continue
            name, op, value = m.groups()
            if op == ":=":
                self.vars[name] = self.expand(value)
            elif op == "+=":
                self.vars[name] = (self.vars.get(name, "") + " " + value).strip()
            elif op == "?=":
                self.vars.setdefault(name, value)
            else:
                self.vars[name] = value

    def _test(self, kind: str, arg: str) -> bool:
        if kind in ("ifdef", "ifndef"):
            defined = bool(self.expand(self.vars.get(arg.strip(), "")).strip())
            return defined if kind == "ifdef" else not defined
        m = re.match(r"^\((.*),(.*)\)$", arg.strip())
        if not m or "$(shell" in arg:
            return False
        equal = self.expand(m.group(1)).strip() == self.expand(m.group(2)).strip()
        return equal if kind == "ifeq" else not equal


def configured_flags(root: Path, build: Path) -> list[str]:
    """Compile flags of ``build/userlevel/Makefile`` (default Click flags without one)."""
    root = root.resolve()
    mk_dir = build / "userlevel"
    makefile = mk_dir / "Makefile"
    if not makefile.is_file():
        flags = ["-DHAVE_CONFIG_H", "-DCLICK_USERLEVEL", f"-I{build / 'include'}",
                 f"-I{root / 'include'}", f"-I{root}", f"-I{root / 'vendor'}"]
        return flags + dpdk_cflags() if _dpdk_version() and _defines_dpdk(build) else flags
    mk = MakeVariables(makefile.read_text(errors="replace"))
    words: list[str] = []
    for var in ("DEFS", "INCLUDES", "CPPFLAGS", "CXXFLAGS"):
        words += shlex.split(mk.expand(mk.vars.get(var, "")))
    return _kept(words, mk_dir, build, root)


def _defines_dpdk(build: Path) -> bool:
    cfg = build / "include" / "click" / "config-userlevel.h"
    return cfg.is_file() and "#define HAVE_DPDK 1" in cfg.read_text(errors="replace")


def _kept(words: list[str], mk_dir: Path, build: Path, root: Path) -> list[str]:
    """Meaningful flags, with -I paths absolute: a build-dir path that does not
    exist is looked up in the tree, one that does also gets its tree twin."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _SEPARATE_ARG and i + 1 < len(words):
            out += [w, words[i + 1]]
            i += 2
            continue
        if w in _JOINED_ARG and i + 1 < len(words):
            w, i = w + words[i + 1], i + 1
        i += 1
        if not _KEPT_FLAG.match(w):
            continue
        if w.startswith("-I"):
            for d in _include_dirs(w[2:], mk_dir, build, root):
                if f"-I{d}" not in out:
                    out.append(f"-I{d}")
            continue
        out.append(w)
    return out


def _include_dirs(path: str, mk_dir: Path, build: Path, root: Path) -> list[Path]:
    p = Path(path)
    p = (p if p.is_absolute() else mk_dir / p).resolve()
    dirs = [p] if p.is_dir() else []
    build = build.resolve()
    if p == build or build in p.parents:
        twin = root / p.relative_to(build)
        if twin.is_dir() and twin not in dirs:
            dirs.append(twin)
    return dirs
