"""Framework knowledge, one reviewed module per framework, merged here.

``fastclick``, ``vpp``, ``dpdk`` and ``libc`` each hold rows (``schema.Decl``)
naming a framework declaration and what it means; ``match`` decides whether
a spelled type / call / expression of an NF denotes one of them.
"""
from __future__ import annotations

from . import dpdk, fastclick, libc, vpp
from .schema import Decl

FRAMEWORKS = (fastclick, vpp, dpdk, libc)
ROWS: tuple[Decl, ...] = tuple(r for fw in FRAMEWORKS for r in fw.ROWS)

_BY_ROLE: dict[str, tuple[Decl, ...]] = {}
for _r in ROWS:
    _BY_ROLE[_r.role] = _BY_ROLE.get(_r.role, ()) + (_r,)


def rows(role: str) -> tuple[Decl, ...]:
    return _BY_ROLE.get(role, ())


def names(role: str, owned: bool | None = None) -> frozenset[str]:
    """Unqualified names of the rows of ``role``; ``owned``: only members (True) or
    only free names (False)."""
    return frozenset(r.simple for r in rows(role)
                     if owned is None or bool(r.owner) == owned)
