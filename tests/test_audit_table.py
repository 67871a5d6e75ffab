"""`audit --format table`: one line per NF, fits the terminal, colour on a TTY only,
relative paths, the reason of a missing IR once; details with -v."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from flowmagec import adapters
from flowmagec.artifacts import Evidence, Facts, FeatureSet, NFFeatures, NFUnit, NFUnits
from flowmagec.cli import main
from flowmagec.commands.audit import print_table

DATA = Path(__file__).parent / "data" / "nf"
ANSI = re.compile(r"\x1b\[")
MISSING = "elements/x/{f}.cc:3:10: 'click/absent.hh' file not found"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _chain(root: Path):
    """Four NFs under ``root``: two lack IR for one reason, one for another, one has IR."""
    names = {"FlowCounter": MISSING.format(f="flowcounter"),
             "PortMeter": MISSING.format(f="portmeter"),
             "Odd": "elements/x/odd.cc:1:1: unknown type name 'foo'",
             "MacFlip": "ok"}
    units, facts, nfs = NFUnits(), [], []
    for name, ir in names.items():
        src = str(root / "elements" / "x" / f"{name.lower()}.cc")
        units.units.append(NFUnit(name=name, framework="fastclick", files=[src],
                                  ir_status=ir if ir == "ok" else f"unavailable: {ir}"))
        facts.append(Facts(nf=name, stages={"source": "ok", "ir": ir}))
        stateful = name != "MacFlip"
        nfs.append(NFFeatures(
            name=name, framework="fastclick", stateful=stateful,
            key=["src_ip", "dst_ip"] if stateful else [], intensity="per-packet" if stateful else None,
            sharing="unsafe" if name == "Odd" else None,
            evidence={"stateful": [Evidence(file=src, line=7, source="source.StateContainerPass",
                                            detail="_table: HashMap " + "x" * 150)],
                      "key": [Evidence(file=src, line=9, source="source.FlowKeyPass",
                                       detail="_table keyed by src_ip, dst_ip")] if stateful else []}))
    return units, facts, FeatureSet(nfs=nfs)


def _render(tmp_path, width=100, stream=None, verbose=False):
    stream = stream if stream is not None else io.StringIO()
    print_table(*_chain(tmp_path), stream=stream, width=width, verbose=verbose)
    return stream.getvalue()


@pytest.mark.parametrize("width", [72, 100, 160])
def test_one_line_per_nf_within_the_width(tmp_path, monkeypatch, width):
    monkeypatch.chdir(tmp_path)
    out = _render(tmp_path, width=width)
    table = out.split("\n[1]")[0].splitlines()
    for name in ("FlowCounter", "PortMeter", "Odd", "MacFlip"):
        assert len([line for line in table if line.startswith(name + " ")]) == 1
    assert all(len(line) <= width for line in table), "\n".join(table)
    assert "src_ip,dst_ip" in out and "per-packet" in out      # key and access columns kept


def test_ir_reason_is_a_footnote_once_per_distinct_reason(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = _render(tmp_path, width=160)
    assert out.count("'click/absent.hh' file not found") == 1
    assert out.count("unknown type name 'foo'") == 1
    rows = {line.split()[0]: line for line in out.splitlines() if line.split()}
    assert "[1]" in rows["FlowCounter"] and "[1]" in rows["PortMeter"]
    assert "[2]" in rows["Odd"] and "[" not in rows["MacFlip"].split("ok")[0]
    assert re.search(r"^\[1\] IR unavailable: 'click/absent.hh' file not found \(2 NFs: FlowCounter, "
                     r"PortMeter", out, re.M)


def test_paths_are_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = _render(tmp_path, width=160, verbose=True)
    assert str(tmp_path) not in out
    assert "flowcounter.cc:9" in out                         # the row: next to the NF
    assert "elements/x/flowcounter.cc:9 [source.FlowKeyPass]" in out   # -v: from the cwd


def test_outside_the_cwd_paths_are_relative_to_their_common_directory(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    out = _render(tmp_path / "tree", width=160, verbose=True)
    assert f"paths relative to {tmp_path / 'tree' / 'elements' / 'x'}" in out
    assert "flowcounter.cc:9 [source.FlowKeyPass]" in out
    assert out.count(str(tmp_path)) == 1                     # only in the header line


def test_colour_on_a_terminal_only(tmp_path):
    assert not ANSI.search(_render(tmp_path))
    assert ANSI.search(_render(tmp_path, stream=FakeTTY()))


def test_verbose_shows_evidence_per_feature_and_stages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plain = _render(tmp_path, width=160)
    detailed = _render(tmp_path, width=160, verbose=True)
    assert "stages:" not in plain and "[source.FlowKeyPass]" not in plain
    assert "  stages: source ok, ir ok" in detailed
    assert "  key: elements/x/portmeter.cc:9 [source.FlowKeyPass] _table keyed by" in detailed
    assert "  stateful: elements/x/portmeter.cc:7 [source.StateContainerPass]" in detailed
    # -v lists where each NF hit the missing header
    assert "      PortMeter: elements/x/portmeter.cc:3:10" in detailed


def test_cli_table_honours_columns(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "90")
    rc = main(["audit", str(DATA / "fctree" / "elements"), "--cache-dir", str(tmp_path / "c")])
    assert rc == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines if not line.startswith("[")) <= 90
    assert len([line for line in lines if line.startswith("SrcCounter ")]) == 1
    assert "IR unavailable: 'click/not_in_this_tree.hh' file not found" in out
    assert "/work/" not in out.split("\n", 1)[1]                 # relative below the header


def test_several_files_of_one_vpp_plugin_are_one_nf():
    plugin = DATA / "vpptree" / "plugins" / "tally"
    files = sorted(str(p) for p in plugin.glob("*.c"))
    assert len(files) > 1
    units = adapters.discover_paths(files)
    assert [u.name for u in units.units] == ["tally"]
    whole = adapters.discover_paths([str(plugin)]).units[0]
    assert units.units[0].files == whole.files
    assert units.units[0].entry_points == whole.entry_points
    one = adapters.discover_paths(files[:1]).units          # a single file: named by its stem
    assert [u.name for u in one] == [Path(files[0]).stem]
