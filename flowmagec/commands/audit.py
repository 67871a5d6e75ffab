"""``flowmagec audit PATH...``: static feature audit, one record per NF found.

Runs discover -> compile -> analyze -> fuse on the given paths and prints a
table (rich) or JSON: the FeatureSet (schema ``flowmage.features/1``) with,
per NF, the analysis stages, IR status, files and entry points.
"""
from __future__ import annotations

import json
import os
import re
import sys

from typing import Optional

from ..artifacts import SCHEMA_FEATURES, FeatureSet, Facts, NFUnits
from .common_options import add_common_options, check_jobs, log_for
from .llm_options import add_llm_options, llm_config


def register(subs):
    p = subs.add_parser("audit", help="extract per-NF state features from source code",
                        description="Discover the NFs under each PATH, compile and analyse "
                                    "them, and print one feature record per NF.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="element/plugin/NF source files or directories (trees are scanned)")
    p.add_argument("--framework", choices=["fastclick", "vpp", "dpdk", "plain"],
                   help="force the framework (default: detected per path)")
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework source tree(s) for includes and base classes (repeatable)")
    p.add_argument("--compdb", metavar="FILE", help="compile_commands.json with per-file flags")
    p.add_argument("--entry", metavar="FUNC", help="per-packet function of a plain C/DPDK NF")
    p.add_argument("--format", choices=["table", "json", "sarif"], default="table",
                   help="table (people; -v adds evidence and stages per NF), json (the feature "
                        "records), sarif (SARIF 2.1.0 for code scanning) (default: table)")
    p.add_argument("--check", metavar="LOCK",
                   help="exit 1 with a diff when an NF's features differ from this lock file")
    p.add_argument("--write-lock", metavar="LOCK", help="write the features as a lock file")
    add_llm_options(p)
    add_common_options(p)
    return p


def audit(paths, framework=None, src=(), compdb=None, entry=None, jobs=0, cache_dir=None,
          log=lambda s: None, llm_cfg=None, report: Optional[dict] = None, progress=None
          ) -> tuple[NFUnits, list[Facts], FeatureSet]:
    """The audit pipeline as a function (used by tools/ scripts and tests)."""
    from .. import adapters, analysis, compile as compile_mod, fusion
    from ..progress import NO_PROGRESS
    progress = progress or NO_PROGRESS
    with progress.stage("discover"):
        units = adapters.discover_paths(list(paths), framework=framework, src_dirs=list(src),
                                        entry=entry)
    with progress.stage("compile") as st:
        compile_mod.compile_units(units, compdb=compdb, cache_dir=cache_dir, jobs=jobs, log=log,
                                  on_file=st.update)
    with progress.stage("analyse", total=len(units.units)) as st:
        facts = analysis.analyze(units, log=log, on_unit=st.update)
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


# ---------------------------------------------------------------- the table for people

# 'elements/x.cc:2:10: 'y.hh' file not found (in elements/x.cc)' -> location, message
_LOCATED = re.compile(r"^(?P<where>\S+:\d+(?::\d+)?): (?P<msg>.*?)(?: \(in [^()]*\))?$")
# narrower than this, the evidence column is left out of the table (it is in -v)
MIN_EVIDENCE_WIDTH = 16
# the order of the features in -v details
_DETAIL_FEATURES = ("stateful", "key", "key_other", "symmetric", "intensity", "pointer",
                    "sharing", "rewrites", "complexity")


class PathDisplay:
    """Paths as people read them: relative to the working directory when every
    file is under it, else to the deepest directory holding them all."""

    def __init__(self, files):
        absolute = [os.path.abspath(f) for f in files if f]
        cwd = os.getcwd()
        if not absolute or all(_under(f, cwd) for f in absolute):
            self.base = cwd
        else:
            self.base = os.path.commonpath([os.path.dirname(f) for f in absolute])
        self.is_cwd = self.base == cwd

    def __call__(self, path: str) -> str:
        if not path or not os.path.isabs(path):
            return path
        return os.path.relpath(path, self.base) if _under(path, self.base) else path

    def near(self, path: str, nf_files) -> str:
        """Shorter still in a row: relative to the NF's own directory when under it."""
        if nf_files and os.path.isabs(path):
            own = os.path.dirname(os.path.abspath(nf_files[0]))
            if _under(path, own):
                return os.path.relpath(path, own)
        return self(path)


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip(os.sep) + os.sep)


class IRFootnotes:
    """Why IR is missing, once per distinct reason: rows carry ``[n]``."""

    def __init__(self):
        self.reasons: dict[str, list[tuple[str, str]]] = {}   # message -> [(NF, where)]

    def mark(self, nf: str, ir_status: str) -> str:
        head, _, why = ir_status.partition(":")
        if head == "ok" or not why.strip():
            return head or "?"
        why = why.strip()
        if head == "partial":                  # 'partial: 1/2 files compiled; <first error>'
            why = why.split("; ", 1)[-1]
        m = _LOCATED.match(why)
        msg, where = (m.group("msg"), m.group("where")) if m else (why, "")
        self.reasons.setdefault(msg, []).append((nf, where))
        n = list(self.reasons).index(msg) + 1
        return f"{'none' if head == 'unavailable' else head} [{n}]"

    def lines(self, verbose: bool) -> list[str]:
        out = []
        for n, (msg, hits) in enumerate(self.reasons.items(), 1):
            names = [nf for nf, _ in hits]
            shown = ", ".join(names[:3]) + (f", +{len(names) - 3}" if len(names) > 3 else "")
            where = next((w for _, w in hits if w), "")
            eg = f"; e.g. {where}" if where and not verbose else ""
            out.append(f"[{n}] IR unavailable: {msg} ({len(hits)} NF{'s' if len(hits) > 1 else ''}: "
                       f"{shown}{eg})")
            if verbose:
                out += [f"      {nf}: {w}" for nf, w in hits if w]
        return out


def _state(nf) -> tuple[str, str]:
    """The state cell and its style."""
    if nf.unknown:
        return "unknown", "bold red"
    return ("stateful", "yellow") if nf.stateful else ("stateless", "green")


def _top_evidence(nf):
    for feature in ("key", "stateful", "sharing", "intensity"):
        for ev in reversed(nf.evidence.get(feature, [])):
            if ev.file:
                return ev
    return None


def print_table(units: NFUnits, facts: list[Facts], features: FeatureSet, stream=None,
                verbose: bool = False, width: Optional[int] = None) -> None:
    """One line per NF, sized to the terminal (``COLUMNS`` or its real width),
    colour only on a terminal; the reason of a missing IR once, as a footnote;
    ``verbose``: the evidence (file:line) of every feature and the stages."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    stream = stream or sys.stdout
    console = Console(file=stream, width=width, highlight=False, soft_wrap=False)
    rows = list(zip(units.units, facts, features.nfs))
    show = PathDisplay([f for u, _, nf in rows for f in u.files]
                       + [e.file for _, _, nf in rows for evs in nf.evidence.values()
                          for e in evs])
    notes = IRFootnotes()
    mixed = len({nf.framework for _, _, nf in rows}) > 1
    counts = [_state(nf)[0] for _, _, nf in rows]
    summary = ", ".join(f"{counts.count(k)} {k}" for k in ("stateful", "stateless", "unknown")
                        if counts.count(k))
    title = (f"flowmagec audit: {len(rows)} NF{'s' if len(rows) != 1 else ''}"
             + (f" ({summary})" if summary else "")
             + ("" if show.is_cwd else f"; paths relative to {show.base}"))
    table = Table(box=None, pad_edge=False, header_style="bold")
    columns = ["NF"] + (["framework"] if mixed else []) + [
        "state", "key", "access", "sharing", "IR", "evidence"]
    body = []
    for unit, f, nf in rows:
        state, style = _state(nf)
        key = ",".join(nf.key) + (" (sym)" if nf.symmetric and nf.key else "")
        ir = notes.mark(nf.name, unit.ir_status)
        ev = _top_evidence(nf)
        where = f"{show.near(ev.file, unit.files)}:{ev.line} {ev.detail}".strip() if ev else ""
        cells = [Text(nf.name, style="bold")] + ([Text(nf.framework)] if mixed else []) + [
            Text(state, style=style), Text(key), Text(nf.intensity or ""),
            Text(nf.sharing or "", style="red" if nf.sharing == "unsafe" else ""),
            Text(ir, style="" if ir == "ok" else "dim"), Text(where, style="dim")]
        body.append(cells)
    # Every column but the evidence keeps its natural width (a row stays one
    # readable line); the evidence takes what the terminal has left, and is
    # left out (it is in -v) when that is too little to read.
    natural = [max([len(col)] + [len(r[i].plain) for r in body]) for i, col in enumerate(columns)]
    room = console.width - sum(natural[:-1]) - 2 * (len(columns) - 1)
    if room < MIN_EVIDENCE_WIDTH:
        columns, body = columns[:-1], [r[:-1] for r in body]
    for i, col in enumerate(columns):
        table.add_column(col, no_wrap=True, overflow="ellipsis", min_width=natural[i],
                         max_width=room if col == "evidence" else None)
    for cells in body:
        if columns[-1] == "evidence":
            cells[-1].truncate(room, overflow="ellipsis")
        table.add_row(*cells)
    console.print(Text(title, style="bold"), soft_wrap=True)
    console.print(table)
    for line in notes.lines(verbose):
        console.print(Text(line, style="dim"))
    if verbose:
        for unit, f, nf in rows:
            console.print(Text(nf.name, style="bold"), Text("  ".join(show(x) for x in unit.files)),
                          soft_wrap=True)
            console.print(Text("  stages: " + ", ".join(f"{k} {v}" for k, v in f.stages.items())),
                          soft_wrap=True)
            for feature in _DETAIL_FEATURES:
                for e in nf.evidence.get(feature, []):
                    loc = f"{show(e.file)}:{e.line}" if e.file else "-"
                    console.print(Text(f"  {feature}: {loc} [{e.source}] {e.detail}".rstrip()),
                                  soft_wrap=True)
            for d in nf.disagreements:
                console.print(Text(f"  disagreement: {d}"), soft_wrap=True)
    for d in units.diagnostics:
        print(d, file=sys.stderr)


def run(args) -> int:
    cfg = llm_config(args)
    from .. import lockfile
    lock = lockfile.load_lock(args.check) if args.check else None
    from .compile_cmd import check_src_dirs
    check_src_dirs(args.src)
    check_jobs(args)
    warnings: list[str] = []
    show = log_for(args)

    def log(line: str) -> None:
        # A crashed pass is always reported (the NF's features may be degraded);
        # compile/pass notes only with -v.
        if line.startswith("warning:"):
            warnings.append(line)
        show(line)
    extra: dict = {}
    from ..progress import for_args
    with for_args(args) as progress:
        units, facts, features = audit(args.paths, framework=args.framework, src=args.src,
                                       compdb=args.compdb, entry=args.entry, jobs=args.jobs,
                                       cache_dir=args.cache_dir, log=log, llm_cfg=cfg,
                                       report=extra, progress=progress)
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
        print_table(units, facts, features, verbose=args.verbose)
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
