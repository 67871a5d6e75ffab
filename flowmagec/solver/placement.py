"""Which placements each NF can really have, and how the emitted config realises them.

The solver only chooses a placement an emitter can produce (issue 9): an NF is
``private`` (one state per core) when its code already keeps per-core state, a
per-core variant of its class exists, or the config can replicate it (one
instance per thread); it is ``shared`` safely when its code (or a variant)
synchronises.  Everything else is a verdict, never a silent assumption:

  race                   state written by several threads without protection
  unknown-features       no source or analysis: stateful with an unknown key
  needs-both-directions  per-core state whose reverse direction may reach
                         another core (refused by the solver, see requirement())

A ``Realiser`` answers per element; the framework ones live here, next to the
cost of what they decide, and the FastClick emitter follows their answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..artifacts import Chain, Element, NFFeatures

# How a placement is realised (NFPlacement.realisation).
PER_CORE_CODE = "per-core-code"      # the code keeps per-core state itself
REPLICATE = "replicate"              # one instance per thread in the emitted config
VARIANT = "variant"                  # another class of the element's family
THREAD_SAFE = "thread-safe"          # the code synchronises its shared state
KEYWORD = "keyword"                  # a configuration keyword selects the mode
HANDOFF = "handoff"                  # the NF hands each packet to the worker owning its state
AS_IS = "as-is"                      # nothing to do (stateless, or unrealisable)
# Shared, as written, with no synchronisation found either way: allowed (the solver
# prefers private whenever it can), reported as a possible race.
UNVERIFIED = "unverified"

SAFE, RACE, UNKNOWN = "safe", "race", "unknown-features"
BOTH_DIRECTIONS = "needs-both-directions"


@dataclass(frozen=True)
class Options:
    """How ``private`` and ``shared`` could be realised for one element (None: cannot)."""
    private: Optional[str]
    shared: Optional[str]
    private_why: str = ""            # why private is impossible, or how it is realised
    shared_why: str = ""
    variant_private: Optional[str] = None     # class to switch to, for VARIANT
    variant_shared: Optional[str] = None


class Realiser:
    """What the features alone allow (any framework): per-core code is private, a
    synchronised table is shared, nothing else is realisable."""

    def options(self, element: Element, f: Optional[NFFeatures]) -> Options:
        if f is None or f.unknown:
            why = "its features are unknown"
            return Options(None, None, why, why)
        if not f.stateful:
            return Options(AS_IS, AS_IS)
        if f.sharing == "per-core":
            return Options(PER_CORE_CODE, None, "its code keeps per-core state",
                           "its code keeps per-core state and has no thread-safe form")
        if f.sharing == "thread-safe":
            return Options(None, THREAD_SAFE, "its code keeps one synchronised table and has "
                                              "no per-core form", "its code synchronises")
        if f.sharing == "unsafe":
            why = "its state has no lock or atomic"
            return Options(None, None, why + " and it has no per-core form", why)
        why = "no synchronisation of its state was found"
        return Options(None, UNVERIFIED, why + " and it has no per-core form", why)


class AssumedRealiser(Realiser):
    """For library callers that realise placements themselves (tests, benchmarks,
    ``tools/bench_solver.py``): every stateful NF may be private or shared, as the
    features' ``sharing`` constrains (per-core: private only; unsafe: private only)."""

    def options(self, element: Element, f: Optional[NFFeatures]) -> Options:
        if f is None or f.unknown:
            return super().options(element, f)
        if not f.stateful:
            return Options(AS_IS, AS_IS)
        if f.sharing == "per-core":
            return Options(PER_CORE_CODE, None, "", "its code keeps per-core state")
        if f.sharing == "unsafe":
            return Options(AS_IS, None, "", "its state has no lock or atomic")
        if f.sharing == "thread-safe":
            return Options(AS_IS, THREAD_SAFE)
        return Options(AS_IS, UNVERIFIED, "", "no synchronisation of its state was found")


class FastClickRealiser(Realiser):
    """FastClick: per-core code, variants found in the source tree, replication of
    the element (an ``ExactCPUSwitch`` compound, one instance per thread), or the
    FlowMage fork's ``SHARED`` keyword."""

    def __init__(self, chain: Chain, src_dirs=(), dialect: str = "vanilla"):
        from ..emitters.fastclick_variants import ClassVariants
        self.chain = chain
        self.dialect = dialect
        self.variants = ClassVariants(tuple(src_dirs))

    def options(self, element: Element, f: Optional[NFFeatures]) -> Options:
        base = super().options(element, f)
        if f is None or f.unknown or not f.stateful:
            return base
        if self.dialect == "flowmage":
            return Options(KEYWORD, KEYWORD, "SHARED false", "SHARED true")
        used = used_keywords(element)
        private, private_why, vp = base.private, base.private_why, None
        shared, shared_why, vs = base.shared, base.shared_why, None
        if private is None:
            cls, why = self.variants.variant(element.cls, "per-core", used)
            if cls and cls != element.cls:
                private, private_why, vp = VARIANT, f"per-core variant {cls} ({why})", cls
            else:
                blocker = replication_blocker(self.chain, element)
                if blocker is None:
                    private, private_why = REPLICATE, "one instance per thread (ExactCPUSwitch)"
                else:
                    private_why = f"{base.private_why}; it cannot be replicated: {blocker}"
        if shared in (None, UNVERIFIED):
            cls, why = self.variants.variant(element.cls, "thread-safe", used)
            if cls and cls != element.cls:
                shared, shared_why, vs = VARIANT, f"thread-safe variant {cls} ({why})", cls
        return Options(private, shared, private_why, shared_why, vp, vs)


def used_keywords(element: Element) -> set[str]:
    return {a.keyword for a in element.args if a.keyword}


_WORD = re.compile(r"[A-Za-z_@/][A-Za-z0-9_@/]*")


def replication_blocker(chain: Chain, element: Element) -> Optional[str]:
    """Why one instance per thread would change the chain's meaning (None: it would not).

    Another element naming this one in its configuration (``ICMPRewriter(tcp_rw)``,
    handlers read by name) would see only one replica; an element inside a
    compound is edited by its compound's body, which is shared by every use."""
    if "/" in element.name:
        return "it is declared inside a compound element class"
    for other in chain.elements:
        if other.name != element.name and element.name in _WORD.findall(other.config or ""):
            return f"{other.name} ({other.cls}) refers to it by name"
    return None


class VppRealiser(Realiser):
    """VPP: per-worker state in the plugin's code; a plugin that hands packets to the
    worker owning their state (NAT44-ED, reassembly...) is correct under any dispatch
    and pays one handoff per packet whose dispatch does not already fit."""

    def __init__(self, src_dirs=()):
        self.src_dirs = list(src_dirs)

    def options(self, element: Element, f: Optional[NFFeatures]) -> Options:
        base = super().options(element, f)
        if f is None or f.unknown or not f.stateful:
            return base
        from ..emitters.vpp import handoff_where
        where = handoff_where(element, self.src_dirs)
        if where:
            return Options(PER_CORE_CODE, HANDOFF, "per-worker state, no handoff needed",
                           f"hands packets to the owning worker ({where})")
        return base


def realiser_for(chain: Chain, src_dirs=(), dialect: str = "vanilla") -> Realiser:
    if chain.framework == "fastclick":
        return FastClickRealiser(chain, src_dirs, dialect)
    if chain.framework == "vpp":
        return VppRealiser(src_dirs)
    return Realiser()
