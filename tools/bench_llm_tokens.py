#!/usr/bin/env python3
"""Prompt tokens per NF, sliced vs whole files, source vs IR (issue 10).

    tools/bench_llm_tokens.py DIR [--labels ../shared/eval/paper18.json] [--src TREE]...

DIR holds one folder per NF (the FlowMage paper's ``extracted_nfs``; fetch
hamidgh09/FlowMage, never commit it).  For each NF it renders the real feature
prompt (system + user, ``flowmagec.llm.Prompts``) over: the static slice with
the default budget, the whole files (the paper's method), and the IR of the
per-packet functions, and counts tokens with ``flowmagec.llm.tokens.estimate``
(documented there).  No model is called.  Targets: sliced average <= 2,400 and
no NF over 8,000 (the paper: 7,164 average, 31,570 max).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from pathlib import Path

from flowmagec.commands.audit import audit
from flowmagec.llm import Prompts
from flowmagec.llm.slicing import slice_unit
from flowmagec.llm.tokens import estimate


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--labels", default=str(Path(__file__).resolve().parents[2] / "shared" /
                                            "eval" / "paper18.json"))
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--budget", type=int, default=1500,
                    help="code tokens per prompt (flowmagec's default)")
    ap.add_argument("--cache-dir")
    args = ap.parse_args(argv)
    names = list(json.loads(Path(args.labels).read_text())["nfs"])
    prompts = Prompts.load()
    rows = []
    for name in names:
        d = Path(args.dir) / name
        if not d.is_dir():
            print(f"skip {name}: no {d}", file=sys.stderr)
            continue
        units, facts, _ = audit([str(d)], src=args.src, cache_dir=args.cache_dir)
        if not units.units:
            print(f"skip {name}: no NF found", file=sys.stderr)
            continue
        unit = units.units[0]
        f = next((x for x in facts if x.nf == unit.name), None)

        def tokens(sl) -> int:
            system, user = prompts.feature(unit, sl)
            return estimate(system) + estimate(user)
        sliced = tokens(slice_unit(unit, f, args.budget))
        whole = tokens(slice_unit(dataclasses.replace(unit, entry_points=[]), None, 10 ** 7))
        ir = tokens(slice_unit(unit, f, args.budget, source=False, ir=True)) \
            if unit.bitcode else None
        rows.append((name, sliced, whole, ir))
    print(f"{'NF':<20} {'sliced':>8} {'whole':>8} {'IR':>8}")
    for name, s, w, i in rows:
        print(f"{name:<20} {s:>8} {w:>8} {i if i is not None else '-':>8}")
    sl, wh = [r[1] for r in rows], [r[2] for r in rows]
    irs = [r[3] for r in rows if r[3] is not None]
    print(f"{'average':<20} {statistics.mean(sl):>8.0f} {statistics.mean(wh):>8.0f} "
          f"{statistics.mean(irs) if irs else 0:>8.0f}")
    print(f"{'max':<20} {max(sl):>8} {max(wh):>8} {max(irs) if irs else 0:>8}")
    print(f"sliced/whole: {statistics.mean(sl) / statistics.mean(wh):.2f}; targets: average <= "
          f"2400 ({'met' if statistics.mean(sl) <= 2400 else 'missed'}), max <= 8000 "
          f"({'met' if max(sl) <= 8000 else 'missed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
