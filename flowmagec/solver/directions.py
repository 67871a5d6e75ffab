"""Directions of traffic through the chain: which ingress devices reach each NF, and
which header fields other NFs rewrite on the way (issue 9, item 2).

An NF whose one state entry serves both directions of a connection (a symmetric
key, or a translator such as a NAT, which must see the replies to undo its
rewrite) needs both directions on one core when it keeps per-core state.  Two
facts decide whether a dispatch can give it that:

* ``ingress``: the devices whose packets reach the NF.  Two devices (a LAN and
  a WAN port) mean both directions arrive, one on each; one device carries both
  only when the user says traffic is bidirectional (``--symmetric``).
* the fields rewritten between the dispatch and the NF (``translated_up``:
  dispatch on them and the NF sees other values than the NIC hashed) and
  around it (``translated_around``: every NF on a path through it, itself
  included; the reverse direction arrives with those fields translated).

Chains without a graph (VPP feature arcs) are treated conservatively: every NF
sees every device, and every other NF's rewrites.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..artifacts import KEY_FIELDS, Chain, FeatureSet
from ..chain_knowledge import FASTCLICK_DISPATCH_SOURCES, configured_rewrites, is_source


@dataclass
class Directions:
    devices: list[str] = field(default_factory=list)          # ingress device ids
    ingress: dict[str, tuple[str, ...]] = field(default_factory=dict)     # element -> devices
    translated_up: dict[str, frozenset] = field(default_factory=dict)
    translated_around: dict[str, frozenset] = field(default_factory=dict)
    rewrites: dict[str, frozenset] = field(default_factory=dict)         # element -> fields

    def two_sided(self, element: str) -> bool:
        return len(self.ingress.get(element, ())) >= 2


def device_id(e) -> str:
    """One id per physical port: two FromDPDKDevice elements on one port are one device."""
    if e.cls in FASTCLICK_DISPATCH_SOURCES:
        port = e.keyword("PORT") if hasattr(e, "keyword") else None
        positional = [a for a in e.args if a.keyword is None]
        value = port.value if port else (positional[0].value if positional else e.name)
        return f"port {value.strip()}"
    return e.name


def element_rewrites(chain: Chain, e, f) -> frozenset:
    """The fields an element rewrites: its code's ``rewrites``, narrowed by what its
    configuration asks for (a NAT pattern that keeps the destination)."""
    code = frozenset(getattr(f, "rewrites", None) or ())
    configured = configured_rewrites(chain, e)
    if configured is None:
        return code
    return frozenset(x for x in code if x in configured or x not in KEY_FIELDS)


def sources_by_device(chain: Chain) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in chain.elements:
        if is_source(chain.framework, e.cls):
            out.setdefault(device_id(e), []).append(e.name)
    return out


def analyse(chain: Chain, features: FeatureSet) -> Directions:
    records = features.by_name()
    rewrites = {e.name: element_rewrites(chain, e, records.get(e.cls)) for e in chain.elements}
    d = Directions(rewrites=rewrites)
    sources = [e for e in chain.elements if is_source(chain.framework, e.cls)]
    if chain.framework == "fastclick" and chain.connections:
        import networkx as nx
        g = nx.DiGraph(chain.graph())
        reach: dict[str, set[str]] = {e.name: set() for e in chain.elements}
        for s in sources:
            dev = device_id(s)
            if dev not in d.devices:
                d.devices.append(dev)
            for n in nx.descendants(g, s.name) | {s.name}:
                reach.setdefault(n, set()).add(dev)
        for e in chain.elements:
            d.ingress[e.name] = tuple(x for x in d.devices if x in reach.get(e.name, ()))
            up = nx.ancestors(g, e.name) if e.name in g else set()
            down = nx.descendants(g, e.name) if e.name in g else set()
            d.translated_up[e.name] = frozenset().union(*(rewrites.get(a, ()) for a in up))
            d.translated_around[e.name] = frozenset().union(
                rewrites.get(e.name, ()), *(rewrites.get(a, ()) for a in up | down))
        return d
    devices = [str(x.get("name") or x.get("pci") or i)
               for i, x in enumerate(chain.deployment.get("devices") or [])]
    d.devices = devices or ["nic"]
    everything = frozenset().union(*rewrites.values()) if rewrites else frozenset()
    for e in chain.elements:
        d.ingress[e.name] = tuple(d.devices)
        others = frozenset().union(*(r for n, r in rewrites.items() if n != e.name)) \
            if rewrites else frozenset()
        d.translated_up[e.name] = others
        d.translated_around[e.name] = everything
    return d
