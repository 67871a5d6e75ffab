"""The stage driver: runs the pipeline, one typed artifact per stage.

    parse -> discover -> compile -> analyze -> fuse -> solve -> emit

``--dump-after STAGE`` prints that stage's artifact as JSON on stdout (like
LLVM's -print-after) and the run goes on.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .artifacts import FeatureSet, JsonArtifact
from .outputs import OutputSet

STAGES = ("parse", "discover", "compile", "analyze", "fuse", "solve", "emit")


@dataclass
class Options:
    config: str
    output: Optional[str] = None
    framework: Optional[str] = None
    src: list[str] = field(default_factory=list)
    compdb: Optional[str] = None
    features: Optional[str] = None      # feature DB to read and extend
    cores: int = 8
    nic: str = "generic"
    traffic: Optional[str] = None
    stages: int = 1
    symmetric: Optional[bool] = None
    ipv6: Optional[bool] = None          # None: from the traffic profile
    solver_timeout_ms: int = 10000
    llm: str = "off"
    llm_config: Any = None                 # flowmagec.llm.client.LLMConfig, None: off
    dialect: str = "vanilla"
    dispatcher: Optional[str] = None
    report: Optional[str] = None
    graph: Optional[str] = None            # --graph FILE.dot (+ .svg with Graphviz)
    explain: bool = False
    dump_after: list[str] = field(default_factory=list)
    force: bool = False
    jobs: int = 0
    cache_dir: Optional[str] = None
    vpp_version: Optional[str] = None
    defines: dict[str, str] = field(default_factory=dict)
    assume: dict[str, str] = field(default_factory=dict)    # class -> declared kind
    flow_rules_relative: bool = False     # FLOW_RULES_FILE relative to the output's directory
    strict: bool = False
    mkdir: bool = False                  # create missing output directories
    trust_db: bool = False               # keep hand-edited --features records
    calibration: Optional[str] = None    # cost constants from `flowmagec calibrate`


def dump(stage: str, artifact: Any, stream=None) -> None:
    stream = stream or sys.stdout
    if isinstance(artifact, JsonArtifact):
        data = artifact.to_dict()
    elif isinstance(artifact, list):
        data = [a.to_dict() if isinstance(a, JsonArtifact) else a for a in artifact]
    else:
        data = artifact
    print(json.dumps({"stage": stage, "artifact": data}, indent=2), file=stream)


class Pipeline:
    """Runs the stages in order; each stage is a function of the previous artifacts."""

    def __init__(self, opts: Options, log: Callable[[str], None] = lambda s: None,
                 progress=None):
        from .progress import NO_PROGRESS
        self.opts = opts
        self.log = log
        self.progress = progress or NO_PROGRESS     # flowmagec.progress.Progress
        self.artifacts: dict[str, Any] = {}
        self.llm_report = None

    def _after(self, stage: str, artifact: Any) -> Any:
        self.artifacts[stage] = artifact
        if stage in self.opts.dump_after or "all" in self.opts.dump_after:
            dump(stage, artifact)
        return artifact

    def run(self) -> dict[str, Any]:
        from . import frontends, adapters, compile as compile_mod, analysis, fusion, features_db
        from .solver import solve, nic_profiles
        from .solver.placement import realiser_for
        from . import emitters
        o = self.opts

        # Outputs are planned before any work and checked against every file the run reads.
        outs = OutputSet(protected=input_files(o), force=o.force, mkdir=o.mkdir)
        outs.plan_all(declared_outputs(o))
        chain = self._after("parse", frontends.load(o.config, framework=o.framework,
                                                     src_dirs=o.src, defines=o.defines))
        outs.protect(chain.files)
        for d in chain.diagnostics:
            self.log(str(d))

        db = (features_db.FeatureDB.open(o.features, trust=o.trust_db, log=self.log)
              if o.features else None)
        with self.progress.stage("discover"):
            units = adapters.discover_for_chain(chain, o.src)
        outs.protect(f for u in units.units for f in list(u.files) + list(u.headers))
        self._after("discover", units)

        todo = units
        known: list = []
        if db is not None:
            known, todo = db.split_known(units)
        with self.progress.stage("compile") as st:
            todo = compile_mod.compile_units(todo, compdb=o.compdb, cache_dir=o.cache_dir,
                                             jobs=o.jobs, log=self.log, on_file=st.update)
        self._after("compile", todo)
        with self.progress.stage("analyse", total=len(todo.units)) as st:
            facts = self._after("analyze", analysis.analyze(todo, log=self.log,
                                                            on_unit=st.update))
        from . import llm
        fresh, self.llm_report = llm.fuse_with_llm(
            facts, todo, o.llm_config, compile_mod.cache_root(o.cache_dir), self.log)
        if o.llm_config is not None and not o.llm_config.only:
            llm.refine_complexity(fresh, todo, facts, o.llm_config,
                                  compile_mod.cache_root(o.cache_dir), self.log)
        mark_failed_analyses(fresh, facts)
        if db is not None:
            db.update(fresh.nfs)
        features = FeatureSet(nfs=known + fresh.nfs + declared_features(
            chain, units, db, o.assume, self.log))
        self._after("fuse", features)

        nic = nic_profiles.load(o.nic)
        from .chain_features import resolve_upstream_keys
        records = features.by_name()
        per_element = resolve_upstream_keys(chain, {e.name: records[e.cls] for e in chain.elements
                                                    if e.cls in records})
        with self.progress.stage("solve"):
            plan = solve(chain, features, nic=nic, cores=o.cores, stages=o.stages,
                         traffic=o.traffic, symmetric=o.symmetric, ipv6=o.ipv6,
                         timeout_ms=o.solver_timeout_ms, constants=load_constants(o.calibration),
                         realiser=realiser_for(chain, o.src, o.dialect),
                         element_features=per_element)
        self._after("solve", plan)

        with outs:
            extra = ({"llm": self.llm_report.to_dict(o.llm_config)}
                     if self.llm_report is not None else None)
            written = emitters.emit(chain, plan, features, outs, o, log=self.log, extra=extra)
            if o.strict:
                check_strict(plan)          # before anything is renamed into place
        if db is not None and fresh.nfs:     # nothing new: the DB stays as it is (make/ninja)
            db.save()
        self._after("emit", written)
        return self.artifacts


def input_files(o: Options) -> list[str]:
    """Files the run reads before parsing: never a valid output."""
    files = [o.config, o.compdb, o.traffic, o.features, o.calibration]
    if o.nic and os.path.exists(o.nic):          # a profile file, not a built-in name
        files.append(o.nic)
    return [f for f in files if f]


def load_constants(path: Optional[str]):
    """The solver's cost constants: ``--calibration FILE``, else the defaults (None)."""
    from .solver.cost import CostConstants
    return CostConstants.load(path) if path else None


def declared_outputs(o: Options) -> list[str]:
    """The outputs named on the command line (the dispatcher brings its header)."""
    outs = [o.output, o.report]
    if o.graph:
        outs += [o.graph, str(Path(o.graph).with_suffix(".svg"))]
    if o.dispatcher:
        if Path(o.dispatcher).suffix != ".c":
            from .errors import InputError
            raise InputError(f"--dispatcher expects a '.c' path (the header goes next to it), "
                             f"got '{o.dispatcher}'")
        outs += [o.dispatcher, str(Path(o.dispatcher).with_suffix(".h"))]
    return [p for p in outs if p]


# --------------------------------------------------------------------------
# Features the code did not give: declared by the user, or unknown
# --------------------------------------------------------------------------

ASSUMABLE = ("stateless", "thread-safe", "unknown")


def declared_features(chain, units, db, assume: dict[str, str], log) -> list:
    """One record per element class without analysed source: what ``--assume
    CLASS=KIND`` or a ``--features`` record of that class declares, else nothing
    (the solver then treats the class as unknown).  Framework I/O needs none."""
    from .artifacts import NFFeatures, Evidence
    from .chain_knowledge import is_io_element
    have = {u.name for u in units.units}
    by_class = {f.name: f for f in (db.features.nfs if db is not None else [])}
    out = []
    for cls in chain.classes():
        if cls in have and cls not in assume:
            continue
        if cls in assume:
            kind = assume[cls]
            ev = {"stateful": [Evidence(file="", line=0, source="user",
                                        detail=f"--assume {cls}={kind}")]}
            if kind == "stateless":
                out.append(NFFeatures(name=cls, stateful=False, evidence=ev))
            elif kind == "thread-safe":
                out.append(NFFeatures(name=cls, stateful=True, sharing="thread-safe",
                                      intensity="per-packet", evidence=ev))
            else:
                out.append(NFFeatures(name=cls, unknown=True, stateful=True, evidence=ev))
            log(f"note: {cls}: features declared by --assume {cls}={kind}")
        elif cls in by_class:
            rec = by_class[cls]
            out.append(rec)
            log(f"note: {cls}: no source analysed; using the --features record of that class")
        elif not is_io_element(chain.framework, cls):
            log(f"warning: no source found for element class '{cls}': features unknown "
                f"(treated as stateful with an unknown key; declare it with --assume "
                f"{cls}=stateless or --features FILE)")
    return out


def mark_failed_analyses(features: FeatureSet, facts: list) -> None:
    """An NF whose every source pass crashed has no features: unknown, not stateless."""
    failed = {f.nf for f in facts if str(f.stages.get("source", "")).startswith("failed")}
    for nf in features.nfs:
        if nf.name in failed:
            nf.unknown, nf.stateful = True, True


def check_strict(plan) -> None:
    """``--strict``: unknown features, races and unsafe placements are errors (exit 1)."""
    from .errors import AnalysisError
    bad = [p for p in plan.placements if p.verdict != "safe"]
    if bad:
        raise AnalysisError(
            f"--strict: {len(bad)} NF(s) not safe under this plan",
            notes=tuple(f"{p.element} ({p.cls}): {p.verdict}: {p.reason}" for p in bad))
