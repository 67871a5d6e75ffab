"""One set of options across sub-commands, every option with help and its default."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from flowmagec import __version__
from flowmagec.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[1]
BUILDING = ("compile", "audit", "track")     # the sub-commands that compile NF code
# the sub-commands held to the shared options (bench and calibrate are newer; TODO: join)
CHECKED = ("compile", "parse", "audit", "rss-key", "track")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _option(p: argparse.ArgumentParser, flag: str) -> argparse.Action:
    return next(a for a in p._actions if flag in a.option_strings)


def test_every_subcommand_is_registered():
    assert set(_subparsers()) == set(COMMANDS) >= set(CHECKED)


@pytest.mark.parametrize("name", CHECKED)
def test_shared_options_are_spelled_alike(name):
    p = _subparsers()[name]
    assert _option(p, "-v") is _option(p, "--verbose")
    assert _option(p, "-q") is _option(p, "--quiet")
    assert isinstance(_option(p, "--version"), argparse._VersionAction)
    if name in BUILDING:
        jobs = _option(p, "--jobs")
        assert jobs is _option(p, "-j") and jobs.type is int and jobs.default == 0
        assert _option(p, "--cache-dir").default is None


@pytest.mark.parametrize("name", CHECKED)
def test_every_option_has_help_and_shows_its_default(name):
    p = _subparsers()[name]
    text = " ".join(p.format_help().split())
    for a in p._actions:
        if a.help == argparse.SUPPRESS:
            continue
        assert a.help, f"{name} {a.option_strings or a.dest}: no help"
        real_default = a.default not in (None, False, [], "", argparse.SUPPRESS)
        if a.option_strings and real_default:
            assert f"default: {a.default}" in text or f"default {a.default}" in text, \
                f"{name} {a.option_strings[0]}: default {a.default!r} not shown"


def test_defaults_named_in_the_issue_are_shown():
    text = " ".join(_subparsers()["compile"].format_help().split())
    assert "(default: 8)" in text and "(default: generic)" in text
    assert "(default: vanilla)" in text
    for stage in ("parse", "discover", "compile", "analyze", "fuse", "solve", "emit"):
        assert stage in text                   # --dump-after lists its stages
    # no noise for options without a default
    assert "(default: None)" not in text and "(default: False)" not in text


@pytest.mark.parametrize("name", CHECKED)
def test_version_on_every_subcommand(name, capsys):
    with pytest.raises(SystemExit) as e:
        main([name, "--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"flowmagec {__version__}"


def test_top_level_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"flowmagec {__version__}"


@pytest.mark.parametrize("name", BUILDING)
def test_negative_jobs_is_bad_input(name, tmp_path, capsys):
    argv = {"compile": [str(ROOT / "tests" / "data" / "click" / "basic.click")],
            "audit": [str(ROOT / "tests" / "data" / "nf" / "plain")],
            "track": [str(ROOT / "tests" / "data" / "nf" / "plain"), "--db",
                      str(tmp_path / "db.json")]}[name]
    assert main([name, *argv, "-j", "-1"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_quiet_hides_notes_verbose_shows_them(tmp_path, capsys):
    broken = ROOT / "tests" / "data" / "nf" / "fctree" / "elements" / "broken"
    cache = str(tmp_path / "cache")
    assert main(["audit", str(broken), "--cache-dir", cache, "--format", "json", "-v"]) == 0
    assert "note: NeedsDeps: IR unavailable" in capsys.readouterr().err
    assert main(["audit", str(broken), "--cache-dir", cache, "--format", "json", "-q"]) == 0
    assert "note:" not in capsys.readouterr().err


def test_broken_pipe_exits_quietly():
    """`flowmagec parse big.click | head -0`: no traceback, the shell's SIGPIPE status."""
    cfg = ROOT / "tests" / "data" / "click" / "basic.click"
    proc = subprocess.Popen([sys.executable, "-m", "flowmagec", "parse", "--json", str(cfg)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()                    # the reader is gone before the first write
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err
