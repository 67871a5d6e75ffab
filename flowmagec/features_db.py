"""Feature DB: NFFeatures keyed by the content digest of an NF's sources and flags.

Build systems (``flowmagec track``) and ``--features FILE`` use it so that only
NFs whose code changed are analysed again.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .artifacts import FeatureSet, NFFeatures, NFUnits


class FeatureDB:
    def __init__(self, path: str, features: FeatureSet):
        self.path = path
        self.features = features

    @classmethod
    def open(cls, path: str) -> "FeatureDB":
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            return cls(path, FeatureSet.from_dict(data))
        return cls(path, FeatureSet())

    def split_known(self, units: NFUnits) -> tuple[list[NFFeatures], NFUnits]:
        """Features already up to date (same digest), and the units still to analyse."""
        by_key = {(f.name, f.digest): f for f in self.features.nfs if f.digest}
        known, todo = [], []
        for u in units.units:
            hit = by_key.get((u.name, u.digest))
            (known.append(hit) if hit else todo.append(u))
        return known, NFUnits(units=todo, unresolved=units.unresolved, diagnostics=units.diagnostics)

    def update(self, fresh: list[NFFeatures]) -> None:
        names = {f.name for f in fresh}
        self.features.nfs = [f for f in self.features.nfs if f.name not in names] + list(fresh)

    def save(self) -> None:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.features.to_json())
        os.replace(tmp, path)
