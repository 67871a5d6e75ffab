"""Runs the static passes (flowmagec.passes) over NF units -> Facts.

Source passes (libclang) always run; IR passes (llvmlite) run when the unit
has bitcode.  Each pass is isolated: an exception becomes a stage entry
``"<level>.<Pass>": "crashed: <Error>: <message>"`` plus a log line, never a
crash of the whole audit.  ``Facts.stages`` records per unit
``{"source": "ok"|"failed: ...", "ir": "ok"|"partial: ..."|"unavailable: <why>"}``.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

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


def analyze(units: NFUnits, log: Log = lambda s: None, jobs: int = 1,
            on_unit: Optional[Callable[[int, int], None]] = None) -> list[Facts]:
    """One Facts per unit, in unit order.  ``jobs`` > 1 analyses the units in a
    pool of processes (one NF per task); ``on_unit(done, total)`` is called as
    each unit finishes (the progress display)."""
    todo = units.units
    if jobs > 1 and len(todo) > 1:
        return _analyze_in_processes(todo, jobs, log, on_unit)
    out = []
    for u in todo:
        out.append(analyze_unit(u, log))
        if on_unit is not None:
            on_unit(len(out), len(todo))
    return out


def _analyze_logged(unit: NFUnit) -> tuple[Facts, list[str]]:
    """Worker side: libclang and llvmlite objects do not pickle, so the worker
    parses its unit itself and sends back only the Facts and its log lines."""
    lines: list[str] = []
    return analyze_unit(unit, lines.append), lines


def _analyze_in_processes(todo: list[NFUnit], jobs: int, log: Log,
                          on_unit: Optional[Callable[[int, int], None]]) -> list[Facts]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    # spawn, not fork: the parent may hold threads (clang pool, progress display)
    # whose locks a forked child would inherit held.
    ctx = multiprocessing.get_context("spawn")
    out: list[Optional[Facts]] = [None] * len(todo)
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
        futures = {pool.submit(_analyze_logged, u): i for i, u in enumerate(todo)}
        for n, fut in enumerate(as_completed(futures), 1):
            i = futures[fut]
            try:
                facts, lines = fut.result()
            except Exception as e:     # a worker died (e.g. libclang crashed): that NF only
                facts = _failed(todo[i], e)
                lines = [f"warning: {todo[i].name}: analysis {facts.stages['source']}"]
            out[i] = facts
            for line in lines:
                log(line)
            if on_unit is not None:
                on_unit(n, len(todo))
    return [f for f in out if f is not None]


def _failed(unit: NFUnit, error: Exception) -> Facts:
    why = f"failed: worker: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    facts = Facts(nf=unit.name)
    facts.stages["source"] = why.rstrip(": ")
    facts.stages["ir"] = "unavailable: analysis worker failed"
    return facts
