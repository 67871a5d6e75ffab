"""Fusion: Facts (+ LLM opinions) -> one NFFeatures record per NF.

Rules (each feature keeps the evidence it was decided from, a confidence,
and any disagreement between passes / levels).  Confidence of a value is
that of its best supporting fact, reinforced when independent levels agree
(source and IR: 1 - prod(1 - c_level)), and x0.6 on a disagreement.

- Containers are matched across passes by their last name component
  (``IPolicer::_tables``, ``this->_tables`` and ``_tables`` are one).
- **per-flow container**: a ``state`` fact with ``per_flow`` true.  When
  facts about one container disagree, the confidence-weighted vote decides.
- **stateful** iff some per-flow container exists.  A ``stateless`` fact
  (positive evidence that nothing per flow is kept) against a per-flow
  container is a disagreement; the more confident side wins.
- **main container**: the per-flow container with the most key evidence,
  then write evidence, then the container kind (hash tables and maps before
  arrays/pools before scalars), then total confidence.
- **key / key_other**: the ``key_field`` facts of the main container (facts
  naming no container count for it); 5-tuple fields go to ``key`` in
  canonical order, others (``src_mac``, ``ip_id``...) to ``key_other``.  A
  field only one level reports while the other level reports a different
  set is a disagreement (confidence x0.6); fields below confidence 0.4 drop.
- **symmetric** iff a ``symmetric`` fact names the main container (or none).
- **intensity** over all per-flow containers: ``per-packet`` iff some entry
  is written on every packet path (``state_write`` path every-packet), else
  ``per-flow`` if writes happen only at setup / on rare paths.  Conflicting
  paths for one container are a disagreement; the more confident side wins,
  ties go to per-packet (the costlier, safer assumption for the solver).  A
  stateful NF with no write evidence gets ``per-flow`` at confidence 0.3.
- **pointer** iff a ``pointer_field`` fact names a per-flow container (or none).
- **complexity**: instructions from the IR ``complexity`` fact if any, else
  the source estimate (the solver reads it as instructions per packet).
- **sharing** over per-flow containers, the weakest wins: ``unsafe``
  (protection none) < ``thread-safe`` (lock / atomic) < ``per-core``.
- **rewrites**: every header field a ``rewrite`` fact names (source or IR:
  a store into the packet's header), 5-tuple fields first in canonical order;
  stateless NFs rewrite too (a NAT's translation, a TTL decrement).
- **provides** (evidence only): what the NF hands to the elements after it
  (``provides`` facts: a flow manager's per-flow blocks, annotations it sets),
  kept as ``evidence["provides"]`` for the chain stage
  (``chain_features.resolve_upstream_keys``).
- **opinions** (LLM, later issue): ``{nf: {feature: value | {"value", "confidence",
  "source"}}}``; they fill features the facts left undecided (confidence
  < 0.5) and otherwise only add a disagreement -- never a silent override.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from .artifacts import (KEY_FIELDS, Evidence, Fact, Facts, FeatureSet, NFFeatures, NFUnits,
                        canonical_fields)

KIND_RANK = {"hashtable": 3, "map": 3, "bihash": 3, "rte_hash": 3, "array": 2, "pool": 2,
             "other": 1, "counter": 0, "scalar": 0}
SHARING_ORDER = ("unsafe", "thread-safe", "per-core")    # weakest first
KEY_FIELD_THRESHOLD = 0.4
DISAGREEMENT_PENALTY = 0.6
NO_CONTAINER = ""


def container_id(name: Any) -> str:
    """Normalised container name: last component of ``A::b``, ``this->b``, ``x.b``."""
    if not name:
        return NO_CONTAINER
    text = str(name)
    for sep in ("::", "->", "."):
        text = text.rsplit(sep, 1)[-1]
    return text.strip()


def level_of(fact: Fact) -> str:
    """'source' | 'ir' | 'llm' ... from the evidence's pass name."""
    src = fact.evidence.source
    return src.split(":", 1)[0] if src.startswith("llm") else src.split(".", 1)[0]


@dataclass
class Decision:
    """One feature's value with how sure we are, why, and what contradicted it."""
    value: Any
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def _max_conf(facts: Iterable[Fact], default: float = 0.0) -> float:
    return max((f.confidence for f in facts), default=default)


def _support(facts: Iterable[Fact], default: float = 0.0) -> float:
    """Confidence of a value backed by ``facts``: independent levels (source, IR, LLM)
    that agree reinforce each other, 1 - prod(1 - best confidence of each level)."""
    best: dict[str, float] = {}
    for f in facts:
        lvl = level_of(f)
        best[lvl] = max(best.get(lvl, 0.0), f.confidence)
    if not best:
        return default
    doubt = 1.0
    for c in best.values():
        doubt *= 1.0 - c
    return 1.0 - doubt


GENERIC_ANNOTATION = "anno:user"     # an annotation read by offset (anno_u8 (OFFSET))


def _name_annotations(facts: list[Fact]) -> list[Fact]:
    """The IR sees ``PAINT_ANNO (p)`` as the generic offset accessor it expands to
    (``anno_u8``); when one level names the annotation and another level only
    reports the generic one, the generic fact is the same read, not a second key."""
    def specific(level: str) -> bool:
        return any(level_of(f) == level and str(f.value.get("field", "")).startswith("anno:")
                   and f.value.get("field") != GENERIC_ANNOTATION for f in facts)
    named = {level_of(f) for f in facts if specific(level_of(f))}
    return [f for f in facts if not (f.value.get("field") == GENERIC_ANNOTATION and named
                                     and not specific(level_of(f)))]


def _describe(facts: Iterable[Fact]) -> str:
    return ", ".join(sorted({f.evidence.source for f in facts}))


class NFFuser:
    """Fuses the facts of one NF into its features (one method per feature)."""

    def __init__(self, facts: Facts):
        self.facts = facts
        self.state_by_container: dict[str, list[Fact]] = defaultdict(list)
        for f in facts.of("state"):
            self.state_by_container[container_id(f.value.get("container"))].append(f)

    # ------------------------------------------------------------ containers
    def _vote_per_flow(self, cid: str) -> tuple[bool, list[str]]:
        facts = self.state_by_container[cid]
        yes = [f for f in facts if f.value.get("per_flow")]
        no = [f for f in facts if not f.value.get("per_flow")]
        verdict = sum(f.confidence for f in yes) > sum(f.confidence for f in no)
        notes = []
        if yes and no:
            notes.append(f"per_flow({cid or '?'}): {_describe(yes)} say per-flow, "
                         f"{_describe(no)} say not")
        return verdict, notes

    def per_flow_containers(self) -> tuple[list[str], list[str]]:
        chosen, notes = [], []
        for cid in self.state_by_container:
            verdict, n = self._vote_per_flow(cid)
            notes += n
            if verdict:
                chosen.append(cid)
        return chosen, notes

    def _for(self, kind: str, containers: Iterable[str]) -> list[Fact]:
        wanted = set(containers) | {NO_CONTAINER}
        return [f for f in self.facts.of(kind) if container_id(f.value.get("container")) in wanted]

    def main_container(self, per_flow: list[str]) -> Optional[str]:
        def score(cid: str):
            state = self.state_by_container[cid]
            keys = self._for("key_field", [cid])
            writes = self._for("state_write", [cid])
            kind = max((KIND_RANK.get(f.value.get("kind"), 1) for f in state), default=1)
            return (len({f.value.get("field") for f in keys if container_id(f.value.get("container")) == cid}),
                    len(writes), kind, sum(f.confidence for f in state))
        return max(per_flow, key=score) if per_flow else None

    # ------------------------------------------------------------ features
    def stateful(self, per_flow: list[str], notes: list[str]) -> Decision:
        stateless = self.facts.of("stateless")
        state = [f for c in per_flow for f in self.state_by_container[c] if f.value.get("per_flow")]
        if state:
            conf = _support(state) * (DISAGREEMENT_PENALTY if notes else 1.0)
            d = Decision(True, conf, [f.evidence for f in state], list(notes))
            if stateless:
                d.disagreements.append(f"stateful: {_describe(stateless)} report no per-flow state "
                                       f"({stateless[0].value.get('reason', '')}) but "
                                       f"{_describe(state)} found {', '.join(per_flow)}")
                if _max_conf(stateless) > conf:
                    return Decision(False, _max_conf(stateless) * DISAGREEMENT_PENALTY,
                                    [f.evidence for f in stateless], d.disagreements)
                d.confidence *= DISAGREEMENT_PENALTY
            return d
        others = [f for fs in self.state_by_container.values() for f in fs]
        conf = _max_conf(stateless, 0.6) if stateless else (0.7 if others else 0.6)
        return Decision(False, conf, [f.evidence for f in stateless + others], list(notes))

    def key(self, main: str) -> tuple[Decision, Decision]:
        facts = _name_annotations(self._for("key_field", [main]))
        by_level: dict[str, set[str]] = defaultdict(set)
        for f in facts:
            by_level[level_of(f)].add(f.value.get("field"))
        kept = [f for f in facts if f.confidence >= KEY_FIELD_THRESHOLD and f.value.get("field")]
        fields = {f.value["field"] for f in kept}
        five = canonical_fields(fields & set(KEY_FIELDS))
        other = sorted(fields - set(KEY_FIELDS))
        conf = _support(kept, 0.3)
        notes = []
        dropped = {f.value.get("field") for f in facts} - fields
        if dropped:
            notes.append(f"key: dropped low-confidence field(s) {', '.join(sorted(map(str, dropped)))}")
        sets = {lvl: s for lvl, s in by_level.items() if lvl in ("source", "ir")}
        if len(sets) == 2 and sets["source"] != sets["ir"]:
            notes.append(f"key({main or '?'}): source says {sorted(sets['source'])}, "
                         f"ir says {sorted(sets['ir'])}")
            conf *= DISAGREEMENT_PENALTY
        ev5 = [f.evidence for f in kept if f.value["field"] in KEY_FIELDS]
        evo = [f.evidence for f in kept if f.value["field"] not in KEY_FIELDS]
        return Decision(five, conf, ev5, notes), Decision(other, conf if other else 0.5, evo)

    def symmetric(self, main: str) -> Decision:
        facts = self._for("symmetric", [main])
        return Decision(bool(facts), _max_conf(facts, 0.6), [f.evidence for f in facts])

    def intensity(self, per_flow: list[str]) -> Decision:
        writes = self._for("state_write", per_flow)
        if not writes:
            return Decision("per-flow", 0.3, [], ["intensity: no write to per-flow state found; "
                                                  "assuming per-flow"])
        every = [f for f in writes if f.value.get("path") == "every-packet"]
        setup = [f for f in writes if f.value.get("path") != "every-packet"]
        notes = []
        conflict = {container_id(f.value.get("container")) for f in every} & \
            {container_id(f.value.get("container")) for f in setup}
        if every and setup and conflict:
            notes.append(f"intensity({', '.join(sorted(conflict)) or '?'}): {_describe(every)} "
                         f"say every packet, {_describe(setup)} say per flow")
        if every and _max_conf(every) >= _max_conf([f for f in setup if
                                                   container_id(f.value.get("container")) in conflict]):
            conf = _support(every) * (DISAGREEMENT_PENALTY if notes else 1.0)
            return Decision("per-packet", conf, [f.evidence for f in every], notes)
        conf = _support(setup) * (DISAGREEMENT_PENALTY if notes else 1.0)
        return Decision("per-flow", conf, [f.evidence for f in setup], notes)

    def pointer(self, per_flow: list[str]) -> Decision:
        facts = self._for("pointer_field", per_flow)
        return Decision(bool(facts), _support(facts, 0.6), [f.evidence for f in facts])

    def complexity(self) -> Decision:
        facts = self.facts.of("complexity")
        ir = [f for f in facts if level_of(f) == "ir"]
        use = ir or facts
        if not use:
            return Decision(1.0, 0.0)
        best = max(use, key=lambda f: f.confidence)
        return Decision(float(best.value.get("instructions", 1)), best.confidence, [best.evidence])

    def sharing(self, per_flow: list[str]) -> Decision:
        facts = [f for c in per_flow for f in self.state_by_container[c]]
        modes = []
        for f in facts:
            prot = f.value.get("protection")
            if f.value.get("per_core") or prot == "per-core":
                modes.append(("per-core", f))
            elif prot in ("lock", "atomic"):
                modes.append(("thread-safe", f))
            elif prot == "none":
                modes.append(("unsafe", f))
        if not modes:
            return Decision(None, 0.0)
        weakest = min(modes, key=lambda m: SHARING_ORDER.index(m[0]))[0]
        support = [f for m, f in modes if m == weakest]
        return Decision(weakest, _max_conf(support), [f.evidence for f in support])

    def rewrites(self) -> Decision:
        facts = [f for f in self.facts.of("rewrite") if f.value.get("field")]
        fields = {f.value["field"] for f in facts}
        ordered = canonical_fields(fields & set(KEY_FIELDS)) + sorted(fields - set(KEY_FIELDS))
        return Decision(ordered, _support(facts, 0.6), [f.evidence for f in facts])

    def provides(self) -> list[Evidence]:
        return [Evidence(f.evidence.file, f.evidence.line, f.evidence.source,
                         str(f.value.get("what", ""))) for f in self.facts.of("provides")]

    # ------------------------------------------------------------ all together
    def decide(self) -> dict[str, Decision]:
        per_flow, notes = self.per_flow_containers()
        decisions = {"stateful": self.stateful(per_flow, notes)}
        decisions["complexity"] = self.complexity()
        decisions["rewrites"] = self.rewrites()
        if not decisions["stateful"].value:
            return decisions
        main = self.main_container(per_flow) or NO_CONTAINER
        decisions["key"], decisions["key_other"] = self.key(main)
        decisions["symmetric"] = self.symmetric(main)
        decisions["intensity"] = self.intensity(per_flow)
        decisions["pointer"] = self.pointer(per_flow)
        decisions["sharing"] = self.sharing(per_flow)
        decisions["stateful"].evidence.insert(0, Evidence(file="", line=0, source="fusion",
                                                          detail=f"main container: {main or '?'}"))
        return decisions


def _apply_opinions(decisions: dict[str, Decision], opinions: dict[str, Any]) -> None:
    """LLM opinions fill undecided features; elsewhere they only record disagreement."""
    for feature, op in opinions.items():
        op = op if isinstance(op, dict) else {"value": op}
        value, conf = op.get("value"), float(op.get("confidence", 0.5))
        src = op.get("source", "llm")
        d = decisions.get(feature)
        if d is None or d.confidence < 0.5:
            decisions[feature] = Decision(value, conf, [Evidence("", 0, src, f"opinion: {value}")],
                                          (d.disagreements if d else []))
        elif d.value != value:
            d.disagreements.append(f"{feature}: {src} says {value!r}, facts say {d.value!r}")
            d.confidence *= 0.8


def default_upstream_key(nf: NFFeatures) -> None:
    """An element on a flow control block, seen without its chain: the key of the
    framework's stock flow managers, marked as such (``upstream:flow-manager`` stays
    in ``key_other``, and the chain replaces the key by its upstream manager's)."""
    from .passes.knowledge.fastclick import FLOW_MANAGER_DEFAULT_KEY
    from .passes.source_key import UPSTREAM_KEY
    if nf.stateful and not nf.key and UPSTREAM_KEY in nf.key_other:
        nf.key = list(FLOW_MANAGER_DEFAULT_KEY)
        nf.confidence["key"] = min(nf.confidence.get("key", 0.5), 0.5)
        nf.evidence.setdefault("key", []).insert(0, Evidence(
            "", 0, "fusion", "no chain: the key of FastClick's stock flow managers (IPFlow5ID, "
                             "5-tuple); in a chain, the key of the flow manager upstream"))


def fuse_one(facts: Facts, opinions: Optional[dict[str, Any]] = None) -> NFFeatures:
    fuser = NFFuser(facts)
    decisions = fuser.decide()
    if opinions:
        _apply_opinions(decisions, opinions)
    nf = NFFeatures(name=facts.nf)
    for feature, d in decisions.items():
        if feature == "key" and d.value:
            d.value = canonical_fields(d.value)
        setattr(nf, feature, d.value)
        nf.confidence[feature] = round(d.confidence, 3)
        nf.evidence[feature] = d.evidence
        nf.disagreements += d.disagreements
    if not nf.stateful:
        nf.key, nf.key_other, nf.intensity, nf.pointer, nf.symmetric = [], [], None, False, False
    default_upstream_key(nf)
    provided = fuser.provides()
    if provided:
        nf.evidence["provides"] = provided
    return nf


def fuse(facts: list[Facts], units: NFUnits, opinions: Optional[dict[str, dict]] = None) -> FeatureSet:
    """One NFFeatures per Facts; framework and digest copied from the matching unit."""
    by_name = {u.name: u for u in units.units}
    paired = len(facts) == len(units.units) and all(
        f.nf == u.name for f, u in zip(facts, units.units))
    out = FeatureSet()
    for i, f in enumerate(facts):
        nf = fuse_one(f, (opinions or {}).get(f.nf))
        unit = units.units[i] if paired else by_name.get(f.nf)
        if unit is not None:
            nf.framework, nf.digest = unit.framework, unit.digest
        out.nfs.append(nf)
    return out
