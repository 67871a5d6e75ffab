"""`flowmagec audit` command line: JSON schema, table, exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmagec.cli import main

DATA = Path(__file__).parent / "data" / "nf"


@pytest.fixture
def cache(tmp_path):
    return str(tmp_path / "cache")


def test_json_has_schema_and_one_record_per_nf(capsys, cache):
    rc = main(["audit", str(DATA / "fctree" / "elements"), str(DATA / "plain"),
               "--format", "json", "--cache-dir", cache, "--jobs", "1"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "flowmage.features/1"
    recs = {r["name"]: r for r in out["nfs"]}
    assert set(recs) == {"SrcCounter", "FlowStat", "NeedsDeps", "MacSwap", "pktcount"}
    for r in recs.values():
        assert r["schema"] == "flowmage.features/1"
        assert {"stateful", "key", "intensity", "pointer", "confidence", "evidence",
                "stages", "ir_status", "entry_points"} <= set(r)
        assert r["stages"]["ir"] == r["ir_status"] or r["stages"]["ir"].startswith("ok")
    assert recs["NeedsDeps"]["ir_status"].startswith("unavailable:")
    assert "source" in recs["NeedsDeps"]["stages"]
    assert recs["FlowStat"]["ir_status"] == "ok"
    assert recs["pktcount"]["framework"] == "plain"


def test_table_shows_ir_unavailable(capsys, cache):
    rc = main(["audit", str(DATA / "fctree" / "elements" / "broken"), "--cache-dir", cache])
    assert rc == 0
    out = capsys.readouterr().out
    assert "NeedsDeps" in out and "unavailable" in out and "not_in_this_tree.hh" in out


def test_missing_path_exits_2(capsys):
    assert main(["audit", str(DATA / "does-not-exist")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_bad_llm_options_are_bad_input(capsys):
    assert main(["audit", str(DATA / "plain"), "--llm-only"]) == 2          # needs --llm
    assert main(["audit", str(DATA / "plain"), "--llm", "m", "--llm-samples", "0"]) == 2


def test_bad_framework_choice_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["audit", str(DATA / "plain"), "--framework", "ns3"])
    assert e.value.code == 2


def test_entry_option_reaches_unit(capsys, cache):
    rc = main(["audit", str(DATA / "plain" / "pktcount" / "pktcount.c"), "--entry", "unrelated",
               "--format", "json", "--cache-dir", cache])
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["nfs"][0]["entry_points"] == ["unrelated"]
