"""``audit --format sarif``: SARIF 2.1.0 for code-scanning tools and CI.

One result per stateful NF (rule FM001, level note: its features and the file:line
evidence), and one per finding:
  FM002  state shared by threads written per packet without protection (warning)
  FM003  features unknown: every source pass failed (warning)
  FM004  no IR: the IR passes did not run (note, with clang's first error)
Locations are URIs relative to the working directory (``%SRCROOT%``), regions are
the evidence lines.
"""
from __future__ import annotations

import os
from typing import Optional

from ..artifacts import Evidence, Facts, FeatureSet, NFUnits

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

RULES = [
    ("FM001", "stateful-nf", "note", "NF keeps per-flow state",
     "The NF keeps per-flow state; its key decides which RSS dispatch keeps it shared-nothing."),
    ("FM002", "unprotected-shared-state", "warning",
     "State shared by threads written per packet without protection",
     "Per-flow state with no lock, atomic or per-core layout is written on every packet: run "
     "on several threads it races unless every entry is only reached by one thread."),
    ("FM003", "unknown-features", "warning", "Features unknown",
     "Every source pass failed on this NF: flowmagec treats it as stateful with an unknown key."),
    ("FM004", "ir-unavailable", "note", "IR unavailable",
     "The NF could not be compiled to LLVM bitcode; only the source passes ran."),
]


def _uri(path: str) -> str:
    rel = os.path.relpath(path) if os.path.isabs(path) else path
    return rel.replace(os.sep, "/") if not rel.startswith("..") else "file://" + os.path.abspath(path)


def _location(ev: Optional[Evidence], fallback: str) -> dict:
    path = ev.file if ev is not None and ev.file else fallback
    loc: dict = {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}}}
    if path and not os.path.isabs(loc["physicalLocation"]["artifactLocation"]["uri"]) and \
            not loc["physicalLocation"]["artifactLocation"]["uri"].startswith("file:"):
        loc["physicalLocation"]["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
    if ev is not None and ev.line and ev.line > 0:
        loc["physicalLocation"]["region"] = {"startLine": int(ev.line)}
    return loc


def _first(nf, feature: str) -> Optional[Evidence]:
    return next((e for e in nf.evidence.get(feature, []) if e.file and e.line), None)


def to_sarif(units: NFUnits, facts: list[Facts], features: FeatureSet, version: str) -> dict:
    index = {r[0]: i for i, r in enumerate(RULES)}
    results = []
    by_unit = {u.name: u for u in units.units}
    by_facts = {f.nf: f for f in facts}

    def result(rule: str, nf, text: str, ev: Optional[Evidence], extra=None) -> dict:
        unit = by_unit.get(nf.name)
        r = {"ruleId": rule, "ruleIndex": index[rule], "level": RULES[index[rule]][2],
             "message": {"text": text},
             "locations": [_location(ev, unit.files[0] if unit and unit.files else "")],
             "properties": {"nf": nf.name, **(extra or {})}}
        return r

    for nf in features.nfs:
        f = by_facts.get(nf.name)
        unit = by_unit.get(nf.name)
        if nf.unknown or (f and str(f.stages.get("source", "")).startswith("failed")):
            results.append(result("FM003", nf, f"{nf.name}: every source pass failed; features "
                                               f"unknown", None))
            continue
        if nf.stateful:
            key = ", ".join(nf.key + nf.key_other) or "?"
            text = (f"{nf.name} keeps per-flow state keyed on {{{key}}} (writes "
                    f"{nf.intensity or 'unknown'}, pointer {str(nf.pointer).lower()}, sharing "
                    f"{nf.sharing or 'unknown'})")
            results.append(result("FM001", nf, text, _first(nf, "stateful") or _first(nf, "key"),
                                  {"features": {k: getattr(nf, k) for k in (
                                      "key", "key_other", "symmetric", "intensity", "pointer",
                                      "sharing", "rewrites")}}))
            if nf.sharing == "unsafe" and nf.intensity == "per-packet":
                results.append(result(
                    "FM002", nf, f"{nf.name}: per-flow state written on every packet with no "
                                 f"lock, atomic or per-core layout", _first(nf, "sharing")))
        if unit is not None and str(unit.ir_status).startswith("unavailable"):
            results.append(result("FM004", nf, f"{nf.name}: {unit.ir_status}", None))
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flowmagec", "version": version,
                "informationUri": "https://example.invalid/flowmagec",
                "rules": [{"id": rid, "name": name, "shortDescription": {"text": short},
                           "fullDescription": {"text": full},
                           "defaultConfiguration": {"level": level}}
                          for rid, name, level, short, full in RULES]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file://" + os.getcwd().rstrip("/") + "/"}},
            "results": results}]}
