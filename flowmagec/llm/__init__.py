"""LLM second opinion (issue 10): prompts on code slices (source, IR or both), any
OpenAI-compatible endpoint, majority votes, a content cache and token accounting.

``opinions_for`` returns, per NF, the voted opinion on each feature in the form
``fusion.fuse`` takes: the static passes' proven features stay, the opinions fill
what they left undecided, and every disagreement is listed with both answers.
Prompts are files in ``prompts/`` (Jinja2); the definitions in them are
``prompts/definitions.md``, the same text as ``docs/features.md`` opens with.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Optional

import jinja2

from ..artifacts import Facts, NFUnit
from .cache import AnswerCache
from .client import Answer, ChatClient, LLMConfig, Usage
from .slicing import Slice, slice_unit
from .tokens import estimate
from .votes import validate, vote

FRAMEWORK_NAMES = {"fastclick": "FastClick (C++)", "vpp": "FD.io VPP (C)",
                   "dpdk": "DPDK (C)", "plain": "C"}


def _prompt_file(name: str) -> str:
    return resources.files("flowmagec.prompts").joinpath(name).read_text(encoding="utf-8")


@dataclass
class Prompts:
    env: jinja2.Environment
    schema: dict
    definitions: str
    version: str          # digest of every template: a new template means new calls

    @classmethod
    def load(cls) -> "Prompts":
        names = ("feature.system.j2", "feature.user.j2", "complexity.system.j2",
                 "complexity.user.j2", "feature.schema.json", "definitions.md")
        texts = {n: _prompt_file(n) for n in names}
        env = jinja2.Environment(loader=jinja2.DictLoader(texts), autoescape=False,
                                 keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
        version = hashlib.sha256("".join(texts[n] for n in names).encode()).hexdigest()[:16]
        return cls(env, json.loads(texts["feature.schema.json"]), texts["definitions.md"].strip(),
                   version)

    def feature(self, unit: NFUnit, sl: Slice) -> tuple[str, str]:
        fw = FRAMEWORK_NAMES.get(unit.framework, unit.framework)
        system = self.env.get_template("feature.system.j2").render(
            framework_name=fw, schema=json.dumps(self.schema), definitions=self.definitions)
        user = self.env.get_template("feature.user.j2").render(
            nf=unit.name, framework_name=fw, sliced=sl.sliced, truncated=sl.truncated,
            truncation=sl.truncation, chunks=sl.chunks)
        return system, user

    def complexity(self, a: dict, b: dict) -> tuple[str, str]:
        return (self.env.get_template("complexity.system.j2").render(),
                self.env.get_template("complexity.user.j2").render(a=a, b=b))


@dataclass
class NFOpinion:
    nf: str
    opinions: dict[str, dict] = field(default_factory=dict)    # feature -> value/confidence
    splits: dict[str, dict] = field(default_factory=dict)
    prompt_tokens_estimate: int = 0
    sliced: bool = True
    truncation: str = ""
    usage: Usage = field(default_factory=Usage)
    valid_answers: int = 0

    def to_dict(self) -> dict:
        return {"nf": self.nf, "opinions": self.opinions, "votes": self.splits,
                "prompt_tokens_estimate": self.prompt_tokens_estimate, "sliced": self.sliced,
                "truncation": self.truncation, "valid_answers": self.valid_answers,
                "usage": self.usage.to_dict()}


@dataclass
class LLMReport:
    model: str
    prompt_version: str
    nfs: list[NFOpinion] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    def opinions(self) -> dict[str, dict]:
        """``{nf: {feature: {"value", "confidence", "source"}}}`` for fusion."""
        src = f"llm:{self.model}"
        return {o.nf: {f: {**v, "source": src} for f, v in o.opinions.items()} for o in self.nfs}

    def to_dict(self, cfg: Optional[LLMConfig] = None) -> dict:
        return {"model": self.model, "prompt_version": self.prompt_version,
                "usage": self.usage.to_dict(cfg), "nfs": [o.to_dict() for o in self.nfs]}


def opinions_for(units: list[NFUnit], facts: list[Facts], cfg: LLMConfig, cache_root=None,
                 log: Callable[[str], None] = lambda s: None, client: Optional[ChatClient] = None
                 ) -> LLMReport:
    """Ask the model about each NF, ``cfg.samples`` times, and vote."""
    prompts = Prompts.load()
    client = client or ChatClient(cfg, AnswerCache(cache_root))
    by_nf = {f.nf: f for f in facts}
    report = LLMReport(model=cfg.model, prompt_version=prompts.version)
    for unit in units:
        sl = slice_unit(unit, None if cfg.only else by_nf.get(unit.name), cfg.budget_tokens,
                        source=cfg.input in ("source", "both"), ir=cfg.input in ("ir", "both"))
        system, user = prompts.feature(unit, sl)
        op = NFOpinion(nf=unit.name, prompt_tokens_estimate=estimate(system) + estimate(user),
                       sliced=sl.sliced, truncation=sl.truncation)
        answers = []
        for k in range(max(1, cfg.samples)):
            a: Answer = client.ask(system, user, prompts.schema, k, prompts.version)
            op.usage.add(a)
            report.usage.add(a)
            if a.error:
                log(f"warning: {unit.name}: LLM sample {k + 1}: {a.error}")
            valid = validate(a.data)
            if valid:
                answers.append(valid)
        op.valid_answers = len(answers)
        op.opinions, op.splits = vote(answers)
        if not answers:
            log(f"warning: {unit.name}: no usable LLM answer ({cfg.samples} sample(s)); "
                f"static features only")
        report.nfs.append(op)
    return report


def compare_complexity(a: tuple[NFUnit, Optional[Facts]], b: tuple[NFUnit, Optional[Facts]],
                       cfg: LLMConfig, cache_root=None, client: Optional[ChatClient] = None
                       ) -> Optional[str]:
    """The pairwise code-complexity estimate (the paper's CCE): 'A', 'B' or 'same'
    by majority of ``cfg.samples`` answers, None when undecided or unusable."""
    prompts = Prompts.load()
    client = client or ChatClient(cfg, AnswerCache(cache_root))
    half = max(200, cfg.budget_tokens // 2)
    views = []
    for unit, facts in (a, b):
        sl = slice_unit(unit, facts, half)
        views.append({"nf": unit.name, "lang": "c" if unit.framework != "fastclick" else "cpp",
                      "text": sl.text()})
    system, user = prompts.complexity(views[0], views[1])
    schema = {"type": "object", "required": ["more_work"], "additionalProperties": False,
              "properties": {"more_work": {"enum": ["A", "B", "same"]}}}
    votes: dict[str, int] = {}
    for k in range(max(1, cfg.samples)):
        ans = client.ask(system, user, schema, k, prompts.version + ":cce")
        v = (ans.data or {}).get("more_work")
        if v in ("A", "B", "same"):
            votes[v] = votes.get(v, 0) + 1
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def fuse_with_llm(facts: list[Facts], units, cfg: Optional[LLMConfig], cache_root=None,
                  log: Callable[[str], None] = lambda s: None):
    """(FeatureSet, LLMReport or None): the static features, with the LLM's opinions
    filling what they left undecided (``cfg`` None: static only; ``cfg.only``: the
    LLM's answers alone)."""
    from .. import fusion
    if cfg is None or not units.units:
        return fusion.fuse(facts, units), None
    report = opinions_for(units.units, facts, cfg, cache_root, log)
    if cfg.only:
        return llm_only_features(report, units), report
    features = fusion.fuse(facts, units, report.opinions())
    for nf in features.nfs:
        for d in nf.disagreements:
            log(f"note: {nf.name}: {d}")
    return features, report


def llm_only_features(report: LLMReport, units):
    """Features from the votes alone (``--llm-only``): the paper's pipeline."""
    from ..artifacts import Evidence, FeatureSet, NFFeatures, canonical_fields
    by_unit = {u.name: u for u in units.units}
    out = FeatureSet()
    src = f"llm:{report.model}"
    for op in report.nfs:
        nf = NFFeatures(name=op.nf, unknown=not op.opinions)
        for feature, v in op.opinions.items():
            value = v["value"]
            if feature == "key":
                value = canonical_fields(value)
            setattr(nf, feature, value)
            nf.confidence[feature] = v["confidence"]
            nf.evidence[feature] = [Evidence("", 0, src, f"votes {v['votes']}")]
        if not nf.stateful:
            nf.key, nf.key_other, nf.intensity, nf.pointer, nf.symmetric = [], [], None, False, False
        unit = by_unit.get(op.nf)
        if unit is not None:
            nf.framework, nf.digest = unit.framework, unit.digest
        out.nfs.append(nf)
    return out


CCE_RATIO = 1.25        # "A does more work than B" makes A's estimate at least this x B's
CCE_MAX_NFS = 6         # pairwise: at most 15 comparisons per chain


def refine_complexity(features, units, facts: list[Facts], cfg: LLMConfig, cache_root=None,
                      log: Callable[[str], None] = lambda s: None) -> int:
    """Pairwise code-complexity estimates (the paper's CCE) for the stateful NFs whose
    static complexity is undecided (confidence < 0.5): the solver's per-NF work and
    tie-breaks then follow the model's ordering.  Returns the comparisons made."""
    from ..artifacts import Evidence
    by_unit = {u.name: u for u in units.units}
    by_facts = {f.nf: f for f in facts}
    todo = [nf for nf in features.nfs if nf.stateful and nf.name in by_unit
            and nf.confidence.get("complexity", 0.0) < 0.5][:CCE_MAX_NFS]
    done = 0
    client = ChatClient(cfg, AnswerCache(cache_root))
    for i, a in enumerate(todo):
        for b in todo[i + 1:]:
            verdict = compare_complexity((by_unit[a.name], by_facts.get(a.name)),
                                         (by_unit[b.name], by_facts.get(b.name)), cfg,
                                         cache_root, client)
            done += 1
            if verdict is None:
                continue
            if verdict == "same":
                a.complexity = b.complexity = (a.complexity + b.complexity) / 2
            else:
                hi, lo = (a, b) if verdict == "A" else (b, a)
                hi.complexity = max(hi.complexity, CCE_RATIO * lo.complexity)
            for nf, other in ((a, b), (b, a)):
                nf.evidence.setdefault("complexity", []).append(Evidence(
                    "", 0, f"llm:{cfg.model}", f"pairwise vs {other.name}: {verdict}"))
    if done:
        log(f"note: LLM compared the per-packet work of {len(todo)} NF(s) ({done} pair(s))")
    return done
