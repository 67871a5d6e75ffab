"""Human summary of a Plan (``flowmagec … --explain``)."""
from __future__ import annotations

from ..artifacts import Plan


def _fields(fields) -> str:
    return "{" + ", ".join(fields) + "}"


def _placements(plan: Plan) -> list[str]:
    rows = [(p.element, p.cls, p.mode, p.realisation, p.verdict, str(p.stage), p.reason)
            for p in plan.placements]
    if not rows:
        return []
    head = ("element", "class", "mode", "realised", "verdict", "stage", "why")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
    fmt = "  {:<%d}  {:<%d}  {:<%d}  {:<%d}  {:<%d}  {:>%d}  {}" % tuple(widths)
    return [fmt.format(*head)] + [fmt.format(*r) for r in rows]


def _alternatives(plan: Plan) -> list[str]:
    out = []
    for a in plan.alternatives:
        shared = sorted(e for e, m in a.modes.items() if m == "shared")
        stages = f", {a.stages} stages" if a.stages > 1 else ""
        out.append(f"  {_fields(a.fields)}{stages}: {a.relative_throughput:.2f}x of the plan's "
                   f"throughput; shared: {', '.join(shared) or 'none'}")
    return out


def explain(plan: Plan) -> str:
    """A few lines saying what the plan is and why."""
    sym = " symmetric" if plan.symmetric else ""
    key = f", key {plan.rss_key}" if plan.rss_key else ", NIC default key"
    lines = [f"dispatch on {_fields(plan.fields)} ({plan.hash_function}{sym} over "
             f"{_fields(plan.hash_input or plan.fields)}{key}) to {plan.cores} cores, NIC {plan.nic}"]
    lines += [f"- {line}" for line in plan.explanation]
    lines += ["placements:"] + _placements(plan)
    if plan.alternatives:
        lines += ["alternatives:"] + _alternatives(plan)
    lines += [f"warning: {w}" for w in plan.warnings]
    return "\n".join(lines)
