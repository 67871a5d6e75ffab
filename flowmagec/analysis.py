"""Runs the static passes (flowmagec.passes) over NF units -> Facts.

Source passes (libclang) always run; IR passes (llvmlite) run when the unit
has bitcode.  Each pass is isolated: an exception becomes a stage entry
``"<level>.<Pass>": "crashed: <Error>: <message>"`` plus a log line, never a
crash of the whole audit.  ``Facts.stages`` records per unit
``{"source": "ok"|"failed: ...", "ir": "ok"|"partial: ..."|"unavailable: <why>"}``.
"""
from __future__ import annotations

from typing import Callable, Iterable

from .artifacts import Fact, Facts, NFUnit, NFUnits

Log = Callable[[str], None]


def _registry() -> tuple[list[type], list[type]]:
    from flowmagec import passes
    return list(getattr(passes, "SOURCE_PASSES", [])), list(getattr(passes, "IR_PASSES", []))


def _context(unit: NFUnit):
    from flowmagec.passes.base import AnalysisContext
    return AnalysisContext(unit)


def run_passes(unit: NFUnit, pass_classes: Iterable[type], ctx, facts: Facts, log: Log) -> int:
    """Run each pass on ``unit``; returns how many crashed (recorded in ``facts.stages``)."""
    crashed = 0
    for cls in pass_classes:
        label = f"{getattr(cls, 'level', '?')}.{getattr(cls, 'name', cls.__name__)}"
        try:
            found = cls().run(unit, ctx) or []
            facts.facts += [f for f in found if isinstance(f, Fact)]
        except Exception as e:  # a broken pass must not take the audit down
            crashed += 1
            why = f"crashed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            facts.stages[label] = why.rstrip(": ")
            log(f"warning: {unit.name}: pass {label} {why}")
    return crashed


def _group_status(n_passes: int, crashed: int) -> str:
    if n_passes and crashed == n_passes:
        return "failed: every pass crashed"
    return "ok" if not crashed else f"ok ({crashed} pass(es) crashed)"


def analyze_unit(unit: NFUnit, log: Log = lambda s: None) -> Facts:
    source_passes, ir_passes = _registry()
    facts = Facts(nf=unit.name)
    ctx = _context(unit)
    crashed = run_passes(unit, source_passes, ctx, facts, log)
    facts.stages["source"] = _group_status(len(source_passes), crashed)
    if unit.bitcode and not unit.ir_status.startswith("unavailable"):
        crashed = run_passes(unit, ir_passes, ctx, facts, log)
        status = _group_status(len(ir_passes), crashed)
        facts.stages["ir"] = status if unit.ir_status == "ok" else f"{status}; {unit.ir_status}"
    else:
        facts.stages["ir"] = (unit.ir_status if unit.ir_status.startswith("unavailable")
                              else f"unavailable: {unit.ir_status}")
    return facts


def analyze(units: NFUnits, log: Log = lambda s: None) -> list[Facts]:
    """One Facts per unit, in unit order."""
    return [analyze_unit(u, log) for u in units.units]
