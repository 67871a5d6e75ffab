"""Chain-level features: keys an element inherits from the elements in front of it.

An element whose per-flow state lives in the packet's flow control block is
keyed by whatever the flow manager upstream classifies on (its NF-level key
is ``upstream:flow-manager``); an element keyed by an annotation
(``anno:paint``) is keyed by whatever the element that set the annotation
computed it from.  ``resolve_upstream_keys`` walks the chain graph upstream
from each such element (breadth first, nearest first) to the element whose
features say it provides that thing (``evidence["provides"]``, from the
source pass ``ProvidesPass``) and, for a flow manager, takes its key; for an
annotation it records where the annotation was set.  Evidence says which
element decided it.  Without a chain (``audit``) the element carries the stock flow
managers' key, marked as a default (``fusion.default_upstream_key``); in a chain
with no flow manager upstream its key is empty (no dispatch can keep it private).
"""
from __future__ import annotations

import copy
from collections import deque
from typing import Optional

from .artifacts import KEY_FIELDS, Chain, Evidence, NFFeatures
from .passes.source_key import UPSTREAM_KEY as UPSTREAM_FLOW_MANAGER

FLOW_MANAGER = "flow-manager"      # what ProvidesPass says a flow manager provides
SOURCE = "chain.upstream-keys"


def provided(features: NFFeatures) -> set[str]:
    """What an element hands to the elements after it (flow-manager, anno:...)."""
    return {e.detail for e in features.evidence.get("provides", [])}


def upstream_of(chain: Chain, element: str):
    """Elements in front of ``element``, nearest first (breadth first over the
    connections, each element once)."""
    preds: dict[str, list[str]] = {}
    for c in chain.connections:
        preds.setdefault(c.dst, []).append(c.src)
    seen, queue = {element}, deque(preds.get(element, []))
    while queue:
        name = queue.popleft()
        if name in seen:
            continue
        seen.add(name)
        yield name
        queue.extend(preds.get(name, []))


def _provider(chain: Chain, element: str, what: str,
              features_by_element: dict[str, NFFeatures]) -> Optional[str]:
    for name in upstream_of(chain, element):
        f = features_by_element.get(name)
        if f is not None and what in provided(f):
            return name
    return None


def _describe(key: list[str]) -> str:
    return "5-tuple" if list(key) == list(KEY_FIELDS) else (",".join(key) or "no key")


def resolve_upstream_keys(chain: Chain, features_by_element: dict[str, NFFeatures]
                          ) -> dict[str, NFFeatures]:
    """Per chain element, its features with upstream keys resolved (copies; the
    input is not changed).  An element keyed ``upstream:flow-manager`` takes the
    key of the nearest upstream flow manager; one keyed by an annotation gets
    evidence naming the element that set it.  Unresolved keys stay as they are,
    with a disagreement saying nothing upstream provides them."""
    out: dict[str, NFFeatures] = {}
    for name, feats in features_by_element.items():
        f = copy.deepcopy(feats)
        out[name] = f
        if UPSTREAM_FLOW_MANAGER in f.key_other:
            fm = _provider(chain, name, FLOW_MANAGER, features_by_element)
            manager = features_by_element.get(fm) if fm else None
            if manager is None or not (manager.key or manager.key_other):
                f.key = []                   # not the stock default: nothing classifies here
                f.disagreements.append(f"key: {name} keeps per-flow state in flow control "
                                       f"blocks but no flow manager upstream in the chain "
                                       f"says what it classifies on")
                continue
            f.key = list(manager.key)
            f.key_other = sorted({k for k in f.key_other if k != UPSTREAM_FLOW_MANAGER} |
                                 set(manager.key_other))
            f.symmetric = manager.symmetric
            f.evidence.setdefault("key", []).insert(0, Evidence(
                "", 0, SOURCE, f"key from upstream flow manager {fm}: {_describe(manager.key)}"))
        for anno in [k for k in f.key_other if k.startswith("anno:")]:
            setter = _provider(chain, name, anno, features_by_element)
            if setter is None:
                continue
            s = features_by_element[setter]
            how = f"keyed by {_describe(s.key)}" if s.stateful and s.key else "set"
            f.evidence.setdefault("key_other", []).insert(0, Evidence(
                "", 0, SOURCE, f"{anno} set upstream by {setter} ({how})"))
    return out
