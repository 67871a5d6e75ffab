"""Per-core / shared variants of FastClick element classes, discovered from the source tree.

Two idioms exist in FastClick: naming (``X`` shared-unsafe or generic, ``XMP``
thread-safe, ``XIMP`` per-thread) and one template base instantiated with
``per_thread<...>`` vs ``not_per_thread<...>`` (e.g. ``class XIMP : public XBase<per_thread>``).
We trust the template argument over the name when both are present.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

_CLASS_DECL = re.compile(
    r"class\s+(\w+)\s*(?:final\s*)?:\s*public\s+(\w+)\s*<([^;{]*?)>\s*[,{]", re.S)
_CLASS_NAME = re.compile(r'class_name\(\)\s*const\s*(?:override\s*)?\{\s*return\s*"([^"]+)"')
_READ_KW = re.compile(r'\.read(?:_or_set|_mp|_p|_m)?(?:_[a-z]+)?\s*\(\s*"([A-Z_][A-Z0-9_]*)"')


def _sources(src_dirs) -> list[str]:
    out = []
    for root in src_dirs:
        for d, _, files in os.walk(root):
            if any(part.startswith(".") for part in d.split(os.sep)):
                continue
            out.extend(os.path.join(d, f) for f in files if f.endswith((".hh", ".cc", ".h")))
    return out


@lru_cache(maxsize=16)
def _scan(src_dirs: tuple[str, ...]):
    classes: dict[str, str] = {}          # class name -> file
    templated: dict[str, tuple[str, str]] = {}   # class -> (base, 'per-core'|'thread-safe')
    keywords: dict[str, set[str]] = {}    # class -> keywords read in configure()
    for path in _sources(src_dirs):
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for m in _CLASS_NAME.finditer(text):
            classes.setdefault(m.group(1), path)
        for m in _CLASS_DECL.finditer(text):
            cls, base, targs = m.groups()
            if re.search(r"\bnot_per_thread\b", targs):
                templated[cls] = (base, "thread-safe")
            elif re.search(r"\bper_thread\w*\b", targs):
                templated[cls] = (base, "per-core")
        if path.endswith(".cc"):
            cfg = re.search(r"::configure\s*\([^)]*\)\s*\{", text)
            owner = re.search(r"(\w+)::configure", text)
            if cfg and owner:
                body = text[cfg.end(): cfg.end() + 6000]
                keywords.setdefault(owner.group(1), set()).update(_READ_KW.findall(body))
    return classes, templated, keywords


class ClassVariants:
    def __init__(self, src_dirs=()):
        self.classes, self.templated, self.keywords = _scan(tuple(src_dirs))

    def family(self, cls: str) -> dict[str, str]:
        """mode -> class, for the family ``cls`` belongs to."""
        fam: dict[str, str] = {}
        if cls in self.templated:
            base = self.templated[cls][0]
            for other, (b, mode) in self.templated.items():
                if b == base and other in self.classes:
                    fam.setdefault(mode, other)
        if not fam:
            stem = re.sub(r"(IMP|MP)$", "", cls)
            for name, mode in ((stem + "IMP", "per-core"), (stem + "MP", "thread-safe")):
                if name in self.classes:
                    fam.setdefault(mode, name)
        return fam

    def variant(self, cls: str, mode: str) -> str | None:
        return self.family(cls).get(mode)

    def sharing_keyword(self, cls: str) -> str | None:
        kws = sorted(k for k in self.keywords.get(cls, ()) if "SHARED" in k)
        return kws[0] if kws else None
