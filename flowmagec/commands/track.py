"""`flowmagec track`: the feature tracker for build systems.

Re-analyses only NFs whose sources (or compile flags) changed since the DB was
written, keyed by content digest, and can write a Make-style depfile so that
Make/Meson rebuild the DB when any NF source changes:

    features.json: $(shell flowmagec track elements/ --db features.json --depfile features.d)
    -include features.d
"""
from __future__ import annotations

from .. import adapters, analysis, compile as compile_mod
from ..features_db import FeatureDB
from ..outputs import OutputSet


def register(subs):
    p = subs.add_parser("track", help="incrementally maintain a feature DB (for Make/Meson)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="NF sources or directories")
    p.add_argument("--db", required=True, metavar="FILE", help="feature DB (JSON) to create/update")
    p.add_argument("--framework", choices=["fastclick", "vpp", "dpdk", "plain"],
                   help="force the framework (default: detected per path)")
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework source tree(s) for includes and base classes (repeatable)")
    p.add_argument("--compdb", metavar="FILE", help="compile_commands.json with per-file flags")
    p.add_argument("--entry", metavar="FUNC", help="per-packet function of a plain C/DPDK NF")
    p.add_argument("--depfile", metavar="FILE", help="write 'DB: sources...' for make")
    from .llm_options import add_llm_options
    add_llm_options(p)
    p.add_argument("--trust-db", action="store_true",
                   help="keep records edited by hand (record digest mismatch) instead of "
                        "analysing those NFs again")
    p.add_argument("--mkdir", action="store_true", help="create a missing depfile directory")
    from .common_options import add_common_options
    add_common_options(p)
    return p


def depfile_text(target: str, sources: list[str]) -> str:
    esc = [s.replace(" ", "\\ ") for s in sources]
    return f"{target}: " + " \\\n  ".join(esc) + "\n" + "".join(f"{s}:\n" for s in esc)


def run(args) -> int:
    import os
    from ..driver import mark_failed_analyses
    from ..progress import for_args
    from .common_options import check_jobs, log_for
    from .compile_cmd import check_src_dirs
    check_src_dirs(args.src)
    check_jobs(args)
    log = log_for(args)
    outs = OutputSet(protected=[args.db, args.compdb], force=True, mkdir=args.mkdir)
    if args.depfile:
        outs.plan_all([args.depfile])
    with for_args(args) as progress:
        with progress.stage("discover"):
            units = adapters.discover_paths(args.paths, framework=args.framework,
                                            src_dirs=args.src, entry=args.entry)
        outs.protect(f for u in units.units for f in list(u.files) + list(u.headers))
        db = FeatureDB.open(args.db, trust=args.trust_db, log=log)
        known, todo = db.split_known(units)
        with progress.stage("compile") as st:
            todo = compile_mod.compile_units(todo, compdb=args.compdb, cache_dir=args.cache_dir,
                                             jobs=args.jobs, log=log, on_file=st.update)
        # one process per NF: libclang parses in parallel, not only clang's compiles
        with progress.stage("analyse", total=len(todo.units)) as st:
            facts = analysis.analyze(todo, log=log, jobs=args.jobs or os.cpu_count() or 1,
                                     on_unit=st.update)
    from ..llm import fuse_with_llm
    from .llm_options import llm_config
    fresh, _ = fuse_with_llm(facts, todo, llm_config(args),
                             compile_mod.cache_root(args.cache_dir), log)
    mark_failed_analyses(fresh, facts)
    db.update(fresh.nfs)
    db.save()
    if args.depfile:
        sources = sorted({f for u in units.units for f in u.files + u.headers})
        with outs:
            outs.write(args.depfile, depfile_text(args.db, sources))
    failed = sum(1 for f in facts if str(f.stages.get("source", "")).startswith("failed"))
    if args.verbose:
        for f in fresh.nfs:
            print(f"analysed {f.name}")
    print(summary_line([f.name for f in fresh.nfs], len(known), failed) + f" -> {args.db}")
    return 0


def summary_line(analysed: list[str], reused: int, failed: int, names_up_to: int = 5) -> str:
    """``analysed 2 (A, B), reused 412, failed 0``: which NFs a build re-analysed,
    named when there are few (a build log says what changed)."""
    names = ""
    if 0 < len(analysed) <= names_up_to:
        names = f" ({', '.join(sorted(analysed))})"
    return f"analysed {len(analysed)}{names}, reused {reused}, failed {failed}"
