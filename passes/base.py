"""Pass interface.  A pass has one job: look at one NF unit and return Facts.

Source passes read C/C++ through libclang; IR passes read the unit's bitcode
through llvmlite.  ``AnalysisContext`` parses each once and shares the result.
"""
from __future__ import annotations

from typing import Any, ClassVar

from flowmagec.artifacts import Evidence, Fact, NFUnit


class AnalysisContext:
    """Per-unit cache of parsed inputs (libclang TUs, llvmlite modules, file texts)."""

    def __init__(self, unit: NFUnit):
        self.unit = unit
        self.cache: dict[str, Any] = {}

    def memo(self, key: str, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


class Pass:
    name: ClassVar[str] = "pass"
    level: ClassVar[str] = "source"      # 'source' | 'ir'

    def run(self, unit: NFUnit, ctx: AnalysisContext) -> list[Fact]:
        raise NotImplementedError

    def fact(self, kind: str, value: dict, file: str, line: int, detail: str = "",
             confidence: float = 0.8) -> Fact:
        return Fact(kind=kind, value=value, confidence=confidence,
                    evidence=Evidence(file=file, line=line, source=f"{self.level}.{self.name}",
                                      detail=detail))
