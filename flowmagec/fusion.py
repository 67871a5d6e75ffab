"""Fusion: Facts (+ LLM opinions) -> one NFFeatures record per NF.

STUB: replaced by the analysis work (issue 3).
"""
from __future__ import annotations

from .artifacts import FeatureSet, Facts, NFFeatures, NFUnits


def fuse(facts: list[Facts], units: NFUnits) -> FeatureSet:
    return FeatureSet(nfs=[NFFeatures(name=f.nf) for f in facts])
