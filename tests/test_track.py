"""`flowmagec track` re-analyses only NFs whose code changed (build-system integration)."""
import json
import shutil
from pathlib import Path

from flowmagec.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "fastclick"


def _tree(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(CORPUS / "include", root / "include")
    for nf in ("dstmeter", "burststats"):
        shutil.copytree(CORPUS / "elements" / nf, root / "elements" / nf)
    return root


def test_track_reanalyses_only_changed_sources(tmp_path, capsys):
    root = _tree(tmp_path)
    db, dep = tmp_path / "features.json", tmp_path / "features.d"
    argv = ["track", str(root / "elements"), "--src", str(root), "--db", str(db),
            "--depfile", str(dep), "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    assert "analysed 2 (BurstStats, DstMeter), reused 0, failed 0" in capsys.readouterr().out
    names = {f["name"] for f in json.loads(db.read_text())["nfs"]}
    assert names == {"DstMeter", "BurstStats"}
    assert str(root / "elements" / "dstmeter" / "dstmeter.cc") in dep.read_text()

    assert main(argv) == 0
    assert "analysed 0, reused 2, failed 0" in capsys.readouterr().out

    cc = root / "elements" / "dstmeter" / "dstmeter.cc"
    cc.write_text(cc.read_text() + "\n// touched\n")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "analysed 1 (DstMeter), reused 1, failed 0" in out


def test_parallel_analysis_gives_the_serial_facts(tmp_path):
    """NFs analysed in a process pool (track -j): the same Facts as one by one."""
    from flowmagec import adapters, analysis, compile as compile_mod
    root = _tree(tmp_path)
    units = adapters.discover_paths([str(root / "elements")], src_dirs=[str(root)])
    compile_mod.compile_units(units, cache_dir=str(tmp_path / "cache"), jobs=2)
    done: list[tuple[int, int]] = []
    parallel = analysis.analyze(units, jobs=2, on_unit=lambda d, t: done.append((d, t)))
    serial = analysis.analyze(units, jobs=1)
    assert [f.to_dict() for f in parallel] == [f.to_dict() for f in serial]
    assert [f.nf for f in parallel] == [u.name for u in units.units]
    assert sorted(done) == [(1, 2), (2, 2)]
    assert any(f.facts for f in parallel)          # real facts came back through the pool


def test_track_summary_counts_failed_analyses(tmp_path, capsys, monkeypatch):
    from flowmagec import analysis
    from flowmagec.artifacts import Facts
    root = _tree(tmp_path)
    real = analysis.analyze_unit

    def crash_dstmeter(unit, log=lambda s: None):
        if unit.name != "DstMeter":
            return real(unit, log)
        return Facts(nf=unit.name, stages={"source": "failed: every pass crashed",
                                           "ir": "unavailable: test"})
    monkeypatch.setattr(analysis, "analyze_unit", crash_dstmeter)
    db = tmp_path / "features.json"
    argv = ["track", str(root / "elements"), "--src", str(root), "--db", str(db),
            "--cache-dir", str(tmp_path / "cache"), "-j", "1", "-v"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "analysed 2 (BurstStats, DstMeter), reused 0, failed 1" in out
    assert "analysed DstMeter\n" in out                 # -v names every NF analysed
    recs = {r["name"]: r for r in json.loads(db.read_text())["nfs"]}
    assert recs["DstMeter"]["unknown"] is True and recs["BurstStats"]["unknown"] is False
