"""Outputs are a transaction: planned before any work, all or nothing, never an input."""
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowmagec import outputs
from flowmagec.cli import main
from flowmagec.errors import InputError
from flowmagec.outputs import OutputError, OutputSet

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "tests" / "data" / "click" / "basic.click"
FLOWMAGEC = [sys.executable, "-m", "flowmagec"]


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.rglob("*") if p.name.startswith(".") and
                  (p.name.endswith(".tmp") or p.name.endswith(".old")))


# -- planning -----------------------------------------------------------------

def test_refuses_directory_device_and_missing_directory(tmp_path):
    (tmp_path / "adir").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        OutputSet(force=True).plan(tmp_path / "adir")
    with pytest.raises(InputError, match="not a regular file"):
        OutputSet(force=True).plan("/dev/null")
    with pytest.raises(InputError, match="--mkdir"):
        OutputSet().plan(tmp_path / "no" / "such" / "x.txt")
    with OutputSet(mkdir=True) as outs:
        outs.write(tmp_path / "no" / "such" / "x.txt", "x")
    assert (tmp_path / "no" / "such" / "x.txt").read_text() == "x"


def test_refuses_inputs_even_with_force_through_symlinks_and_hard_links(tmp_path):
    src = tmp_path / "nf.cc"
    src.write_text("int x;")
    (tmp_path / "link.cc").symlink_to(src)
    os.link(src, tmp_path / "hard.cc")
    for target in (src, tmp_path / "link.cc", tmp_path / "hard.cc"):
        with pytest.raises(InputError, match="refusing to overwrite input"):
            OutputSet(protected=[str(src)], force=True).plan(target)
    # an input discovered after planning is checked against the planned outputs too
    outs = OutputSet(force=True)
    outs.plan(tmp_path / "hard.cc")
    with pytest.raises(InputError, match="refusing to overwrite input"):
        outs.protect([str(src)])
    assert src.read_text() == "int x;"


def test_two_outputs_on_one_file_are_refused(tmp_path):
    with pytest.raises(InputError, match="same file"):
        OutputSet().plan_all([tmp_path / "a", tmp_path / "." / "a"])
    (tmp_path / "b").write_text("old")
    os.link(tmp_path / "b", tmp_path / "c")
    with pytest.raises(InputError, match="same file"):
        OutputSet(force=True).plan_all([tmp_path / "b", tmp_path / "c"])
    outs = OutputSet()
    outs.write(tmp_path / "d", "1")
    with pytest.raises(InputError, match="same file"):
        outs.write(tmp_path / "d", "2")


def test_mode_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with OutputSet() as outs:
            outs.write(tmp_path / "a", "A")
        os.umask(0o077)
        with OutputSet() as outs:
            outs.write(tmp_path / "b", "B")
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o600


def test_non_utf8_text_is_written_byte_for_byte(tmp_path):
    raw = b"caf\xe9 \xff\n"
    with OutputSet() as outs:
        outs.write(tmp_path / "x", raw.decode("utf-8", "surrogateescape"))
    assert (tmp_path / "x").read_bytes() == raw


# -- commit failures ------------------------------------------------------------

def _old_set(tmp_path) -> dict[Path, str]:
    files = {tmp_path / n: f"old {n}" for n in ("a", "b", "c")}
    for p, t in files.items():
        p.write_text(t)
    return files


def test_full_disk_leaves_old_files_and_no_temp(tmp_path, monkeypatch):
    old = _old_set(tmp_path)
    real_write, calls = os.write, []

    def full(fd, data):
        calls.append(fd)
        if len(calls) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)
    monkeypatch.setattr(outputs.os, "write", full)
    with pytest.raises(OutputError, match="No space left"):
        with OutputSet(force=True) as outs:
            for p in old:
                outs.write(p, "new")
    assert {p: p.read_text() for p in old} == old
    assert _leftovers(tmp_path) == []


def test_failure_during_renames_rolls_back(tmp_path, monkeypatch):
    old = _old_set(tmp_path)
    fresh = tmp_path / "d"                   # a new file: removed on rollback
    real_replace, calls = os.replace, []

    def flaky(a, b):
        calls.append(b)
        if len(calls) == 3:
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(a, b)
    monkeypatch.setattr(outputs.os, "replace", flaky)
    with pytest.raises(OutputError):
        with OutputSet(force=True) as outs:
            outs.write(fresh, "new")
            for p in old:
                outs.write(p, "new")
    assert {p: p.read_text() for p in old} == old and not fresh.exists()
    assert _leftovers(tmp_path) == []


def test_real_full_disk_on_tmpfs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                                            str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        (mnt / "a").write_text("old")
        with pytest.raises(OutputError, match="No space left"):
            with OutputSet(force=True) as outs:
                outs.write(mnt / "a", "A" * 40_000)
                outs.write(mnt / "b", "B" * 40_000)
        assert (mnt / "a").read_text() == "old" and not (mnt / "b").exists()
        assert _leftovers(mnt) == []
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# -- the CLI: refused plans exit 2 before any work --------------------------------

@pytest.mark.parametrize("extra", [
    ["-o", "{cfg}", "--force"],                        # output = the config
    ["-o", "{tmp}/a.click", "--report", "{tmp}/a.click"],
    ["-o", "{tmp}/x.click", "--dispatcher", "{tmp}/d.c", "--report", "{tmp}/d.h"],
    ["-o", "/dev/null", "--force"],
    ["-o", "{tmp}"],                                   # a directory
    ["-o", "{tmp}/missing/x.click"],
    ["-o", "{tmp}/x.click", "--report", "{nic}", "--force", "--nic", "{nic}"],
])
def test_refused_plans_exit_2_before_work(tmp_path, capsys, extra):
    cfg = tmp_path / "chain.click"
    cfg.write_text(BASIC.read_text())
    nic = tmp_path / "nic.json"
    nic.write_text((ROOT / "flowmagec" / "data" / "nics" / "mlx5.json").read_text())
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    argv = [str(cfg), "--cache-dir", str(tmp_path / "cache")] + [
        a.format(cfg=cfg, tmp=tmp_path, nic=nic) for a in extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert not (tmp_path / "cache").exists()           # nothing compiled: refused up front
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_force_replaces_a_previous_output(tmp_path, capsys):
    out = tmp_path / "out.click"
    out.write_text("previous output")
    argv = [str(BASIC), "-o", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    assert main(argv + ["--force"]) == 0
    assert "previous output" not in out.read_text()


# -- fault injection: signals sent to a real flowmagec -------------------------------

def _job(tmp_path: Path, delay: float = 0.0):
    outdir = tmp_path / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    names = ["chain.opt.click", "report.json", "d.c", "d.h"]
    for n in names:
        (outdir / n).write_text("OLD")
    argv = FLOWMAGEC + [str(BASIC), "-o", str(outdir / names[0]), "--report",
                        str(outdir / names[1]), "--dispatcher", str(outdir / names[2]),
                        "--force", "--cache-dir", str(tmp_path / "cache")]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if delay:
        env[outputs.COMMIT_DELAY_ENV] = str(delay)
    return outdir, names, argv, env


def _check_all_or_nothing(outdir: Path, names: list[str]) -> str:
    texts = [(outdir / n).read_text() for n in names]
    old = [t == "OLD" for t in texts]
    assert all(old) or not any(old), f"partial output set: {old}"
    assert _leftovers(outdir) == []
    assert sorted(p.name for p in outdir.iterdir()) == sorted(names)
    return "old" if all(old) else "new"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_during_the_renames_leaves_the_complete_new_set(tmp_path, sig):
    outdir, names, argv, env = _job(tmp_path, delay=0.5)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if any((outdir / n).read_text() != "OLD" for n in names):     # first rename done
            break
        time.sleep(0.02)
    early = proc.poll()
    proc.send_signal(sig)
    proc.wait(timeout=120)
    err = proc.stderr.read()
    assert early is None, err.decode()[-2000:]
    assert b"Traceback" not in err
    assert _check_all_or_nothing(outdir, names) == "new"


def test_signals_at_random_times(tmp_path):
    rng = random.Random(11)
    seen = set()
    for i in range(4):
        outdir, names, argv, env = _job(tmp_path / str(i))
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(rng.choice([signal.SIGTERM, signal.SIGINT]))
        proc.wait(timeout=120)
        assert b"Traceback" not in proc.stderr.read()
        seen.add(_check_all_or_nothing(outdir, names))
    assert seen


def test_cache_defaults_to_xdg_not_the_working_directory(tmp_path, monkeypatch):
    from flowmagec.compile import cache_root
    monkeypatch.delenv("FLOWMAGEC_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "flowmagec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "flowmagec"
    monkeypatch.setenv("FLOWMAGEC_CACHE_DIR", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    assert cache_root(str(tmp_path / "flag")) == tmp_path / "flag"
