"""Answers -> one opinion per feature by majority vote, with the split reported."""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from ..artifacts import KEY_FIELDS

FEATURES = ("stateful", "key", "key_other", "symmetric", "intensity", "pointer", "rewrites")
INTENSITIES = ("per-packet", "per-flow", None)


def validate(data: Optional[dict]) -> dict[str, Any]:
    """The valid features of one answer (invalid or missing ones are left out)."""
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        return out
    if isinstance(data.get("stateful"), bool):
        out["stateful"] = data["stateful"]
    key = data.get("key")
    if isinstance(key, list) and all(isinstance(k, str) and k in KEY_FIELDS for k in key):
        out["key"] = tuple(k for k in KEY_FIELDS if k in key)
    for name in ("key_other", "rewrites"):
        v = data.get(name)
        if isinstance(v, list) and all(isinstance(k, str) and k for k in v):
            out[name] = tuple(sorted(set(v)))
    for name in ("symmetric", "pointer"):
        if isinstance(data.get(name), bool):
            out[name] = data[name]
    if "intensity" in data and data["intensity"] in INTENSITIES:
        out["intensity"] = data["intensity"]
    return out


def vote(answers: list[dict[str, Any]]) -> tuple[dict[str, dict], dict[str, dict]]:
    """(opinions, splits): per feature the majority value with confidence = its share
    of the valid votes; a tie gives no opinion.  ``splits`` shows every count."""
    opinions: dict[str, dict] = {}
    splits: dict[str, dict] = {}
    for f in FEATURES:
        values = [a[f] for a in answers if f in a]
        if not values:
            continue
        counts = Counter(values)
        splits[f] = {_show(v): n for v, n in counts.most_common()}
        (best, n), *rest = counts.most_common()
        if rest and rest[0][1] == n:
            continue
        opinions[f] = {"value": list(best) if isinstance(best, tuple) else best,
                       "confidence": round(n / len(values), 3), "votes": f"{n}/{len(values)}"}
    return opinions, splits


def _show(v) -> str:
    if isinstance(v, tuple):
        return ",".join(v) or "[]"
    return "null" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
