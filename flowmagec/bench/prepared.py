"""A bench run prepared here and measured elsewhere (a machine with many cores
but none of flowmagec's dependencies): ``prepare`` writes every program's C
source, the trace, a manifest and ``run.sh`` (needs only ``cc`` and ``sh``);
``load`` reads the results back into a ``BenchResult`` for the usual report.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..artifacts import Plan
from ..errors import InputError
from .configs import Inputs, chain_spec, trace_profile
from .program import CFLAGS, Configuration, render, slug, with_mpps
from .runner import BenchResult, Row, planned
from .traces import Trace

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"

RUN_SH = """#!/bin/sh
# flowmagec bench, prepared: build every program, then REPS rounds over all of them
# (each keeps its best run when read back with `flowmagec bench --results DIR`).
set -e
cd "$(dirname "$0")"
export CC="${{CC:-cc}}"
REPS="${{REPS:-{reps}}}"
JOBS="$(nproc 2>/dev/null || echo 4)"
start=$(date +%s)
ls -d p*/ | xargs -P "$JOBS" -I{{}} sh -c 'cd {{}} && $CC {cflags} -o bench *.c'
echo "built in $(( $(date +%s) - start )) s"
rm -f p*/{results}
r=1
while [ "$r" -le "$REPS" ]; do
    for d in p*/; do
        "./${{d}}bench" trace.bin 1 >> "${{d}}{results}"
    done
    r=$((r + 1))
done
echo "measured in $(( $(date +%s) - start )) s"
if [ -n "$OUT" ]; then          # the results, under $OUT/<this directory's name>
    dest="$OUT/$(basename "$PWD")"
    for d in p*/; do
        mkdir -p "$dest/$d" && cp "${{d}}{results}" "$dest/$d"
    done
    cp {manifest} "$dest/"
fi
"""


def prepare(inputs: Inputs, trace: Trace, cores_list: list[int], out: str, reps: int = 3,
            symmetric: Optional[bool] = None) -> Path:
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    spec = chain_spec(inputs)
    notes: list[str] = []
    todo = planned(inputs, spec, cores_list, trace_profile(trace), symmetric, notes)
    rows = []
    for i, (n, config, cost) in enumerate(todo):
        d = root / f"p{i:03d}-{slug(config, n)}"
        d.mkdir(exist_ok=True)
        for name, text in render(spec, config, n, trace.flows()).items():
            (d / name).write_text(text)
        rows.append({"dir": d.name, "cores": n, "predicted": cost,
                     "description": config.describe(spec),
                     "config": {"label": config.label, "names": config.names,
                                "modes": config.modes, "protection": config.protection,
                                "plan": config.plan.to_dict()}})
    trace.write(str(root / "trace.bin"))
    (root / MANIFEST).write_text(json.dumps({"trace": trace.name, "packets": len(trace),
                                             "flows": trace.flows(), "notes": notes,
                                             "rows": rows}, indent=1))
    run = root / "run.sh"
    run.write_text(RUN_SH.format(reps=reps, cflags=" ".join(CFLAGS), results=RESULTS,
                                 manifest=MANIFEST))
    run.chmod(0o755)
    return root


def load(directory: str, clock: str = "wall") -> BenchResult:
    root = Path(directory)
    try:
        man = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise InputError(f"{directory}: no readable {MANIFEST} ({e})") from None
    res = BenchResult(trace=man["trace"], packets=man["packets"], flows=man["flows"], clock=clock,
                      notes=list(man["notes"]))
    for row in man["rows"]:
        path = root / row["dir"] / RESULTS
        runs = [with_mpps(json.loads(line), clock) for line in
                (path.read_text().splitlines() if path.exists() else []) if line.strip()]
        if not runs:
            raise InputError(f"{path}: no results (run {root / 'run.sh'} first)")
        best = max(runs, key=lambda r: r["mpps"])
        best["times"] = [t for r in runs for t in r["times"]]
        c = row["config"]
        config = Configuration(label=c["label"], plan=Plan.from_dict(c["plan"]), modes=c["modes"],
                               protection=c["protection"], names=c["names"],
                               predicted=row["predicted"])
        res.rows.append(Row(cores=row["cores"], config=config, description=row["description"],
                            predicted_cost=row["predicted"], result=best))
    return res
