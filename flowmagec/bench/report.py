"""Printing a bench run: the Mpps table (a scaling curve per configuration), the
solver's pick per core count, regret, model vs measurement, an optional PNG."""
from __future__ import annotations

import json
from typing import Optional

from .configs import PLAN
from .runner import BenchResult


def _curves(res: BenchResult) -> dict[str, dict]:
    """description -> {'names': set, 'mpps': {cores: value}} (a configuration's curve)."""
    out: dict[str, dict] = {}
    for r in res.rows:
        c = out.setdefault(r.description, {"names": [], "mpps": {}, "picked": set()})
        for n in r.config.names:
            if n not in c["names"]:
                c["names"].append(n)
        c["safe"] = r.config.safe
        c["mpps"][r.cores] = r.mpps
        if PLAN in r.config.names:
            c["picked"].add(r.cores)
    return out


def table(res: BenchResult) -> list[str]:
    cores = res.core_counts()
    curves = _curves(res)
    name_w = max([len("configuration")] + [len(", ".join(c["names"])) for c in curves.values()])
    desc_w = max([len("dispatch / shared state")] + [len(d) for d in curves])
    head = (f"{'configuration':<{name_w}}  {'dispatch / shared state':<{desc_w}}  "
            + "  ".join(f"{str(n) + ' core' + ('s' if n > 1 else ''):>10}" for n in cores))
    lines = [f"trace {res.trace}: {res.packets} packets, {res.flows} flows; Mpps by {res.clock} time "
             f"(* = the solver's pick at that core count)", head, "-" * len(head)]
    for desc, c in curves.items():
        cells = []
        for n in cores:
            v = c["mpps"].get(n)
            cells.append(f"{'' if v is None else f'{v:.2f}'}{'*' if n in c['picked'] else ' '}"
                         .rjust(11))
        lines.append(f"{', '.join(c['names']):<{name_w}}  {desc:<{desc_w}} " + " ".join(cells))
    if any(not c["safe"] for c in curves.values()):
        lines.append("(race: shared state written without synchronisation, as the code is "
                     "written; not a deployment the solver may pick, left out of regret)")
    return lines


def model_lines(res: BenchResult) -> list[str]:
    """Predicted vs measured throughput ratios of each alternative to the pick."""
    lines = []
    for n in res.core_counts():
        pick = res.pick(n)
        for r in res.at(n):
            if r is pick or r.predicted_cost is None or not pick.predicted_cost:
                continue
            predicted = pick.predicted_cost / r.predicted_cost
            measured = r.mpps / pick.mpps if pick.mpps else 0.0
            lines.append(f"{n} cores: {r.config.label} / plan: predicted {predicted:.2f}x, "
                         f"measured {measured:.2f}x")
    return lines


def summary(res: BenchResult) -> list[str]:
    lines = []
    for n in res.core_counts():
        pick = res.pick(n)
        best = res.fastest(n)
        vanilla = [r for r in res.at(n) if "all-shared-5tuple" in r.config.names]
        speedup = (f", {pick.mpps / vanilla[0].mpps:.2f}x all-shared-5tuple"
                   if vanilla and vanilla[0].mpps else "")
        lines.append(f"{n} cores: pick {pick.description} {pick.mpps:.2f} Mpps{speedup}; "
                     f"fastest {', '.join(best.config.names)} {best.mpps:.2f} Mpps; "
                     f"regret {res.regret_at(n):.2f}")
    racing = res.regret(unsafe=True)
    if racing > res.regret() + 1e-9:
        lines.append(f"regret including racing configurations {racing:.2f}")
    lines.append(f"regret {res.regret():.2f}")
    return lines


def to_json(res: BenchResult) -> dict:
    return {"trace": res.trace, "packets": res.packets, "flows": res.flows, "clock": res.clock,
            "regret": res.regret(), "regret_with_races": res.regret(unsafe=True),
            "notes": res.notes,
            "rows": [{"cores": r.cores, "names": r.config.names, "label": r.config.label, "safe": r.config.safe,
                      "description": r.description, "mpps": r.mpps,
                      "mpps_wall": r.result["mpps_wall"], "best_cpu_s": r.result["best_cpu_s"],
                      "predicted_cycles": r.predicted_cost,
                      "fields": r.config.plan.fields, "modes": r.config.modes,
                      "protection": r.config.protection,
                      "per_core": r.result["per_core"], "processed": r.result["processed"],
                      "times": r.result["times"], "tables": r.result["tables"]}
                     for r in res.rows]}


def write_json(res: BenchResult, path: str) -> None:
    with open(path, "w") as fh:
        json.dump(to_json(res), fh, indent=2)


def plot(res: BenchResult, path: str) -> Optional[str]:
    """A PNG of the scaling curves when matplotlib is installed; None otherwise."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for desc, c in _curves(res).items():
        xs = sorted(c["mpps"])
        ax.plot(xs, [c["mpps"][x] for x in xs], marker="o", label=", ".join(c["names"]))
    ax.set_xlabel("cores")
    ax.set_ylabel("Mpps")
    ax.set_title(f"flowmagec bench: trace {res.trace}")
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
