"""Check emitted FastClick configurations with FastClick's own parser, when installed.

``click-flatten FILE`` (tools/click-flatten) lexes, elaborates and flattens a
configuration without initialising any element; a non-zero exit status means
FastClick would refuse it.  The emitted files are laid out in a scratch
directory exactly as they will be written (main file, edited and unedited
libraries at their relative places), so ``require(library …)`` resolves the
same way.  Without click-flatten on PATH nothing is checked (the caller notes it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Optional

from ..errors import AnalysisError
from .fastclick_knowledge import VALIDATOR, VALIDATOR_SIBLINGS

TIMEOUT_S = 60


def find_validator() -> Optional[str]:
    """click-flatten on PATH, or installed next to a ``click`` on PATH."""
    found = shutil.which(VALIDATOR)
    if found:
        return found
    for name in VALIDATOR_SIBLINGS:
        other = shutil.which(name)
        if other:
            sibling = os.path.join(os.path.dirname(other), VALIDATOR)
            if os.access(sibling, os.X_OK):
                return sibling
    return None


@dataclass
class Validation:
    tool: Optional[str]          # None: no validator installed
    ok: bool = True
    output: str = ""


def validate(main: str, files: dict[str, str], tool: Optional[str] = None) -> Validation:
    """Run the validator on ``main`` with ``files`` (target path -> text, ``main``
    among them); paths are laid out relative to ``main``'s directory."""
    tool = tool or find_validator()
    if tool is None:
        return Validation(None)
    base = os.path.dirname(os.path.abspath(main))
    with tempfile.TemporaryDirectory(prefix="flowmagec-click-") as tmp:
        for path, text in files.items():
            rel = os.path.relpath(os.path.abspath(path), base)
            # files outside the output's directory keep their place below the scratch root
            target = os.path.join(tmp, "out", rel) if not rel.startswith("..") else \
                os.path.join(tmp, "abs", os.path.abspath(path).lstrip(os.sep))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)
        here = os.path.join(tmp, "out", os.path.basename(main))
        try:
            r = subprocess.run([tool, here], cwd=os.path.dirname(here), capture_output=True,
                               text=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as e:
            return Validation(tool, False, f"{tool} failed to run: {e}")
        out = (r.stderr or "").replace(os.path.join(tmp, "out") + os.sep, "")
        return Validation(tool, r.returncode == 0, out.strip())


def check(main: str, files: dict[str, str]) -> Validation:
    """``validate``, raising AnalysisError (nothing gets written) when FastClick rejects it."""
    v = validate(main, files)
    if not v.ok:
        raise AnalysisError(f"{main}: FastClick's parser ({v.tool}) rejects the emitted "
                            f"configuration; no file written",
                            notes=tuple(l for l in v.output.splitlines()[:20] if l.strip()))
    return v
