"""Frontends: deployment files -> Chain.  Click (.click) and VPP (startup.conf + CLI)."""
from __future__ import annotations

import os
from typing import Optional

from ..artifacts import Chain
from ..errors import InputError


def detect_framework(path: str) -> str:
    name = os.path.basename(path)
    if name.endswith((".click", ".testie", ".clicktest")):
        return "fastclick"
    if name.endswith((".conf", ".cli", ".vpp")) or "startup" in name:
        return "vpp"
    return "fastclick"


def load(path: str, framework: Optional[str] = None, src_dirs=(), defines=None) -> Chain:
    if not os.path.isfile(path):
        raise InputError(f"cannot read '{path}': no such file")
    fw = framework or detect_framework(path)
    if fw == "fastclick":
        from . import click
        return click.load(path, src_dirs=list(src_dirs), defines=defines or {})
    if fw == "vpp":
        from . import vpp
        return vpp.load(path)
    raise InputError(f"unknown framework '{fw}' (expected fastclick or vpp)")
