"""Make and Meson integration with real make, meson and ninja (issue 12): the
examples build, an up-to-date tree does nothing, and editing one NF re-analyses
that NF only."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent
FLOWMAGEC = shutil.which("flowmagec", path=str(BIN)) or shutil.which("flowmagec")
ENV = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}


def run(cmd, cwd, **kw):
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300, **kw)
    return p.returncode, p.stdout + p.stderr


@pytest.mark.skipif(not shutil.which("make"), reason="no make")
def test_make_example_builds_incrementally(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("out"))
    work = tmp_path / "examples" / "make"
    args = ["make", f"TOP={ROOT}", f"FLOWMAGEC={FLOWMAGEC}",
            f"FLOWMAGE_DB=features.json"]
    env_cache = {"FLOWMAGEC_CACHE_DIR": str(tmp_path / "cache")}
    ENV.update(env_cache)
    rc, out = run(args, work)
    assert rc == 0, out
    assert (work / "chain.opt.click").is_file() and "analysed 2 " in out
    rc, out = run([*args, "-q"], work)
    assert rc == 0, out                                 # up to date: nothing to do
    with open(work.parent / "elements" / "srcbytes.cc", "a") as fh:
        fh.write("// edited\n")
    rc, _ = run([*args, "-q"], work)
    assert rc != 0
    rc, out = run(args, work)
    assert rc == 0 and "analysed 1 (SrcBytes), reused 1, failed 0" in out


@pytest.mark.skipif(not (shutil.which("meson", path=str(BIN)) or shutil.which("meson")),
                    reason="no meson")
def test_meson_example_builds_and_reruns_only_on_source_changes(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("out"))
    work = tmp_path / "examples" / "meson"
    ENV["FLOWMAGEC_CACHE_DIR"] = str(tmp_path / "cache")
    rc, out = run(["meson", "setup", "build", f"-Dflowmagec={FLOWMAGEC}",
                   f"-Dframework_src={ROOT / 'corpus' / 'fastclick'}"], work)
    assert rc == 0, out
    rc, out = run(["ninja", "-C", "build"], work)
    assert rc == 0 and (work / "build" / "chain.opt.click").is_file(), out
    rc, out = run(["ninja", "-C", "build"], work)
    assert rc == 0 and "no work to do" in out
    with open(work.parent / "elements" / "dstpackets.hh", "a") as fh:
        fh.write("// edited\n")
    rc, out = run(["ninja", "-C", "build"], work)
    assert rc == 0 and "analysed 1 (DstPackets), reused 1, failed 0" in out
