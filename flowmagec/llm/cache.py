"""Content-addressed on-disk cache of LLM answers: an unchanged NF (same prompt,
model, template version, sample) never costs a second call."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional


class AnswerCache:
    def __init__(self, root: Optional[Path]):
        self.root = Path(root) / "llm" if root is not None else None

    @staticmethod
    def key(model: str, version: str, system: str, user: str, sample: int,
            temperature: float) -> str:
        h = hashlib.sha256()
        for part in (model, version, system, user, str(sample), repr(float(temperature))):
            h.update(part.encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        return h.hexdigest()

    def get(self, key: str) -> Optional[dict]:
        if self.root is None:
            return None
        path = self.root / key[:2] / f"{key}.json"
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        if self.root is None:
            return
        d = self.root / key[:2]
        try:
            d.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh)
            os.replace(tmp, d / f"{key}.json")
        except OSError:
            pass                       # a cache that cannot be written only costs calls
