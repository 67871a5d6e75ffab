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


# --------------------------------------------------------------------------
# What an element's configuration lets it rewrite (narrows the code's `rewrites`)
# --------------------------------------------------------------------------

# FastClick's rewriter input specifications (elements/tcpudp/iprewriterbase.cc,
# IPRewriterInput::parse): ``pattern SADDR SPORT DADDR DPORT FOUT ROUT`` or
# ``pattern NAME FOUT ROUT`` (NAME from an IPRewriterPatterns-style table whose
# arguments are ``NAME SADDR SPORT DADDR DPORT``), ``keep FOUT ROUT``,
# ``pass OUT``, ``drop`` / ``discard``; '-' leaves a field as it is.  Recognised by
# this syntax, not by class name: every argument of the element must be a spec.
REWRITE_SPEC_WORDS = ("pattern", "keep", "pass", "drop", "discard", "nochange")
PATTERN_FIELDS = ("src_ip", "src_port", "dst_ip", "dst_port")


def _pattern_table(chain) -> dict[str, list[str]]:
    """NAME -> the four pattern words, from elements whose every argument is
    ``NAME SADDR SPORT DADDR DPORT`` (a pattern table)."""
    table: dict[str, list[str]] = {}
    for e in chain.elements:
        rows = [a.text.split() for a in e.args]
        if rows and all(len(r) == 5 and r[0].isidentifier() for r in rows):
            for r in rows:
                table.setdefault(r[0], r[1:])
    return table


def configured_rewrites(chain, element) -> "set[str] | None":
    """The 5-tuple fields ``element``'s configuration makes it rewrite in the forward
    direction, or None when its configuration says nothing about it."""
    specs = [a.text.split() for a in element.args]
    if not specs or not all(s and s[0] in REWRITE_SPEC_WORDS for s in specs):
        return None
    table = None
    out: set[str] = set()
    for words in specs:
        if words[0] != "pattern":
            continue
        if len(words) >= 7:
            fields = words[1:5]
        elif len(words) >= 2:
            table = table if table is not None else _pattern_table(chain)
            if words[1] not in table:
                return None              # a pattern we cannot see: keep the code's answer
            fields = table[words[1]]
        else:
            return None
        out |= {f for f, w in zip(PATTERN_FIELDS, fields) if w != "-"}
    return out
