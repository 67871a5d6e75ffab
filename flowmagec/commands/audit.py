"""``flowmagec audit PATH...``: static feature audit, one record per NF found.

Runs discover -> compile -> analyze -> fuse on the given paths and prints a
table (rich) or JSON: the FeatureSet (schema ``flowmage.features/1``) with,
per NF, the analysis stages, IR status, files and entry points.
"""
from __future__ import annotations

import json
import re
import sys

from ..artifacts import SCHEMA_FEATURES, FeatureSet, Facts, NFUnits
from typing import Optional

from ..errors import InputError
from .llm_options import add_llm_options, llm_config


def register(subs):
    p = subs.add_parser("audit", help="extract per-NF state features from source code")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="element/plugin/NF source files or directories (trees are scanned)")
    p.add_argument("--framework", choices=["fastclick", "vpp", "dpdk", "plain"],
                   help="force the framework (default: detected per path)")
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework source tree(s) for includes and base classes")
    p.add_argument("--compdb", metavar="FILE", help="compile_commands.json with per-file flags")
    p.add_argument("--entry", metavar="FUNC", help="per-packet function of a plain C/DPDK NF")
    p.add_argument("--format", choices=["table", "json", "sarif"], default="table",
                   help="table (people), json (the feature records), sarif (SARIF 2.1.0 for "
                        "code scanning) (default: table)")
    p.add_argument("--check", metavar="LOCK",
                   help="exit 1 with a diff when an NF's features differ from this lock file")
    p.add_argument("--write-lock", metavar="LOCK", help="write the features as a lock file")
    add_llm_options(p)
    p.add_argument("--jobs", type=int, default=0, help="parallel clang jobs (0 = all cores)")
    p.add_argument("--cache-dir", metavar="DIR", help="bitcode cache (default $FLOWMAGEC_CACHE_DIR, else "
                        "$XDG_CACHE_HOME/flowmagec)")
    p.add_argument("--verbose", "-v", action="store_true", help="log compile/pass notes")
    return p


def audit(paths, framework=None, src=(), compdb=None, entry=None, jobs=0, cache_dir=None,
          log=lambda s: None, llm_cfg=None, report: Optional[dict] = None
          ) -> tuple[NFUnits, list[Facts], FeatureSet]:
    """The audit pipeline as a function (used by tools/ scripts and tests)."""
    from .. import adapters, analysis, compile as compile_mod, fusion
    units = adapters.discover_paths(list(paths), framework=framework, src_dirs=list(src),
                                    entry=entry)
    compile_mod.compile_units(units, compdb=compdb, cache_dir=cache_dir, jobs=jobs, log=log)
    facts = analysis.analyze(units, log=log)
    if llm_cfg is None:
        return units, facts, fusion.fuse(facts, units)
    from ..llm import fuse_with_llm
    warn = lambda s: print(s, file=sys.stderr)  # noqa: E731  (LLM trouble is always shown)
    features, llm_report = fuse_with_llm(facts, units, llm_cfg,
                                         compile_mod.cache_root(cache_dir), warn)
    if report is not None and llm_report is not None:
        report["llm"] = llm_report.to_dict(llm_cfg)
    return units, facts, features


def to_json(units: NFUnits, facts: list[Facts], features: FeatureSet) -> dict:
    records = []
    for unit, f, nf in zip(units.units, facts, features.nfs):
        rec = nf.to_dict()
        rec.update(stages=f.stages, ir_status=unit.ir_status, files=unit.files,
                   entry_points=unit.entry_points, bases=unit.bases)
        records.append(rec)
    return {"schema": SCHEMA_FEATURES, "nfs": records,
            "diagnostics": [str(d) for d in units.diagnostics]}


def print_table(units: NFUnits, facts: list[Facts], features: FeatureSet, stream=None) -> None:
    from rich.console import Console
    from rich.table import Table
    table = Table(title=f"flowmagec audit: {len(features.nfs)} NF(s)")
    for col in ("NF", "framework", "stateful", "key", "other", "sym", "intensity", "pointer",
                "sharing", "IR", "why"):
        table.add_column(col, overflow="fold")
    for unit, f, nf in zip(units.units, facts, features.nfs):
        why = nf.evidence.get("key") or nf.evidence.get("stateful") or []
        why_text = str(why[-1]) if why else ""
        table.add_row(nf.name, nf.framework, "yes" if nf.stateful else "no",
                      ",".join(nf.key), ",".join(nf.key_other), "yes" if nf.symmetric else "",
                      nf.intensity or "", "yes" if nf.pointer else ("no" if nf.stateful else ""),
                      nf.sharing or "", _short_ir(unit.ir_status), why_text[:80])
    Console(file=stream or sys.stdout, width=200).print(table)
    for d in units.diagnostics:
        print(d, file=sys.stderr)


def _short_ir(status: str) -> str:
    """'unavailable: f.cc: /long/path:6:14: fatal error: 'x.h' file not found' -> the gist."""
    head = status.split(":", 1)[0]
    if "error:" in status:
        return f"{head}: {status.rsplit('error:', 1)[1].strip()[:60]}"
    located = re.search(r":\d+:\d+: (.*)$", status)     # 'unavailable: f.cc:6:14: msg (in g.cc)'
    if located:
        return f"{head}: {located.group(1)[:60]}"
    return status[:70]


def run(args) -> int:
    cfg = llm_config(args)
    from .. import lockfile
    lock = lockfile.load_lock(args.check) if args.check else None
    from .compile_cmd import check_src_dirs
    check_src_dirs(args.src)
    from ..errors import printable
    warnings: list[str] = []

    def log(line: str) -> None:
        # A crashed pass is always reported (the NF's features may be degraded);
        # compile/pass notes only with -v.
        if line.startswith("warning:"):
            warnings.append(line)
        if args.verbose or line.startswith("warning:"):
            print(printable(line), file=sys.stderr)
    extra: dict = {}
    units, facts, features = audit(args.paths, framework=args.framework, src=args.src,
                                   compdb=args.compdb, entry=args.entry, jobs=args.jobs,
                                   cache_dir=args.cache_dir, log=log, llm_cfg=cfg, report=extra)
    if args.format == "json":
        json.dump({**to_json(units, facts, features), **extra, "warnings": warnings},
                  sys.stdout, indent=2)
        print()
    elif args.format == "sarif":
        from .. import __version__
        from ..emitters.sarif import to_sarif
        json.dump(to_sarif(units, facts, features, __version__), sys.stdout, indent=2)
        print()
    else:
        print_table(units, facts, features)
    if args.write_lock:
        from ..outputs import OutputSet
        with OutputSet(protected=[f for u in units.units for f in u.files + u.headers],
                       force=True) as outs:
            outs.write(args.write_lock, lockfile.lock_text(features))
    if lock is not None:
        changes = lockfile.diff(lock, features)
        if changes:
            print(f"{args.check}: {len(changes)} feature change(s) against the lock:",
                  file=sys.stderr)
            for line in changes:
                print(f"  {line}", file=sys.stderr)
            return 1
        print(f"{args.check}: features match the lock ({len(features.nfs)} NF(s))",
              file=sys.stderr)
    return 0
