"""Per-packet work estimate from source: statements on the per-packet paths."""
from __future__ import annotations

from .base import Pass
from .source_tu import reachable, stmts_of


class SourceComplexityPass(Pass):
    name = "SourceComplexityPass"
    level = "source"

    def run(self, unit, ctx):
        reach = reachable(unit, ctx)
        n = sum(len(stmts_of(fn, ctx)) for fn in reach.functions)
        root = reach.roots[0] if reach.roots else None
        if root is None:
            return []
        return [self.fact("complexity", {"instructions": n, "unit": "statements"},
                          root.file, root.line,
                          f"{n} statements in {len(reach.functions)} per-packet functions",
                          confidence=0.5)]
