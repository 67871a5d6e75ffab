"""Every input path is total: any bytes give a result or a located error, fast,
with no recursion the input controls and nothing raw on the terminal."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowmagec.cli import main
from flowmagec.frontends import click_elab, load
from flowmagec.frontends.click import ClickDocument
from flowmagec.frontends.deep import MAX_NESTING
from flowmagec.frontends.vpp import VppDocument, VppScript

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def _cli(*argv, stdin=None):
    return subprocess.run([sys.executable, "-m", "flowmagec", *argv], env=ENV,
                          capture_output=True, timeout=300)


# -- non-UTF-8 bytes ---------------------------------------------------------------

def test_vpp_non_utf8_startup_and_cli_round_trip(tmp_path):
    conf = tmp_path / "startup.conf"
    raw = b"unix { nodaemon cli-listen /run/vpp/cli-\xff.sock }\n# caf\xe9\ncpu { workers 2 }\n"
    conf.write_bytes(raw)
    doc = VppDocument.load(str(conf))
    assert doc.render().encode("utf-8", "surrogateescape") == raw
    doc.set_cpu_workers(4)
    out = doc.render().encode("utf-8", "surrogateescape")
    assert b"cli-\xff.sock" in out and b"caf\xe9" in out and b"workers 4" in out
    cli = tmp_path / "setup.cli"
    cli.write_bytes(b"set int state \xfe\xff up\n")
    assert VppScript.load(str(cli)).render().encode("utf-8", "surrogateescape") == cli.read_bytes()
    assert main(["parse", str(conf)]) == 0


def test_click_non_utf8_round_trips_through_edit_and_write(tmp_path, capsys):
    p = tmp_path / "c.click"
    raw = b"// caf\xe9 \xff\nsrc :: FromDevice(eth\xfe0) -> q :: Queue(64) -> Discard;\n"
    p.write_bytes(raw)
    doc = ClickDocument.parse_file(str(p))
    assert doc.render().encode("utf-8", "surrogateescape") == raw
    doc.set_keyword("q", "CAPACITY", "128")
    edited = doc.render().encode("utf-8", "surrogateescape")
    assert b"caf\xe9 \xff" in edited and b"eth\xfe0" in edited and b"CAPACITY 128" in edited
    out = tmp_path / "out.click"
    assert main([str(p), "-o", str(out), "--cache-dir", str(tmp_path / "cache")]) == 0
    assert b"caf\xe9 \xff" in out.read_bytes() and b"eth\xfe0" in out.read_bytes()
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


@pytest.mark.parametrize("name,data", [
    ("g.click", b"\x00\x01\x1b[2J\xff\xfe garbage ->\n"),
    ("g.click", b"a :: Foo(\x1b]0;pwned\x07\n"),
    ("startup.conf", b"unix { \x1b[31m \xff\n"),
    ("startup.conf", b"\x89PNG\r\n\x1a\n\x00\x00 }}}"),
    ("setup.cli", b"define a \x1b[2J\nset int state $a up\n}\n"),
])
def test_binary_garbage_gives_a_located_error_with_bytes_escaped(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    r = _cli("parse", str(p))
    assert r.returncode in (0, 2) and b"Traceback" not in r.stderr
    shown = r.stdout + r.stderr
    assert b"\x1b" not in shown and b"\x07" not in shown and b"\xff" not in shown
    if r.returncode == 2:
        assert f"{p}:".encode() in r.stderr and b": error:" in r.stderr


# -- nesting and size ----------------------------------------------------------------

def test_vpp_sections_nested_20000_deep(tmp_path):
    p = tmp_path / "startup.conf"
    p.write_text("unix " + "{ a " * 20000 + "}" * 20000 + "\ncpu { workers 2 }\n")
    chain = load(str(p))
    assert "unix" in chain.deployment["sections"]


@pytest.mark.parametrize("shape", ["anon", "group", "elementclass"])
def test_click_nesting_beyond_the_limit_is_a_located_error(tmp_path, shape):
    n = MAX_NESTING + 1
    if shape == "anon":
        text = "FromDevice(x) -> " + "{ " * n + "input -> Null -> output" + " }" * n + " -> Discard;"
    elif shape == "group":
        text = "FromDevice(x) -> " + "( " * n + "Null" + " )" * n + " -> Discard;"
    else:
        text = "".join(f"elementclass E{i} {{ " for i in range(n)) + "input -> output" + " }" * n
    p = tmp_path / "deep.click"
    p.write_text(text + "\n")
    r = _cli("parse", str(p))
    assert r.returncode == 2 and b"Traceback" not in r.stderr
    assert f"nesting deeper than {MAX_NESTING}".encode() in r.stderr


def test_click_nesting_at_the_limit_is_not_a_recursion_error(tmp_path, capsys):
    n = MAX_NESTING
    p = tmp_path / "deep.click"
    p.write_text("FromDevice(x) -> " + "{ input -> " * n + "Null" + " -> output }" * n
                 + " -> Discard;\n")
    assert main(["parse", str(p)]) == 0
    assert "3 elements, 2 connections" in capsys.readouterr().out


def test_compound_expansion_depth_is_bounded(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(click_elab, "MAX_NESTING", 50)
    p = tmp_path / "uses.click"
    p.write_text("elementclass F0 { input -> Null -> output }\n" + "".join(
        f"elementclass F{i} {{ input -> F{i - 1} -> output }}\n" for i in range(1, 60))
        + "FromDevice(x) -> F59 -> Discard;\n")
    assert main(["parse", str(p)]) == 2
    assert "nests deeper than 50 levels" in capsys.readouterr().err
    p.write_text("elementclass F0 { input -> Null -> output }\n" + "".join(
        f"elementclass F{i} {{ input -> F{i - 1} -> output }}\n" for i in range(1, 40))
        + "FromDevice(x) -> F39 -> Discard;\n")
    assert main(["parse", str(p)]) == 0          # 40 levels: tunnels followed through all
    assert "3 elements, 2 connections" in capsys.readouterr().out


def _chain(n: int) -> str:
    return ("FromDevice(eth0) -> " + " -> ".join(f"c{i} :: Counter" for i in range(n))
            + " -> Discard;\n")


def test_connection_chain_parses_in_linear_time(tmp_path):
    times = {}
    for n in (5000, 20000):
        p = tmp_path / f"chain{n}.click"
        p.write_text(_chain(n))
        t = time.process_time()
        chain = load(str(p))
        times[n] = time.process_time() - t
        assert len(chain.connections) == n + 1
    assert times[20000] < 8 * times[5000] + 0.5, times      # quadratic would be 16x


def test_vpp_macro_chain_deeper_than_8_is_an_error(tmp_path, capsys):
    p = tmp_path / "setup.cli"
    p.write_text("".join(f"define m{i} $m{i + 1}\n" for i in range(10)) + "define m10 eth0\n"
                 "set interface state $m0 up\n")
    assert main(["parse", str(p)]) == 2
    err = capsys.readouterr().err
    assert "expands more than 8 levels" in err and f"{p}:12:1:" in err
    p.write_text("define a $b\ndefine b $a\nset interface state $a up\n")
    assert main(["parse", str(p)]) == 2


def test_broken_pipe_is_quiet(tmp_path):
    p = tmp_path / "chain.click"
    p.write_text(_chain(3000))
    r = subprocess.run(f"{sys.executable} -m flowmagec parse --json {p} | head -c 100",
                       shell=True, env=ENV, capture_output=True, timeout=300)
    assert len(r.stdout) == 100 and b"Traceback" not in r.stderr and b"Error" not in r.stderr
    r = subprocess.run(f"{sys.executable} -m flowmagec rss-key --fields src_ip --json | head -1",
                       shell=True, env=ENV, capture_output=True, timeout=300)
    assert r.stdout.strip() == b"{" and b"Traceback" not in r.stderr


# -- audit never degrades silently ------------------------------------------------

def test_audit_of_non_utf8_source_runs_every_pass(tmp_path):
    import shutil
    corpus = ROOT / "corpus" / "fastclick"
    root = tmp_path / "tree"
    shutil.copytree(corpus / "include", root / "include")
    shutil.copytree(corpus / "elements" / "dstmeter", root / "elements" / "dstmeter")
    cc = root / "elements" / "dstmeter" / "dstmeter.cc"
    cc.write_bytes(cc.read_bytes() + b'\n// caf\xe9 \xff\nstatic const char *k = "\xfe\xff";\n')
    from flowmagec.commands.audit import audit
    units, facts, features = audit([str(root / "elements" / "dstmeter")], src=[str(root)],
                                   cache_dir=str(tmp_path / "cache"))
    assert facts[0].stages["source"] == "ok", facts[0].stages
    assert features.nfs[0].stateful


def test_audit_warns_about_a_crashed_pass_without_verbose(tmp_path, capsys, monkeypatch):
    from flowmagec import passes

    class Broken:
        level, name = "source", "BrokenPass"

        def run(self, unit, ctx):
            raise RuntimeError("boom")
    monkeypatch.setattr(passes, "SOURCE_PASSES", list(passes.SOURCE_PASSES) + [Broken])
    src = ROOT / "corpus" / "fastclick" / "elements" / "dstmeter"
    assert main(["audit", str(src), "--src", str(ROOT / "corpus" / "fastclick"), "--format",
                 "json", "--cache-dir", str(tmp_path / "cache")]) == 0
    captured = capsys.readouterr()
    assert "DstMeter: pass source.BrokenPass crashed: RuntimeError: boom" in captured.err
    assert "source.BrokenPass" in captured.out            # and in the report
