"""Analyses shared by the fact passes, computed once per NF and asked for by type.

As in LLVM's new pass manager, a fact pass never calls another pass: it asks
the manager for an analysis (``AnalysisManager.of(unit, ctx).get(StateCatalog)``),
which computes it on first use and caches it in ``AnalysisContext.memo``.
Pass modules import analyses from here, never from each other; the functions
at the bottom keep the names (and signatures) passes already call.

Where an analysis's code still lives next to the pass that first needed it
(``source_state``, ``source_writes``, ``source_pointer``, ``ir_writes``), it
is imported lazily inside ``run`` so that no module cycle remains at import
time; moving that code into analysis modules of its own is the next step.
"""
from __future__ import annotations

import importlib
from typing import Any, ClassVar, Generic, TypeVar

from .base import AnalysisContext

T = TypeVar("T")


class Analysis(Generic[T]):
    """One analysis: ``run`` computes its result for the manager's unit."""
    name: ClassVar[str] = "analysis"

    @staticmethod
    def run(am: "AnalysisManager") -> Any:
        raise NotImplementedError


class AnalysisManager:
    """Per-unit cache of analyses, keyed by analysis type."""

    def __init__(self, unit, ctx: AnalysisContext):
        self.unit, self.ctx = unit, ctx

    @classmethod
    def of(cls, unit, ctx: AnalysisContext) -> "AnalysisManager":
        return ctx.memo("analysis.manager", lambda: cls(unit, ctx))

    def get(self, analysis: type[Analysis[T]]) -> T:
        return self.ctx.memo(f"analysis.{analysis.name}", lambda: analysis.run(self))


def delegate(module: str, function: str):
    """``run`` of an analysis whose code is ``passes.<module>.<function>(unit, ctx)``,
    imported on first use (no import cycle between pass modules)."""
    def run(am):
        return getattr(importlib.import_module(f".{module}", __package__), function)(am.unit, am.ctx)
    return staticmethod(run)


# -- source analyses ------------------------------------------------------------

class SourceIndexAnalysis(Analysis):
    """Records, functions, globals and typedefs of the NF's files (libclang)."""
    name = "source-index"

    run = delegate("source_tu", "source_index")


class Reachability(Analysis):
    """Functions reachable from the per-packet entry points."""
    name = "reachability"

    run = delegate("source_tu", "reachable")


class StateCatalog(Analysis):
    """Candidate state containers (members, globals, per-thread records)."""
    name = "state-catalog"

    run = delegate("source_state", "state_catalog")


class UnitFlow(Analysis):
    """Header-field (and thread-id) taint into the state containers: ``FlowFacts``."""
    name = "unit-flow"

    run = delegate("source_state", "unit_flow")


class StateBlocks(Analysis):
    """Per-flow state blocks a flow manager hands to per-packet hooks."""
    name = "state-blocks"

    run = delegate("source_state", "state_blocks")


class WrittenMembers(Analysis):
    """Members/globals written on per-packet paths."""
    name = "written-members"

    run = delegate("source_state", "written_members")


class EntryTypes(Analysis):
    """(container, per-flow entry type, file, line) of each per-flow container."""
    name = "entry-types"

    run = delegate("source_pointer", "entry_types")


class StateWrites(Analysis):
    """Every write of per-packet code into a keyed container or one of its entries."""
    name = "state-writes"

    @staticmethod
    def run(am):
        from .source_state import unit_flow as flow
        from .source_writes import find_writes
        keyed = {lk.container for lk in flow(am.unit, am.ctx).lookups}
        return find_writes(am.unit, am.ctx, keyed)


# -- IR analyses --------------------------------------------------------------------

class StateMemory(Analysis):
    """IR values that point into per-flow state memory (``ir_writes.StateMemory``)."""
    name = "ir-state-memory"

    run = delegate("ir_writes", "state_memory")


# -- the functions passes call, by their old names ---------------------------------

def _am(unit, ctx) -> AnalysisManager:
    return AnalysisManager.of(unit, ctx)


def state_catalog(unit, ctx):
    return _am(unit, ctx).get(StateCatalog)


def unit_flow(unit, ctx):
    return _am(unit, ctx).get(UnitFlow)


def state_blocks(unit, ctx):
    return _am(unit, ctx).get(StateBlocks)


def written_members(unit, ctx):
    return _am(unit, ctx).get(WrittenMembers)


def entry_types(unit, ctx):
    return _am(unit, ctx).get(EntryTypes)


def state_writes(unit, ctx):
    return _am(unit, ctx).get(StateWrites)


def state_memory(unit, ctx):
    return _am(unit, ctx).get(StateMemory)


def record_fields(index, name: str, seen: set[str]):
    from .source_pointer import record_fields as compute
    return compute(index, name, seen)


def table_params(unit, ctx, fn):
    from .source_writes import table_params as compute
    return compute(unit, ctx, fn)


def container_kind(type_tokens, uses, index=None):
    from .source_state import container_kind as compute
    return compute(type_tokens, uses, index)


def value_type(type_tokens):
    from .source_state import value_type as compute
    return compute(type_tokens)
