"""Adapters: source trees / paths -> NFUnits (FastClick elements, VPP plugins, plain C).

STUB: replaced by the analysis work (issue 3).
"""
from __future__ import annotations

from ..artifacts import Chain, NFUnits


def discover_for_chain(chain: Chain, src_dirs: list[str]) -> NFUnits:
    """NF units for the element classes used in ``chain``, found in ``src_dirs``."""
    return NFUnits(units=[], unresolved=chain.classes())


def discover_paths(paths: list[str], framework: str | None = None, src_dirs=()) -> NFUnits:
    """NF units for every NF found under ``paths`` (used by ``flowmagec audit``)."""
    return NFUnits()
