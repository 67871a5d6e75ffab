"""Adapters: source trees / paths -> NFUnits (FastClick elements, VPP plugins, plain C).

``discover_paths`` (audit) auto-detects the framework of everything under each
path: FastClick elements anywhere (``EXPORT_ELEMENT``), VPP NFs as the
directories that directly hold VPP sources, and plain C / DPDK files that
name their entry point (``// flowmage: entry FUNC``) and belong to neither.
``discover_for_chain`` (compile) maps a chain's element classes to units
found in the ``--src`` trees.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..artifacts import Chain, Diagnostic, NFUnit, NFUnits
from ..errors import InputError
from . import source_text as st
from .common import files_under
from .fastclick import FastClickAdapter
from .plain import PlainAdapter, uses_dpdk
from .vpp import VppAdapter, is_vpp_source, nf_dirs

FRAMEWORKS = ("fastclick", "vpp", "dpdk", "plain")

__all__ = ["discover_paths", "discover_for_chain", "detect_framework", "FRAMEWORKS"]


def detect_framework(path: str | Path) -> str:
    """The framework of the code under ``path`` (the first that matches, in FRAMEWORKS order)."""
    p = Path(path)
    files = files_under(p, st.SOURCE_SUFFIXES + st.HEADER_SUFFIXES)
    if any("EXPORT_ELEMENT" in st.code(f) for f in files):
        return "fastclick"
    if (is_vpp_source(p) if p.is_file() else nf_dirs(p)):
        return "vpp"
    return "dpdk" if uses_dpdk(files) else "plain"


def discover_paths(paths: list[str], framework: Optional[str] = None, src_dirs=(),
                   entry: Optional[str] = None) -> NFUnits:
    """NF units for every NF found under ``paths`` (used by ``flowmagec audit``)."""
    if framework is not None and framework not in FRAMEWORKS:
        raise InputError(f"unknown framework '{framework}'", expected=" | ".join(FRAMEWORKS))
    src_dirs = [str(Path(s).resolve()) for s in src_dirs]
    for s in src_dirs:
        if not Path(s).is_dir():
            raise InputError(f"--src '{s}' is not a directory")
    out = NFUnits()
    for raw in paths:
        if not Path(raw).exists():
            raise InputError(f"no such file or directory: '{raw}'")
    plugins = _vpp_plugin_files(paths, framework)
    made: set[Path] = set()
    for raw in paths:
        path = Path(raw).resolve()
        if path in plugins.get(path.parent, ()):
            if path.parent in made:
                continue                # the plugin's NF is made once, at its first file
            made.add(path.parent)
            units = [VppAdapter(src_dirs).unit_for(path.parent.name, plugins[path.parent],
                                                   path.parent)]
        else:
            units = _discover_one(path, framework, src_dirs, entry)
        # tree completion hook (tree_completion.py): say which tree files joined a copy
        out.diagnostics += [Diagnostic("note", f"{u.name}: {u.attrs['tree_completion']}")
                            for u in units if u.attrs.get("tree_completion")]
        if not units:
            out.diagnostics.append(Diagnostic("warning", f"{raw}: no network function found"))
        out.units += units
    out.units = _unique_names(out.units)
    return out


def _vpp_plugin_files(paths: list[str], framework: Optional[str]) -> dict[Path, list[Path]]:
    """Plugin dir -> its VPP files named on the command line, where there are
    several: they are one NF (the plugin, named after its directory), as when
    the directory is given; a single file stays an NF named after its stem."""
    by_dir: dict[Path, list[Path]] = {}
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_file() and (framework or detect_framework(path)) == "vpp":
            by_dir.setdefault(path.parent, [])
            if path not in by_dir[path.parent]:
                by_dir[path.parent].append(path)
    return {d: sorted(files) for d, files in by_dir.items() if len(files) > 1}


def _discover_one(path: Path, framework: Optional[str], src_dirs: list[str],
                  entry: Optional[str]) -> list[NFUnit]:
    fw = framework
    if fw is None and path.is_file():
        fw = detect_framework(path)
    if fw == "fastclick":
        return FastClickAdapter(src_dirs).discover(path)
    if fw == "vpp":
        return VppAdapter(src_dirs).discover(path)
    if fw in ("dpdk", "plain"):
        return PlainAdapter(src_dirs, entry, fw).discover(path, require_marker=False)
    # Mixed directory: each framework takes what is unmistakably its own.
    units = FastClickAdapter(src_dirs).discover(path)
    vpp_dirs = nf_dirs(path)
    vpp = VppAdapter(src_dirs)
    # each NF dir once (not its subtree again); dirs of unit tests only are no NF
    units += [u for d in vpp_dirs if (u := vpp.unit_for_dir(d)) is not None]
    taken = {Path(f).resolve() for u in units for f in u.files}
    taken_dirs = {Path(f).resolve().parent for f in taken}
    for u in PlainAdapter(src_dirs, entry).discover(path, require_marker=True):
        src = Path(u.files[0]).resolve()
        if src not in taken and src.parent not in taken_dirs:
            units.append(u)
    return units


def _unique_names(units: list[NFUnit]) -> list[NFUnit]:
    """Drop exact duplicates (same name and files) found through overlapping paths."""
    seen: dict[tuple, NFUnit] = {}
    for u in units:
        seen.setdefault((u.name, tuple(u.files)), u)
    return list(seen.values())


def discover_for_chain(chain: Chain, src_dirs: list[str]) -> NFUnits:
    """NF units for the element classes used in ``chain``, found in ``src_dirs``."""
    classes = chain.classes()
    if chain.framework == "vpp":
        wanted = {}
        for e in chain.elements:
            wanted.setdefault(e.cls, (e.attrs.get("plugin_dir") or e.cls,
                                      e.attrs.get("src_root") or "plugins"))
        found = VppAdapter(src_dirs).find_plugins(wanted)
    else:
        found = FastClickAdapter(src_dirs).find_classes(classes)
    out = NFUnits()
    for cls in classes:
        unit = found.get(cls)
        if unit is None:
            out.unresolved.append(cls)
            continue
        unit.instances = [e.name for e in chain.elements if e.cls == cls]
        out.units.append(unit)
    return out
