"""How many RX queues and threads a FromDPDKDevice gets, and the fewest edits that give
the plan what it needs.

Only arguments the plan cannot live with change, and each change says why:

* ``N_QUEUES``: absent or ``-1`` means one queue per thread the element gets
  (fromdpdkdevice.cc), so ``click -j CORES`` already gives the plan's queues;
  an explicit number is kept unless it is below the plan's cores (flows would
  reach fewer cores) or the dispatch needs exactly one queue (software dispatch).
* ``MAXTHREADS``: absent or ``-1`` means every thread; an explicit cap is raised
  only when below the plan's cores, never below ``MINTHREADS``.  When
  ``MINTHREADS`` is a ``$variable`` we cannot resolve, a cap could fall below it:
  then MAXTHREADS is left alone and a warning says what to check.
* software dispatch (one thread hashes for all): ``N_QUEUES 1, MAXTHREADS 1``, and
  ``MINTHREADS 1`` when the user's could exceed that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from ..artifacts import Element
from .fastclick_knowledge import AUTO, KEYWORD_DEFAULTS


@dataclass
class QueueEdits:
    edits: dict[str, str] = field(default_factory=dict)      # keyword -> new value
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    queues: int = 0                                          # RX queues the flows spread over


@dataclass(frozen=True)
class Setting:
    """One keyword as written: absent, a number, or something we cannot resolve."""
    keyword: str
    text: Optional[str]             # None: absent

    @property
    def number(self) -> Optional[int]:
        if self.text is None:
            return KEYWORD_DEFAULTS[self.keyword]
        try:
            return int(self.text.strip())
        except ValueError:
            return None              # '$RCPUNR' (undefined here), an expression...

    @property
    def auto(self) -> bool:
        return self.number == AUTO

    def shown(self) -> str:
        return f"{self.keyword} {self.text}" if self.text is not None else f"no {self.keyword}"


def setting(src: Element, keyword: str) -> Setting:
    a = src.keyword(keyword)
    return Setting(keyword, a.value if a is not None else None)


def queue_edits(src: Element, cores: int, dispatch: str) -> QueueEdits:
    """Edits of ``src`` for a plan on ``cores`` cores; ``dispatch`` is 'nic' (the NIC
    spreads flows over the queues: stock RSS or flow rules) or 'software'."""
    out = QueueEdits()
    nq, maxt, mint = (setting(src, k) for k in ("N_QUEUES", "MAXTHREADS", "MINTHREADS"))
    if dispatch == "software":
        for s in (nq, maxt):
            if s.number != 1:
                out.edits[s.keyword] = "1"
        if mint.text is not None and (mint.number is None or mint.number > 1):
            out.edits["MINTHREADS"] = "1"
            out.notes.append(f"{src.name}: {mint.shown()} -> MINTHREADS 1, to stay at most "
                             f"MAXTHREADS 1 (one thread reads the single RX queue)")
        out.queues = 1
        return out

    # queues
    out.queues = cores
    if nq.number is None:
        out.notes.append(f"{src.name}: {nq.shown()} is not known here; it must give at least "
                         f"{cores} RX queues")
    elif nq.auto:
        if nq.text is not None:
            out.notes.append(f"{src.name}: {nq.shown()} kept: one RX queue per thread, so "
                             f"click -j {cores} gives the plan's {cores} queues")
    elif nq.number < cores:
        out.edits["N_QUEUES"] = str(cores)
        out.notes.append(f"{src.name}: {nq.shown()} -> N_QUEUES {cores}: the plan spreads flows "
                         f"over {cores} cores, {nq.number} queue(s) would feed only {nq.number}")
    else:
        out.queues = nq.number

    # threads
    low = mint.number if mint.text is not None else 0
    if maxt.number is None or maxt.auto or maxt.number >= cores:
        return out
    if low is None:
        out.warnings.append(
            f"{src.name}: {maxt.shown()} caps it below the plan's {cores} cores, but "
            f"{mint.shown()} is not known here, so flowmagec leaves MAXTHREADS alone (a value "
            f"below MINTHREADS would contradict it): set MAXTHREADS to at least {cores} and "
            f"at least MINTHREADS yourself")
        return out
    new = max(cores, low)
    out.edits["MAXTHREADS"] = str(new)
    out.notes.append(f"{src.name}: {maxt.shown()} -> MAXTHREADS {new}: the plan runs on {cores} "
                     f"cores" + (f" (and {mint.shown()})" if low > cores else ""))
    return out
