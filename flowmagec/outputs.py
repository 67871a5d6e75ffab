"""Outputs as a transaction: planned first, staged in memory, committed as a set.

Rules (checked when an output is planned, i.e. before any analysis work, and
again for files an emitter derives later, always before anything is written):

- two outputs that resolve to the same file (path, symlink or hard link) are refused;
- an output that resolves to a file the run reads (config and its libraries, NF
  sources, NIC/traffic profile, feature DB, compdb) is refused, ``--force`` or not;
- an output that exists but is not a regular file (a directory, ``/dev/null``) is refused;
- an existing regular file is replaced only with ``--force``;
- a missing output directory is an error unless ``--mkdir``.

``commit`` writes each file to a temp file in its target directory (mode from
the umask), fsyncs it, links the old file aside, renames the whole set into
place and fsyncs the directories.  SIGINT/SIGTERM/SIGHUP are blocked for the
duration of the commit (delivered once it is done), and any error rolls the
renamed files back: afterwards there are either the old files or the complete
new set, and never a temp file.
"""
from __future__ import annotations

import errno
import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import EXIT_FAILURE, FlowmageError, InputError

# Signals that must not cut a commit in half (SIGKILL cannot be helped).
COMMIT_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP")
                       if hasattr(signal, n))
# Test hook: seconds to sleep between the renames of a commit (fault injection).
COMMIT_DELAY_ENV = "FLOWMAGEC_TEST_COMMIT_DELAY"


class OutputError(FlowmageError):
    """Writing the outputs failed (full disk, I/O error); nothing was changed."""
    exit_code = EXIT_FAILURE


def umask_mode(base: int = 0o666) -> int:
    """``base`` filtered by the process umask (what ``open(..., 'w')`` would give)."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


@contextmanager
def signals_deferred():
    """Hold COMMIT_SIGNALS inside the block; one that arrived is re-raised on exit
    (so its usual handler runs once the commit is complete or rolled back)."""
    import threading
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread may set handlers; block the signals for this thread.
        old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, COMMIT_SIGNALS)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        return
    pending: list[int] = []
    old = {sig: signal.signal(sig, lambda signum, frame: pending.append(signum))
           for sig in COMMIT_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(pending):
            signal.raise_signal(sig)


def _file_id(path: Path):
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _encode(content: str | bytes) -> bytes:
    # surrogateescape: text that came from non-UTF-8 input goes back out byte for byte.
    return content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _same_file(a: str, b: str) -> str:
    if a == b:
        return f"two outputs resolve to the same file: '{a}' is named twice"
    return f"two outputs resolve to the same file: '{a}' and '{b}'"


class OutputSet:
    def __init__(self, protected=(), force: bool = False, mkdir: bool = False):
        self._force = force
        self._mkdir = mkdir
        self._inputs: dict[Path, str] = {}          # resolved input path -> as given
        self._input_ids: dict[tuple, str] = {}      # (dev, ino) -> as given
        self._planned: dict[Path, str] = {}         # resolved output path -> as given
        self._staged: dict[Path, bytes] = {}
        self.protect(protected)

    # -- planning ---------------------------------------------------------

    def protect(self, paths) -> None:
        """Add files the run reads; outputs planned so far are checked against them."""
        for p in paths:
            if not p:
                continue
            real = Path(os.path.realpath(p))
            self._inputs.setdefault(real, str(p))
            fid = _file_id(real)
            if fid is not None:
                self._input_ids.setdefault(fid, str(p))
        for real, given in list(self._planned.items()):
            self._check_not_input(real, given)

    def _check_not_input(self, real: Path, given: str) -> None:
        hit = self._inputs.get(real) or self._input_ids.get(_file_id(real))
        if hit is not None:
            also = f" (the run reads it as '{hit}')" if hit != given else ""
            raise InputError(f"refusing to overwrite input file '{given}'{also}; "
                             f"choose another output path")

    def plan(self, target: str | os.PathLike) -> Path:
        """Reserve ``target`` as an output of this run (InputError when refused)."""
        given = str(target)
        if not given:
            raise InputError("empty output path")
        real = Path(os.path.realpath(target))
        if real in self._planned:
            return real     # planned up front, written now by an emitter
        fid = _file_id(real)
        clash = next((g for r, g in self._planned.items()
                      if fid is not None and _file_id(r) == fid), None)
        if clash is not None:
            raise InputError(_same_file(clash, given))
        self._check_not_input(real, given)
        if os.path.lexists(real) or real.exists():
            if real.is_dir():
                raise InputError(f"output '{given}' is a directory")
            if not real.is_file():
                raise InputError(f"output '{given}' is not a regular file (a device, pipe "
                                 f"or socket); refusing to replace it")
            if not self._force:
                raise InputError(f"output '{given}' exists; pass --force to overwrite it")
        self._check_directory(real.parent, given)
        self._planned[real] = given
        return real

    def _check_directory(self, parent: Path, given: str) -> None:
        if parent.is_dir():
            if not os.access(parent, os.W_OK | os.X_OK):
                raise InputError(f"cannot write output '{given}': directory '{parent}' "
                                 f"is not writable")
            return
        probe = parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise InputError(f"cannot write output '{given}': '{probe}' is not a directory")
        if not self._mkdir:
            raise InputError(f"output directory '{parent}' does not exist; create it or "
                             f"pass --mkdir")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise InputError(f"cannot create output directory '{parent}': '{probe}' is not "
                             f"writable")

    def plan_all(self, targets) -> None:
        """Plan the outputs named on the command line; two naming one file are refused."""
        seen: dict[Path, str] = {}
        for t in targets:
            if not t:
                continue
            real = Path(os.path.realpath(t))
            if real in seen:
                raise InputError(_same_file(seen[real], str(t)))
            seen[real] = str(t)
            self.plan(t)

    def check(self, target: str | os.PathLike) -> Path:
        """Compatibility name for ``plan``."""
        return self.plan(target)

    def write(self, target: str | os.PathLike, content: str | bytes) -> None:
        """Stage ``content`` for ``target`` (written at commit)."""
        real = self.plan(target)
        if real in self._staged:
            raise InputError(f"two outputs resolve to the same file: '{target}' is written twice")
        self._staged[real] = _encode(content)

    @property
    def planned(self) -> list[str]:
        return list(self._planned.values())

    # -- commit -------------------------------------------------------------

    def commit(self) -> list[Path]:
        """Write the staged set; all or nothing (see the module docstring)."""
        if not self._staged:
            return []
        items = list(self._staged.items())
        with signals_deferred():
            done = _commit_files(items, self._mkdir)
        self._staged.clear()
        return done

    def discard(self) -> None:
        self._staged.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()
        return False


def _commit_files(items: list[tuple[Path, bytes]], mkdir: bool) -> list[Path]:
    mode = umask_mode()
    temps: dict[Path, Path] = {}        # target -> staged temp file
    backups: dict[Path, Path] = {}      # target -> hard link of the old file
    renamed: list[Path] = []
    made_dirs: list[Path] = []
    current = None
    try:
        for target, data in items:
            current = target
            if not target.parent.is_dir():
                if not mkdir:
                    raise FileNotFoundError(errno.ENOENT, "no such directory", str(target.parent))
                made_dirs.extend(_make_dirs(target.parent))
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps[target] = Path(tmp)
            try:
                os.fchmod(fd, mode)
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        for target in temps:
            current = target
            if target.exists():
                backups[target] = _link_aside(target)
        delay = float(os.environ.get(COMMIT_DELAY_ENV) or 0)
        for target, tmp in temps.items():
            current = target
            os.replace(tmp, target)
            renamed.append(target)
            if delay:
                time.sleep(delay)
        for d in {t.parent for t in temps}:
            _fsync_dir(d)
    except BaseException as e:
        _roll_back(renamed, backups)
        for tmp in temps.values():
            _unlink(tmp)
        for d in reversed(made_dirs):
            try:
                d.rmdir()
            except OSError:
                pass
        if isinstance(e, OSError):
            why = e.strerror or str(e)
            raise OutputError(f"cannot write output '{current}': {why}; nothing was written "
                              f"(previous files are unchanged)") from None
        raise
    finally:
        for b in backups.values():
            _unlink(b)
    return renamed


def _make_dirs(path: Path) -> list[Path]:
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir()
    return list(reversed(missing))


def _link_aside(target: Path) -> Path:
    """A hard link to the old file next to it (rollback copy; no data is copied)."""
    for _ in range(100):
        backup = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.old")
        try:
            os.link(target, backup)
            return backup
        except FileExistsError:
            continue
        except OSError:
            break
    # File system without hard links: copy the old bytes.
    import shutil
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
    os.close(fd)
    shutil.copy2(target, tmp)
    return Path(tmp)


def _roll_back(renamed: list[Path], backups: dict[Path, Path]) -> None:
    for target in reversed(renamed):
        try:
            if target in backups:
                os.replace(backups.pop(target), target)
            else:
                target.unlink()
        except OSError:
            pass


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def atomic_write(path: str | os.PathLike, content: str | bytes) -> None:
    """Replace one file atomically (temp file, fsync, rename; signals deferred)."""
    real = Path(os.path.realpath(path))
    with signals_deferred():
        _commit_files([(real, _encode(content))], mkdir=True)
