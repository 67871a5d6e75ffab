"""Click's port numbering for one arrow between two element lists (pure functions).

``a [0,1] => [1,0] b``, ``t [] => x, y, z``, ``d => [0] a, [0] b``: each side of an
arrow is a list of *ends*, one per element, holding the ports written next to
it (Click's port vector: ``-1`` last means expandable, ``[]`` or ``[n,]``).
``pair_ports`` returns which output port connects to which input port,
following FastClick's ``yconnection_connect_all``.
"""
from __future__ import annotations

from dataclasses import dataclass


class PortError(ValueError):
    """The two sides of an arrow cannot be matched (Click reports a syntax error)."""

    def __init__(self, message: str, expected: str | None = None):
        super().__init__(message)
        self.expected = expected


@dataclass
class End:
    """One element on one side of an arrow, with the ports written for that side."""
    element: int
    ports: list[int]


def _width(ports: list[int]) -> tuple[int, bool]:
    """(ports at least used, expandable?) for one end."""
    n = len(ports)
    if n <= 1:
        return 1, False
    if ports[-1] == -1:
        return n - 1, True
    return n, False


def pair_ports(outputs: list[End], inputs: list[End], double_arrow: bool):
    """Connections ``(out element, out port, in element, in port)`` for ``outputs -> inputs``."""
    sides = (inputs, outputs)            # k = 0: inputs, k = 1: outputs
    minp = [0, 0]
    expandable = [0, 0]
    for k in (0, 1):
        for end in sides[k]:
            width, exp = _width(end.ports)
            minp[k] += width
            expandable[k] += exp
    if expandable[0] + expandable[1] > 1:
        raise PortError("at most one expandable port allowed per connection")
    if double_arrow:                     # '=>' reads a lone port-less end as expandable
        for k in (0, 1):
            if minp[k] == 1 and minp[1 - k] > 1 and not sides[k][0].ports:
                expandable[k] = 1
    step = [minp[k] > 1 or bool(expandable[k]) for k in (0, 1)]
    extra = [minp[1 - k] - minp[k] if expandable[k] else 0 for k in (0, 1)]
    if step[0] and step[1]:
        _check_many_to_many(minp, expandable, double_arrow)
    elif not step[0] and not step[1]:
        step[0] = True
    return list(_walk(sides, minp, step, extra))


def _check_many_to_many(minp, expandable, double_arrow: bool) -> None:
    if not double_arrow:
        raise PortError("many-to-many connections require '=>'", expected="'=>'")
    if not expandable[0] and not expandable[1] and minp[0] != minp[1]:
        raise PortError(f"connection mismatch: {minp[1]} outputs connected to {minp[0]} inputs")
    if not expandable[0] and minp[0] < minp[1]:
        raise PortError(f"connection mismatch: {minp[1]} or more outputs connected to "
                        f"{minp[0]} inputs")
    if not expandable[1] and minp[1] < minp[0]:
        raise PortError(f"connection mismatch: {minp[1]} outputs connected to "
                        f"{minp[0]} or more inputs")


def _walk(sides, minp, step, extra):
    """Advance through both sides together, one port (or end) at a time."""
    it = [0, 0]
    ppos = [0, 0]
    port = [-1, -1]
    while it[0] < len(sides[0]) and it[1] < len(sides[1]):
        for k in (0, 1):
            if port[k] < 0:
                pv = sides[k][it[k]].ports
                port[k] = pv[0] if pv else 0
        yield sides[1][it[1]].element, port[1], sides[0][it[0]].element, port[0]
        for k in (0, 1):
            if not step[k]:
                continue
            pv = sides[k][it[k]].ports
            n = len(pv)
            ppos[k] += 1
            if ppos[k] < n and pv[ppos[k]] >= 0:            # next port of a list
                port[k] = pv[ppos[k]]
            elif n and pv[-1] == -1 and extra[k] > 0:       # expandable port
                port[k] = pv[n - 2] + ppos[k] - (n - 2)
                extra[k] -= 1
            elif n == 0 and minp[k] == 1 and extra[k] > 0:  # port-less end under '=>'
                port[k] = ppos[k]
                extra[k] -= 1
            else:                                           # next end of the list
                port[k] = -1
                ppos[k] = 0
                it[k] += 1
