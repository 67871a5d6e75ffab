"""Feature lock files: ``audit --write-lock LOCK`` records each NF's features;
``audit --check LOCK`` fails (exit 1) with a readable diff when they change, so a
CI job notices an NF whose statefulness, key or write intensity moved."""
from __future__ import annotations

import json
from typing import Optional

from .artifacts import FeatureSet
from .errors import InputError, read_json

SCHEMA_LOCK = "flowmage.lock/1"
LOCKED = ("stateful", "key", "key_other", "symmetric", "intensity", "pointer", "sharing",
          "rewrites", "unknown")


def lock_of(features: FeatureSet) -> dict:
    return {"schema": SCHEMA_LOCK, "nfs": {
        nf.name: {k: getattr(nf, k) for k in LOCKED} for nf in sorted(features.nfs,
                                                                      key=lambda n: n.name)}}


def lock_text(features: FeatureSet) -> str:
    return json.dumps(lock_of(features), indent=2, sort_keys=True) + "\n"


def load_lock(path: str) -> dict:
    data = read_json(path, "feature lock")
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_LOCK or \
            not isinstance(data.get("nfs"), dict):
        raise InputError(f"{path}: not a flowmagec lock file (schema {SCHEMA_LOCK})")
    return data


def diff(lock: dict, features: FeatureSet) -> list[str]:
    """One line per difference: 'NF: feature: lock VALUE -> now VALUE', new and gone NFs."""
    now = lock_of(features)["nfs"]
    old = lock["nfs"]
    out = []
    for name in sorted(set(old) | set(now)):
        if name not in now:
            out.append(f"{name}: in the lock, no longer found")
            continue
        if name not in old:
            out.append(f"{name}: new NF (not in the lock)")
            continue
        for k in LOCKED:
            a, b = old[name].get(k), now[name].get(k)
            if _norm(a) != _norm(b):
                out.append(f"{name}: {k}: lock {_show(a)} -> now {_show(b)}")
    return out


def _norm(v):
    return sorted(v) if isinstance(v, list) else v


def _show(v: Optional[object]) -> str:
    return json.dumps(v)
