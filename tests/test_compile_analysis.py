"""The analysis driver: pass isolation and stage bookkeeping (with stand-in passes)."""
from __future__ import annotations

from flowmagec import analysis
from flowmagec.artifacts import NFUnit, NFUnits
from flowmagec.passes.base import Pass


class FindsState(Pass):
    name, level = "FindsState", "source"

    def run(self, unit, ctx):
        ctx.memo("shared", lambda: unit.name)
        return [self.fact("state", {"container": "_t", "per_flow": True}, "x.cc", 3)]


class Crashes(Pass):
    name, level = "Crashes", "source"

    def run(self, unit, ctx):
        raise ValueError("bad token\nsecond line")


class IRSeesMemo(Pass):
    name, level = "IRSeesMemo", "ir"

    def run(self, unit, ctx):
        return [self.fact("complexity", {"instructions": 7, "memo": ctx.memo("shared", str)},
                          "x.cc", 1)]


def _patch(monkeypatch, source, ir):
    monkeypatch.setattr(analysis, "_registry", lambda: (source, ir))


def test_crashing_pass_becomes_a_stage_entry_not_a_crash(monkeypatch):
    _patch(monkeypatch, [FindsState, Crashes], [])
    logs = []
    facts = analysis.analyze(NFUnits(units=[NFUnit(name="A", framework="plain")]), log=logs.append)
    f = facts[0]
    assert [x.kind for x in f.facts] == ["state"]
    assert f.facts[0].evidence.source == "source.FindsState"
    assert f.stages["source.Crashes"] == "crashed: ValueError: bad token"
    assert f.stages["source"] == "ok (1 pass(es) crashed)"
    assert any("Crashes" in line for line in logs)


def test_every_pass_crashing_marks_the_stage_failed(monkeypatch):
    _patch(monkeypatch, [Crashes], [])
    f = analysis.analyze(NFUnits(units=[NFUnit(name="A", framework="plain")]))[0]
    assert f.stages["source"].startswith("failed")


def test_ir_passes_run_only_with_bitcode_and_share_the_context(monkeypatch, tmp_path):
    _patch(monkeypatch, [FindsState], [IRSeesMemo])
    bc = tmp_path / "a.bc"
    bc.write_bytes(b"")
    with_ir = NFUnit(name="A", framework="plain", bitcode=str(bc), ir_status="ok")
    without = NFUnit(name="B", framework="plain", ir_status="unavailable: a.c: error: boom")
    fa, fb = analysis.analyze(NFUnits(units=[with_ir, without]))
    assert fa.stages["ir"] == "ok"
    assert [x.value.get("memo") for x in fa.of("complexity")] == ["A"]
    assert fb.stages["ir"] == "unavailable: a.c: error: boom" and not fb.of("complexity")


def test_partial_ir_status_is_kept(monkeypatch, tmp_path):
    _patch(monkeypatch, [], [IRSeesMemo])
    bc = tmp_path / "a.bc"
    bc.write_bytes(b"")
    u = NFUnit(name="A", framework="vpp", bitcode=str(bc),
               ir_status="partial: 1/2 files compiled; b.c: error: x")
    f = analysis.analyze(NFUnits(units=[u]))[0]
    assert f.stages["ir"] == "ok; partial: 1/2 files compiled; b.c: error: x"
    assert f.of("complexity")
