"""The stage driver: runs the pipeline, one typed artifact per stage.

    parse -> discover -> compile -> analyze -> fuse -> solve -> emit

``--dump-after STAGE`` prints that stage's artifact as JSON on stdout (like
LLVM's -print-after) and the run goes on.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
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
    dialect: str = "vanilla"
    dispatcher: Optional[str] = None
    report: Optional[str] = None
    explain: bool = False
    dump_after: list[str] = field(default_factory=list)
    force: bool = False
    jobs: int = 0
    cache_dir: Optional[str] = None
    vpp_version: Optional[str] = None
    defines: dict[str, str] = field(default_factory=dict)


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

    def __init__(self, opts: Options, log: Callable[[str], None] = lambda s: None):
        self.opts = opts
        self.log = log
        self.artifacts: dict[str, Any] = {}

    def _after(self, stage: str, artifact: Any) -> Any:
        self.artifacts[stage] = artifact
        if stage in self.opts.dump_after or "all" in self.opts.dump_after:
            dump(stage, artifact)
        return artifact

    def run(self) -> dict[str, Any]:
        from . import frontends, adapters, compile as compile_mod, analysis, fusion, features_db
        from .solver import solve, nic_profiles
        from . import emitters
        o = self.opts

        chain = self._after("parse", frontends.load(o.config, framework=o.framework,
                                                     src_dirs=o.src, defines=o.defines))
        for d in chain.diagnostics:
            self.log(str(d))

        db = features_db.FeatureDB.open(o.features) if o.features else None
        units = adapters.discover_for_chain(chain, o.src)
        self._after("discover", units)
        for cls in units.unresolved:
            self.log(f"note: no source found for element class '{cls}'; treated as stateless")

        todo = units
        known: list = []
        if db is not None:
            known, todo = db.split_known(units)
        todo = compile_mod.compile_units(todo, compdb=o.compdb, cache_dir=o.cache_dir, jobs=o.jobs,
                                         log=self.log)
        self._after("compile", todo)
        facts = self._after("analyze", analysis.analyze(todo, log=self.log))
        fresh = fusion.fuse(facts, todo)
        features = FeatureSet(nfs=known + fresh.nfs)
        if db is not None:
            db.update(fresh.nfs)
        self._after("fuse", features)

        nic = nic_profiles.load(o.nic)
        plan = solve(chain, features, nic=nic, cores=o.cores, stages=o.stages,
                     traffic=o.traffic, symmetric=o.symmetric, ipv6=o.ipv6,
                     timeout_ms=o.solver_timeout_ms)
        self._after("solve", plan)

        with OutputSet(protected=chain.files, force=o.force) as outs:
            written = emitters.emit(chain, plan, features, outs, o)
        if db is not None:
            db.save()
        self._after("emit", written)
        return self.artifacts
