"""The main job on real-shaped configurations (issue 9): unknowns, declarations,
--strict, dry runs, and a report that says what --explain says."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmagec.cli import main

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "examples" / "demo" / "chain.click"
CORPUS = str(ROOT / "corpus" / "fastclick")
STOCK = ["--assume", "Classifier=stateless", "--assume", "MarkIPHeader=stateless"]


@pytest.fixture
def run(tmp_path, capsys):
    def go(*args):
        rc = main([str(DEMO), "--src", CORPUS, "--cores", "4", "--nic", "mlx5",
                   "--cache-dir", str(tmp_path / "cache"), *args])
        out = capsys.readouterr()
        return rc, out.out, out.err
    return go


def test_nonexistent_src_is_bad_input(run):
    rc, _, err = run("--src", "/nonexistent/tree")
    assert rc == 2 and "--src /nonexistent/tree: no such directory" in err


def test_without_o_is_a_dry_run_that_prints_plan_placements_and_warnings(run, tmp_path):
    rc, out, err = run()
    assert rc == 0
    assert "dry run (no -o): nothing written" in out and "placements:" in out
    # unknown elements are reported, never silently stateless
    assert "Classifier@2" in out and "unknown-features" in out
    assert "no source found for element class 'Classifier'" in err
    assert not list(tmp_path.glob("*.click"))


def test_unknown_elements_fail_under_strict_and_nothing_is_written(run, tmp_path):
    out = tmp_path / "o.click"
    rc, _, err = run("--strict", "-o", str(out))
    assert rc == 1 and "--strict" in err and "Classifier@2 (Classifier): unknown-features" in err
    assert not out.exists()


def test_declared_stock_elements_give_a_safe_strict_plan_and_the_report_agrees(run, tmp_path):
    out, report = tmp_path / "o.click", tmp_path / "r.json"
    rc, text, _ = run(*STOCK, "--strict", "-o", str(out), "--report", str(report), "--explain")
    assert rc == 0 and out.exists()
    data = json.loads(report.read_text())
    assert data["schema"] == "flowmage.report/2"
    placements = {p["element"]: p for p in data["plan"]["placements"]}
    assert set(data["verdicts"].values()) == {"safe"}
    # one truth per NF: the report, --explain and the emitted config agree
    for name, p in placements.items():
        row = next(line for line in text.splitlines() if line.strip().startswith(name + " "))
        assert p["mode"] in row and p["realisation"] in row and p["verdict"] in row
        if p["realisation"] == "replicate":
            assert f"{name} :: {{ input[0] -> rs0 :: ExactCPUSwitch" in out.read_text()
    assert placements["psd"]["mode"] == "shared-nothing"


def test_features_file_declares_classes_without_source(run, tmp_path):
    decl = tmp_path / "declared.json"
    decl.write_text(json.dumps({"schema": "flowmage.features/1", "nfs": [
        {"name": "Classifier", "stateful": False},
        {"name": "MarkIPHeader", "stateful": False}]}))
    rc, out, err = run("--features", str(decl), "--strict")
    assert rc == 0, err
    assert "using the --features record of that class" in err


def test_bad_assume_is_bad_input(run):
    rc, _, err = run("--assume", "Classifier")
    assert rc == 2 and "--assume expects CLASS=KIND" in err


def test_graph_colours_nfs_by_placement(run, tmp_path):
    dot = tmp_path / "chain.dot"
    rc, _, _ = run(*STOCK, "-o", str(tmp_path / "o.click"), "--graph", str(dot))
    assert rc == 0
    text = dot.read_text()
    assert text.startswith("digraph") and '"psd" -> "policer"' in text
    assert 'label="psd\\nProbeWatch\\nshared-nothing (replicate)", fillcolor="#b7e4c7"' in text
    assert 'fillcolor="#ffd8a8"' in text                # the shared policer
    assert "RSS {src_ip}" in text
    import shutil
    if shutil.which("dot"):
        assert (tmp_path / "chain.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
