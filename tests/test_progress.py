"""The progress display: shown on a terminal for long runs only; the stages report N/M."""
from __future__ import annotations

import io
import time
from pathlib import Path

from flowmagec import adapters, analysis, compile as compile_mod
from flowmagec.cli import main
from flowmagec.commands.audit import audit
from flowmagec.driver import Options, Pipeline
from flowmagec.progress import Progress

DATA = Path(__file__).parent / "data"
ELEMENTS = DATA / "nf" / "fctree" / "elements"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Recorder:
    """A Progress stand-in that records what the stages report."""

    def __init__(self):
        self.events: list[tuple] = []

    def stage(self, name, total=None):
        rec = self

        class _Stage:
            def advance(self, n=1):
                rec.events.append((name, "advance", n))

            def update(self, done, total=None):
                rec.events.append((name, "update", done, total))

            def close(self):
                rec.events.append((name, "close"))

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.close()
        self.events.append((name, "start", total))
        return _Stage()

    def names(self) -> list[str]:
        return [e[0] for e in self.events if e[1] == "start"]


def test_shown_on_a_terminal_after_the_delay():
    tty = FakeTTY()
    with Progress(stream=tty, delay_s=0) as p:
        with p.stage("compile", total=3) as st:
            st.advance()
            time.sleep(0.3)             # the display comes up from its own thread
            st.advance(2)
    out = tty.getvalue()
    assert "compile" in out and "/3" in out


def test_silent_when_the_run_is_short():
    tty = FakeTTY()
    with Progress(stream=tty, delay_s=30) as p:
        with p.stage("compile", total=3) as st:
            st.advance(3)
    assert tty.getvalue() == ""


def test_silent_when_not_a_terminal_or_quiet():
    for stream, enabled in ((io.StringIO(), True), (FakeTTY(), False)):
        with Progress(enabled=enabled, stream=stream, delay_s=0) as p:
            with p.stage("analyse", total=2) as st:
                time.sleep(0.2)
                st.advance(2)
        assert stream.getvalue() == ""
        assert p.stages == []            # nothing kept either


def test_counter_never_goes_back():
    p = Progress(stream=FakeTTY(), delay_s=30)
    st = p.stage("compile")
    st.update(3, 5)
    st.update(2, 5)                      # a slower worker reporting late
    assert (st.done, st.total) == (3, 5)
    p.close()


def test_quiet_run_writes_no_progress(tmp_path, capsys):
    assert main(["audit", str(ELEMENTS / "counting"), "--cache-dir", str(tmp_path / "c"),
                 "-q", "--format", "json"]) == 0
    assert "analyse" not in capsys.readouterr().err


def test_compile_and_analyse_report_each_unit(tmp_path):
    units = adapters.discover_paths([str(ELEMENTS)])
    files: list[tuple[int, int]] = []
    compile_mod.compile_units(units, cache_dir=str(tmp_path / "c"), jobs=2,
                              on_file=lambda d, t: files.append((d, t)))
    total = files[0][1]
    assert total >= len(units.units) and sorted(d for d, _ in files) == list(range(1, total + 1))
    seen: list[tuple[int, int]] = []
    facts = analysis.analyze(units, on_unit=lambda d, t: seen.append((d, t)))
    assert seen == [(i, len(units.units)) for i in range(1, len(units.units) + 1)]
    assert len(facts) == len(units.units)


def test_audit_and_main_job_report_their_stages(tmp_path):
    rec = Recorder()
    audit([str(ELEMENTS / "counting")], cache_dir=str(tmp_path / "c"), progress=rec)
    assert rec.names() == ["discover", "compile", "analyse"]
    assert ("analyse", "update", 1, 1) in rec.events
    rec = Recorder()
    Pipeline(Options(config=str(DATA / "click" / "basic.click"), cache_dir=str(tmp_path / "c")),
             progress=rec).run()
    assert rec.names() == ["discover", "compile", "analyse", "solve"]
    assert all((n, "close") in rec.events for n in rec.names())
