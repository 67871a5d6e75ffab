"""VPP preparation: the headers VPP's cmake build generates, made in the cache.

A VPP checkout needs three kinds of generated headers before its data-path
files compile, and this module makes each with what the tree itself says:

- ``configure_file(<dir>/x.h.in <binary dir>/x.h)`` calls in the tree's
  CMakeLists (``vlib/config.h``, ``vppinfra/config.h``, ``vpp/vnet/config.h``):
  the template is filled the way cmake does (``@VAR@``, ``${VAR}``,
  ``#cmakedefine``, ``#cmakedefine01``).  A value is what the calling
  CMakeLists sets or declares as an ``option()``; the values cmake computes
  for the host CPU (cache line size, prefetch count) are the x86-64 defaults
  in CMAKE_DEFAULTS below;
- ``vpp/app/version.h``, by the tree's ``scripts/generate_version_h``;
- for every ``.api`` file, the tree's ``vppapigen`` (``src/tools/vppapigen``,
  run with this Python, which needs ``ply``) writes ``x.api.h``,
  ``x.api_enum.h``, ``x.api_types.h``, ``x.api.c``, ``x.api_json.h``, ... at the path the cmake
  build gives them (the ``.api``'s directory relative to ``src/``).

Generated files go to ``<prepared>/gen/``; flags add ``-I gen`` and
``-I gen/plugins``, the two roots VPP's includes are written against.
"""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from .artifacts import NFUnit
from .prepare import Prepared, PrepareError

APIGEN = Path("tools") / "vppapigen" / "vppapigen.py"
VERSION_SCRIPT = Path("scripts") / "generate_version_h"
APIGEN_TIMEOUT_S = 120
# Bumped when what generate() writes changes (part of the cache key).
GENERATOR_VERSION = "2"
# What VPP's cmake computes for an x86-64 host in a release build, for the
# template variables whose value comes from a cmake function or CPU probe
# rather than a literal set() next to the configure_file() call.
CMAKE_DEFAULTS = {
    "LOG2_CACHE_LINE_BYTES": "6",
    "N_PREFETCHES": "16",
    "VECTOR_GROW_BY_ONE": "0",
    "VPP_LIBRARY_DIR": "lib",
    "VLIB_BUFFER_ALIGN": "64",
    "VLIB_BUFFER_NATURAL_ALIGN_DEFAULT": "0",
    "BUFFER_ALLOC_FAULT_INJECTOR": "0",
    "VLIB_PROCESS_LOG2_STACK_SIZE": "15",
    "VPP_SANITIZE_ADDR_OPTIONS": "",
}
# Machine flags of VPP's default (non-multiarch) variant: vppinfra's vector
# code uses SSE4.2 / CRC32 builtins unguarded.
MACHINE_FLAGS = ["-march=corei7", "-mtune=corei7-avx"]
_SKIP_DIRS = {"build", "build-root", ".git", "test", "tests"}
_CONFIGURE_FILE = re.compile(r"\bconfigure_file\s*\(\s*([^\s)]+)\s+([^\s)]+)", re.S)
_SET = re.compile(r"^\s*set\s*\(\s*(\w+)\s+(\"[^\"]*\"|[^\s)]+)", re.M)
_OPTION = re.compile(r"^\s*option\s*\(\s*(\w+)\s+\"[^\"]*\"\s+(ON|OFF)\s*\)", re.M)


def src_dir(root: Path) -> Path:
    """The directory VPP's paths are relative to: ``<root>/src`` (or root itself)."""
    return root / "src" if (root / "src" / "vlib").is_dir() else root


@functools.lru_cache(maxsize=8)
def _tree_files(src: Path) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(.api files, CMakeLists.txt files) of the tree, build/test dirs skipped."""
    apis, cmakes = [], []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for f in sorted(filenames):
            if f.endswith(".api"):
                apis.append(Path(dirpath) / f)
            elif f == "CMakeLists.txt":
                cmakes.append(Path(dirpath) / f)
    return tuple(apis), tuple(cmakes)


class Template:
    """One ``configure_file()`` of a header: the template, where cmake writes it, the caller."""

    def __init__(self, template: Path, output: Path, cmakelists: Path):
        self.template, self.output, self.cmakelists = template, output, cmakelists


def header_templates(src: Path) -> list[Template]:
    """Header templates the tree's CMakeLists configure, with their output path under gen/."""
    return list(_header_templates(src))


@functools.lru_cache(maxsize=8)
def _header_templates(src: Path) -> tuple[Template, ...]:
    out = []
    for cm in _tree_files(src)[1]:
        text = cm.read_text(errors="replace")
        for m in _CONFIGURE_FILE.finditer(text):
            tpl = _cmake_path(m.group(1), src, cm.parent)
            dest = m.group(2)
            if tpl is None or not tpl.is_file() or not dest.endswith(".h"):
                continue
            rel_dir = cm.parent.relative_to(src)
            dest = dest.replace("${CMAKE_CURRENT_BINARY_DIR}", str(rel_dir)) \
                       .replace("${CMAKE_BINARY_DIR}", ".")
            if "$" in dest:
                continue
            out.append(Template(tpl, Path(os.path.normpath(dest)), cm))
    return tuple(out)


def _cmake_path(spelled: str, src: Path, here: Path) -> Optional[Path]:
    p = spelled.replace("${CMAKE_SOURCE_DIR}", str(src)) \
               .replace("${CMAKE_CURRENT_SOURCE_DIR}", str(here))
    if "$" in p:
        return None
    return Path(p) if os.path.isabs(p) else here / p


def cmake_values(cmakelists: Path) -> dict[str, str]:
    """Literal ``set()`` values and ``option()`` defaults of one CMakeLists (first wins)."""
    text = re.sub(r"#[^\n]*", "", cmakelists.read_text(errors="replace"))
    values: dict[str, str] = {}
    for name, default in _OPTION.findall(text):
        values.setdefault(name, "1" if default == "ON" else "0")
    for name, value in _SET.findall(text):
        value = value.strip('"')
        if "${" not in value:
            values.setdefault(name, value)
    return values


def fill_template(text: str, values: dict[str, str]) -> str:
    """cmake's configure_file() on a header: #cmakedefine(01), @VAR@, ${VAR}."""
    def truthy(name: str) -> bool:
        v = values.get(name, "")
        return v not in ("", "0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND")

    def cmakedefine(m: re.Match) -> str:
        lead, kind, name, rest = m.group(1), m.group(2), m.group(3), m.group(4)
        if kind == "01":
            return f"{lead}define {name} {1 if truthy(name) else 0}"
        return f"{lead}define {name}{rest}" if truthy(name) else f"/* #undef {name} */"

    text = re.sub(r"^(\s*#\s*)cmakedefine(01)?\s+(\w+)(.*)$", cmakedefine, text, flags=re.M)
    text = re.sub(r"@(\w+)@", lambda m: values.get(m.group(1), ""), text)
    return re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), text)


class VppPreparer:
    framework = "vpp"

    def needed(self, root: Path) -> bool:
        src = src_dir(root)
        if (src / "vlib" / "config.h").is_file():
            return False                   # already generated in place (an installed tree)
        return bool(header_templates(src)) or bool(_tree_files(src)[0])

    def inputs(self, root: Path) -> list[Path]:
        src = src_dir(root)
        apis, _ = _tree_files(src)
        templates = header_templates(src)
        tools = sorted((src / APIGEN.parent).glob("*.py")) if (src / APIGEN).is_file() else []
        scripts = [p for p in (src / VERSION_SCRIPT, src / "scripts" / "version") if p.is_file()]
        return [*apis, *(t.template for t in templates), *(t.cmakelists for t in templates),
                *tools, *scripts]

    def options(self) -> list[str]:
        return [f"generator={GENERATOR_VERSION}"] + [f"{k}={v}" for k, v in sorted(CMAKE_DEFAULTS.items())] + [
            f"python={sys.version_info[0]}.{sys.version_info[1]}"]

    def generate(self, root: Path, out: Path, log: Callable[[str], None]) -> dict:
        src = src_dir(root)
        gen = out / "gen"
        gen.mkdir()
        made = self._config_headers(src, gen) + self._version_header(src, gen)
        apis = self._api_headers(src, gen, log)
        return {"gen": str(gen), "config_headers": made, "api_files": apis}

    def flags_for(self, unit: NFUnit, prepared: Prepared) -> list[str]:
        gen = prepared.path(prepared.info["gen"]) if prepared.info.get("gen") else None
        extra = [f"-I{gen}", f"-I{Path(gen) / 'plugins'}"] if gen else []
        kept = [f for f in unit.compile_flags if f not in extra]
        return kept + extra + [f for f in MACHINE_FLAGS if f not in kept]

    # ------------------------------------------------------------ generators
    @staticmethod
    def _config_headers(src: Path, gen: Path) -> list[str]:
        made = []
        for t in header_templates(src):
            values = {**cmake_values(t.cmakelists), **CMAKE_DEFAULTS}
            dest = gen / t.output
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(fill_template(t.template.read_text(errors="replace"), values))
            made.append(str(t.output))
        return made

    @staticmethod
    def _version_header(src: Path, gen: Path) -> list[str]:
        """``vpp/app/version.h`` by the tree's script (it only reads the tree)."""
        script = src / VERSION_SCRIPT
        if not script.is_file():
            return []
        dest = gen / "vpp" / "app" / "version.h"
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["bash", str(script), str(dest)], cwd=src, capture_output=True,
                           timeout=60)
        except (OSError, subprocess.SubprocessError):
            pass
        return ["vpp/app/version.h"] if dest.is_file() else []

    @staticmethod
    def _api_headers(src: Path, gen: Path, log: Callable[[str], None]) -> int:
        apis = _tree_files(src)[0]
        tool = src / APIGEN
        if not apis:
            return 0
        if not tool.is_file():       # NFs that include no .api header still compile
            log(f"note: {APIGEN} is not in {src}: no .api headers generated")
            return 0
        try:
            import ply  # noqa: F401  (vppapigen's parser generator)
        except ImportError:
            raise PrepareError("vppapigen needs the Python package 'ply' (pip install ply)")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

        def one(api: Path) -> str:
            rel = api.parent.relative_to(src)
            dest = gen / rel
            dest.mkdir(parents=True, exist_ok=True)
            base = [sys.executable, str(tool), "--includedir", str(src), "--input", str(api),
                    "--outputdir", str(dest)]
            # as cmake's api.cmake: the C module (x.api.h, _enum, _types, .api.c, ...)
            # and the JSON module (x.api.json, x.api_json.h, included by x.api.c)
            for cmd in (base + ["--output", str(dest / (api.name + ".h"))],
                        base + ["--output", str(dest / (api.name + ".json")), "JSON"]):
                try:
                    proc = subprocess.run(cmd, cwd=gen, capture_output=True, text=True,
                                          timeout=APIGEN_TIMEOUT_S, env=env)
                except (OSError, subprocess.SubprocessError) as e:
                    return f"{api.relative_to(src)}: {e}"
                if proc.returncode != 0:
                    lines = [l for l in proc.stderr.splitlines() if l.strip()] or ["failed"]
                    return f"{api.relative_to(src)}: {lines[-1].strip()}"
            return ""

        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            errors = [e for e in pool.map(one, apis) if e]
        for e in errors:             # one bad .api only breaks the NFs that include it
            log(f"note: vppapigen: {e}")
        if len(errors) == len(apis):
            raise PrepareError(f"vppapigen failed on every .api file: {errors[0]}")
        return len(apis) - len(errors)
