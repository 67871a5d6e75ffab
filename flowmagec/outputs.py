"""All-or-nothing output: files are staged next to their target and renamed at commit.

A failing run leaves no partial output, and a user's input file is never
overwritten unless they asked (``--force`` for existing outputs; inputs never).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


class OutputSet:
    def __init__(self, protected: list[str] | tuple[str, ...] = (), force: bool = False):
        self._protected = {Path(p).resolve() for p in protected}
        self._force = force
        self._staged: list[tuple[Path, Path]] = []

    def check(self, target: str | os.PathLike) -> Path:
        path = Path(target)
        if path.resolve() in self._protected:
            raise InputError(f"refusing to overwrite input file '{path}'; choose another output path")
        if path.exists() and not self._force:
            raise InputError(f"output '{path}' exists; pass --force to overwrite it")
        return path

    def write(self, target: str | os.PathLike, content: str | bytes) -> None:
        path = self.check(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)
        self._staged.append((Path(tmp), path))

    def commit(self) -> list[Path]:
        done = []
        for tmp, path in self._staged:
            os.replace(tmp, path)
            done.append(path)
        self._staged.clear()
        return done

    def discard(self) -> None:
        for tmp, _ in self._staged:
            try:
                tmp.unlink()
            except OSError:
                pass
        self._staged.clear()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commit()
        else:
            self.discard()
        return False
