"""`flowmagec track`: the feature tracker for build systems.

Re-analyses only NFs whose sources (or compile flags) changed since the DB was
written, keyed by content digest, and can write a Make-style depfile so that
Make/Meson rebuild the DB when any NF source changes:

    features.json: $(shell flowmagec track elements/ --db features.json --depfile features.d)
    -include features.d
"""
from __future__ import annotations

import sys

from .. import adapters, analysis, compile as compile_mod, fusion
from ..features_db import FeatureDB
from ..outputs import OutputSet


def register(subs):
    p = subs.add_parser("track", help="incrementally maintain a feature DB (for Make/Meson)")
    p.add_argument("paths", nargs="+", help="NF sources or directories")
    p.add_argument("--db", required=True, metavar="FILE", help="feature DB (JSON) to create/update")
    p.add_argument("--framework", choices=["fastclick", "vpp", "dpdk", "plain"])
    p.add_argument("--src", action="append", default=[], metavar="DIR")
    p.add_argument("--compdb", metavar="FILE")
    p.add_argument("--entry", metavar="FUNC")
    p.add_argument("--depfile", metavar="FILE", help="write 'DB: sources...' for make")
    p.add_argument("-j", "--jobs", type=int, default=0)
    from .llm_options import add_llm_options
    add_llm_options(p)
    p.add_argument("--cache-dir", metavar="DIR",
                   help="bitcode cache (default $FLOWMAGEC_CACHE_DIR, else $XDG_CACHE_HOME/flowmagec)")
    p.add_argument("--trust-db", action="store_true",
                   help="keep records edited by hand (record digest mismatch) instead of "
                        "analysing those NFs again")
    p.add_argument("--mkdir", action="store_true", help="create a missing depfile directory")
    return p


def depfile_text(target: str, sources: list[str]) -> str:
    esc = [s.replace(" ", "\\ ") for s in sources]
    return f"{target}: " + " \\\n  ".join(esc) + "\n" + "".join(f"{s}:\n" for s in esc)


def run(args) -> int:
    from .compile_cmd import check_src_dirs
    check_src_dirs(args.src)
    log = lambda s: print(s, file=sys.stderr)  # noqa: E731
    outs = OutputSet(protected=[args.db, args.compdb], force=True, mkdir=args.mkdir)
    if args.depfile:
        outs.plan_all([args.depfile])
    units = adapters.discover_paths(args.paths, framework=args.framework, src_dirs=args.src,
                                    entry=args.entry)
    outs.protect(f for u in units.units for f in list(u.files) + list(u.headers))
    db = FeatureDB.open(args.db, trust=args.trust_db, log=log)
    known, todo = db.split_known(units)
    todo = compile_mod.compile_units(todo, compdb=args.compdb, cache_dir=args.cache_dir,
                                     jobs=args.jobs, log=log)
    from ..llm import fuse_with_llm
    from .llm_options import llm_config
    fresh, _ = fuse_with_llm(analysis.analyze(todo, log=log), todo, llm_config(args),
                             compile_mod.cache_root(args.cache_dir), log)
    db.update(fresh.nfs)
    db.save()
    if args.depfile:
        sources = sorted({f for u in units.units for f in u.files + u.headers})
        with outs:
            outs.write(args.depfile, depfile_text(args.db, sources))
    for f in fresh.nfs:
        print(f"re-analysed {f.name}")
    print(f"{len(fresh.nfs)} re-analysed, {len(known)} up to date -> {args.db}")
    return 0
