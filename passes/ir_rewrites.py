"""RewritePass (IR): which packet header fields the NF writes, from the bitcode.

A ``rewrite`` fact per header field that a ``store`` on the per-packet path
writes through a pointer the IR data flow knows points into a packet header
(``ir_dataflow.Hdr``: accessor results, declared header pointers, offsets
from them), whatever helper or inlined method the store sits in.  The field
comes from the header layout at the store's offset and width
(``HeaderLayouts``), so ``*(u32 *)(ip + 12) = a`` is ``src_ip`` too.
"""
from __future__ import annotations

import re

from .base import Pass
from .ir_dataflow import Hdr, flow_analysis
from .ir_module import own_files

STORE_WIDTH = re.compile(r"store (?:volatile )?i(\d+) ")


def store_size(text: str) -> int:
    m = STORE_WIDTH.search(text)
    return int(m.group(1)) // 8 if m else 0


class IRRewritePass(Pass):
    name = "RewritePass"
    level = "ir"

    def run(self, unit, ctx):
        flow = flow_analysis(unit, ctx)
        files = own_files(unit)
        facts, seen = [], set()
        for fn in flow.pp.functions:
            for ins in fn.ins:
                if ins.opcode != "store":
                    continue
                size = store_size(ins.text)
                target = flow.get(fn, ins.operands[1])
                if not size or not isinstance(target, Hdr):
                    continue
                for f in sorted(flow.layouts.fields_at(target, size)):
                    if f in seen:
                        continue
                    seen.add(f)
                    file, line = fn.location(ins, files)
                    facts.append(self.fact("rewrite", {"field": f}, file, line,
                                           f"{fn.qualname} stores {size} byte(s) into the "
                                           f"packet's {f}", confidence=0.8))
        return facts
