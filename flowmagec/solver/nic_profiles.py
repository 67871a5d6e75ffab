"""NIC profiles (package data flowmagec/data/nics/*.json).

STUB: replaced by the solver work (issue 4).
"""
from __future__ import annotations

from ..artifacts import NICProfile


def load(name: str) -> NICProfile:
    return NICProfile(name=name, driver="generic",
                      hashable_field_sets=[["src_ip", "dst_ip", "src_port", "dst_port"]])
