"""The feature DB is validated on load, detects hand edits, and is safe to share."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowmagec.artifacts import SCHEMA_FEATURES, NFFeatures
from flowmagec.cli import main
from flowmagec.features_db import DIGEST_FIELD, FeatureDB, record_digest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "fastclick"


def _db(path: Path, records: list[dict]) -> None:
    path.write_text(json.dumps({"nfs": records, "schema": SCHEMA_FEATURES}))


def _sealed(rec: dict) -> dict:
    return {**rec, DIGEST_FIELD: record_digest(rec)}


GOOD = {"name": "Meter", "stateful": True, "key": ["dst_ip"], "digest": "abc",
        "framework": "fastclick"}


@pytest.mark.parametrize("content", [
    b"", b"   \n", b'{"nfs": [', b"\x00\xff\xfe binary \x89PNG",
    json.dumps({"nfs": [], "schema": "flowmage.features/99"}).encode(),
    b"[1, 2, 3]", b'{"schema": "flowmage.features/1"}', b"[" * 100000,
])
def test_corrupt_db_is_moved_aside_and_rebuilt(tmp_path, content):
    path = tmp_path / "features.json"
    path.write_bytes(content)
    logs = []
    db = FeatureDB.open(str(path), log=logs.append)
    assert db.features.nfs == []
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("features.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert any("moved aside" in m for m in logs)
    db.update([NFFeatures(name="X", digest="d")])
    db.save()
    assert [r["name"] for r in json.loads(path.read_text())["nfs"]] == ["X"]


@pytest.mark.parametrize("field,value", [
    ("key", "src_ip"), ("stateful", "yes"), ("complexity", "high"), ("key", [1, 2]),
    ("evidence", {"key": [{"file": 3}]}), ("name", None), ("confidence", {"key": "x"}),
    ("schema", "flowmage.features/99"),
])
def test_record_with_wrong_types_is_dropped_with_a_warning(tmp_path, field, value):
    path = tmp_path / "features.json"
    _db(path, [_sealed({**GOOD, "name": "Other"}), _sealed({**GOOD, field: value})])
    logs = []
    db = FeatureDB.open(str(path), log=logs.append)
    assert [f.name for f in db.features.nfs] == ["Other"]
    assert any("dropped" in m for m in logs), logs
    assert all(isinstance(k, str) and len(k) > 1 for f in db.features.nfs for k in f.key)


def test_hand_edit_is_detected_and_reanalysed_unless_trusted(tmp_path):
    path = tmp_path / "features.json"
    rec = _sealed(GOOD)
    rec["key"] = ["src_ip"]                       # edited after flowmagec sealed it
    _db(path, [rec])
    logs = []
    assert FeatureDB.open(str(path), log=logs.append).features.nfs == []
    assert any("edited by hand" in m for m in logs)
    trusted = FeatureDB.open(str(path), trust=True, log=logs.append)
    assert trusted.features.nfs[0].key == ["src_ip"]


def test_hand_written_record_without_digest_is_a_declaration(tmp_path):
    path = tmp_path / "features.json"
    _db(path, [{"name": "Vendor", "stateful": False}])
    db = FeatureDB.open(str(path))
    assert [f.name for f in db.features.nfs] == ["Vendor"]
    db.update([NFFeatures(name="Mine", digest="d")])
    db.save()
    saved = {r["name"]: r for r in json.loads(path.read_text())["nfs"]}
    assert DIGEST_FIELD not in saved["Vendor"]          # still the user's declaration
    assert saved["Mine"][DIGEST_FIELD] == record_digest(saved["Mine"])
    assert [f.name for f in FeatureDB.open(str(path)).features.nfs] == ["Vendor", "Mine"]


def test_save_merges_with_a_concurrent_writer(tmp_path):
    path = str(tmp_path / "features.json")
    a, b = FeatureDB.open(path), FeatureDB.open(path)      # both read the empty DB
    a.update([NFFeatures(name="A", digest="1")])
    b.update([NFFeatures(name="B", digest="2")])
    a.save()
    b.save()
    assert {f.name for f in FeatureDB.open(path).features.nfs} == {"A", "B"}
    assert sorted(os.listdir(tmp_path)) == ["features.json", "features.json.lock"]


def test_main_job_uses_declared_records_by_class(tmp_path, capsys):
    path = tmp_path / "features.json"
    _db(path, [{"name": "Counter", "stateful": False}])
    cfg = ROOT / "tests" / "data" / "click" / "basic.click"
    assert main([str(cfg), "--features", str(path), "--cache-dir", str(tmp_path / "c")]) == 0
    assert "using the --features record of that class" in capsys.readouterr().err


# -- real `flowmagec track` runs ---------------------------------------------------

def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(CORPUS / "include", root / "include")
    for nf in ("dstmeter", "burststats"):
        shutil.copytree(CORPUS / "elements" / nf, root / "elements" / nf)
    return root


def test_track_rebuilds_a_corrupt_db(tmp_path, capsys):
    root = _tree(tmp_path)
    db = tmp_path / "features.json"
    db.write_bytes(b"\x89garbage\xff")
    argv = ["track", str(root / "elements" / "dstmeter"), "--src", str(root), "--db", str(db),
            "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    assert "moved aside" in capsys.readouterr().err
    assert [r["name"] for r in json.loads(db.read_text())["nfs"]] == ["DstMeter"]


def test_concurrent_track_runs_lose_nothing(tmp_path):
    """20 pairs of `flowmagec track` on one DB each, the two runs of a pair at once,
    each adding a different NF: every DB ends with both NFs."""
    root = _tree(tmp_path)
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def track(nf: str, db: Path):
        return subprocess.Popen(
            [sys.executable, "-m", "flowmagec", "track", str(root / "elements" / nf), "--src",
             str(root), "--db", str(db), "--cache-dir", str(cache)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for nf in ("dstmeter", "burststats"):          # warm the bitcode cache
        assert track(nf, tmp_path / "warm.json").wait() == 0
    pairs = int(os.environ.get("FLOWMAGEC_TEST_TRACK_PAIRS", "20"))
    dbs = [tmp_path / f"db{i}.json" for i in range(pairs)]
    for first in range(0, pairs, 5):                # five pairs (ten runs) at a time
        procs = [track(nf, db) for db in dbs[first:first + 5]
                 for nf in ("dstmeter", "burststats")]
        for p in procs:
            assert p.wait(timeout=300) == 0, p.stderr.read().decode()[-2000:]
    for db in dbs:
        names = {r["name"] for r in json.loads(db.read_text())["nfs"]}
        assert names == {"DstMeter", "BurstStats"}, db
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
