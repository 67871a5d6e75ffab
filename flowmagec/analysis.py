"""Runs the static passes (flowmagec.passes) over NF units -> Facts.

STUB: replaced by the analysis work (issue 3).
"""
from __future__ import annotations

from .artifacts import Facts, NFUnits


def analyze(units: NFUnits, log=lambda s: None) -> list[Facts]:
    return [Facts(nf=u.name) for u in units.units]
