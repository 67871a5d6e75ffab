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
