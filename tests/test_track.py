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
    assert "2 re-analysed, 0 up to date" in capsys.readouterr().out
    names = {f["name"] for f in json.loads(db.read_text())["nfs"]}
    assert names == {"DstMeter", "BurstStats"}
    assert str(root / "elements" / "dstmeter" / "dstmeter.cc") in dep.read_text()

    assert main(argv) == 0
    assert "0 re-analysed, 2 up to date" in capsys.readouterr().out

    cc = root / "elements" / "dstmeter" / "dstmeter.cc"
    cc.write_text(cc.read_text() + "\n// touched\n")
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "re-analysed DstMeter" in out and "1 re-analysed, 1 up to date" in out
