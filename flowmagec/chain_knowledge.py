"""Framework knowledge at the configuration level: which element classes are packet I/O.

Device I/O elements are not network functions: they are where packets enter and
leave the chain, and the place the plan's dispatch is configured.  They keep no
per-flow state, so a chain that names them needs no source for them.  Every
other class without source or analysis is ``unknown`` (see solver/placement.py).
Reviewed rows, one per FastClick class (``elements/userlevel``, ``elements/dpdk``).
"""
from __future__ import annotations

# Packets enter here, dispatched by the NIC's RSS (the plan configures them).
FASTCLICK_DISPATCH_SOURCES = ("FromDPDKDevice",)
# Packets enter here without NIC RSS (software sources, traces, host devices).
FASTCLICK_OTHER_SOURCES = ("FromDevice", "FromDump", "FromPcap", "FromNetmapDevice",
                           "FromIPSummaryDump", "FromDPDKRing", "FromHost", "InfiniteSource",
                           "RatedSource")
# Packets leave here (per-queue TX, no per-flow state).
FASTCLICK_SINKS = ("ToDPDKDevice", "ToDevice", "ToNetmapDevice", "ToDump", "ToDPDKRing",
                   "ToHost", "Discard")

FASTCLICK_SOURCES = FASTCLICK_DISPATCH_SOURCES + FASTCLICK_OTHER_SOURCES
FASTCLICK_IO = FASTCLICK_SOURCES + FASTCLICK_SINKS


def is_io_element(framework: str, cls: str) -> bool:
    """A device/trace I/O element of ``framework`` (not an NF: needs no features)."""
    return framework == "fastclick" and cls in FASTCLICK_IO


def is_source(framework: str, cls: str) -> bool:
    return framework == "fastclick" and cls in FASTCLICK_SOURCES
