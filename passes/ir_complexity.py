"""ComplexityPass: instructions executed per packet, estimated on the IR.

Counts the instructions of the per-packet functions (entry points and the
functions they call in the module), leaving out debug/lifetime markers and
blocks that end in ``unreachable`` (assertion failures).  An instruction
inside ``d`` nested loops counts ``LOOP_WEIGHT ** d`` times; in an entry
point the outermost loop is the walk over the batch / frame (one trip per
packet), so it is not weighted there.
"""
from __future__ import annotations

from .base import Pass
from .ir_module import IRFunction, per_packet

LOOP_WEIGHT = 4
SKIP_CALLS = ("llvm.dbg", "llvm.lifetime", "llvm.assume", "llvm.experimental.noalias")


def function_cost(fn: IRFunction, entry: bool) -> int:
    dead = {i.block for i in fn.ins if i.opcode == "unreachable"}
    depth = fn.loop_depth
    total = 0
    for ins in fn.ins:
        if ins.block in dead:
            continue
        if ins.opcode == "call":
            c = fn.callee(ins)
            if isinstance(c, str) and c.startswith(SKIP_CALLS):
                continue
        d = depth.get(ins.block, 0) - (1 if entry else 0)
        total += LOOP_WEIGHT ** max(0, d)
    return total


class ComplexityPass(Pass):
    name = "ComplexityPass"
    level = "ir"

    def run(self, unit, ctx):
        pp = per_packet(unit, ctx)
        if not pp.roots:
            return []
        roots = {f.name for f in pp.roots}
        n = sum(function_cost(f, f.name in roots) for f in pp.functions)
        root = pp.roots[0]
        file, line = root.module.debug.location(None)
        if root.subprogram is not None:
            debug = root.module.debug
            file, line = debug.file_of(root.subprogram), int(debug.get(root.subprogram, "line") or 0)
        return [self.fact("complexity", {"instructions": n, "unit": "ir-instructions"},
                          file, line,
                          f"~{n} IR instructions per packet in {len(pp.functions)} function(s) "
                          f"from {', '.join(f.qualname for f in pp.roots)}", confidence=0.7)]
