"""``--graph FILE.dot``: the chain as Graphviz, NFs coloured by placement.

Green: private per core; orange: shared, safely; red: a race; grey: features
unknown; white: stateless.  Ingress devices carry the fields they dispatch on,
edges the ports they connect, and a second dispatch stage is a cluster.  With
Graphviz's ``dot`` on PATH, ``FILE.svg`` is written too.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..artifacts import Chain, Plan
from ..chain_knowledge import is_source
from ..solver.directions import device_id

COLOURS = {"private": "#b7e4c7", "shared": "#ffd8a8", "race": "#ff8787",
           "unknown": "#ced4da", "stateless": "#ffffff"}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _colour(p) -> str:
    if p is None or p.mode == "stateless":
        return COLOURS["stateless"]
    if p.verdict == "unknown-features":
        return COLOURS["unknown"]
    if p.verdict != "safe":
        return COLOURS["race"]
    return COLOURS["private"] if p.mode == "shared-nothing" else COLOURS["shared"]


def render_dot(chain: Chain, plan: Plan) -> str:
    placements = {p.element: p for p in plan.placements}
    per_device = {p.device: p.fields for p in plan.ports}
    lines = [f"digraph {_q(Path(chain.path).stem)} {{", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];',
             f"  label={_q(f'flowmagec plan: {plan.cores} cores, NIC {plan.nic}')}; labelloc=t;"]
    later = {st.index: st for st in plan.stages[1:]}

    def node(e) -> str:
        p = placements.get(e.name)
        anonymous = e.name == e.cls or e.name.split("/")[-1].startswith(e.cls + "@")
        label = e.cls if anonymous else f"{e.name}\n{e.cls}"
        if is_source(chain.framework, e.cls):
            fields = per_device.get(device_id(e), plan.fields)
            label += f"\nRSS {{{', '.join(fields)}}}" + (" symmetric" if plan.symmetric else "")
            return f"  {_q(e.name)} [label={_q(label)}, shape=cds, fillcolor=\"#dbe4ff\"];"
        if p is not None and p.mode != "stateless":
            label += f"\n{p.mode} ({p.realisation})" + (f"\n{p.verdict}" if p.verdict != "safe"
                                                        else "")
        return f"  {_q(e.name)} [label={_q(label)}, fillcolor={_q(_colour(p))}];"

    staged = {name: idx for idx, st in later.items() for name in st.elements}
    for e in chain.elements:
        if e.name not in staged:
            lines.append(node(e))
    for idx, st in later.items():
        lines.append(f"  subgraph cluster_stage{idx} {{")
        lines.append(f"    label={_q(f'stage {idx}: software re-dispatch on {{' + ', '.join(st.fields) + '}}')};")
        lines += ["  " + node(e) for e in chain.elements if staged.get(e.name) == idx]
        lines.append("  }")
    for c in chain.connections:
        label = f"[{c.src_port}] → [{c.dst_port}]" if (c.src_port or c.dst_port) else ""
        attr = f" [label={_q(label)}]" if label else ""
        lines.append(f"  {_q(c.src)} -> {_q(c.dst)}{attr};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(chain: Chain, plan: Plan, path: str, outs) -> list[str]:
    text = render_dot(chain, plan)
    outs.write(path, text)
    written = [path]
    dot = shutil.which("dot")
    if dot:
        try:
            svg = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True,
                                 timeout=60)
        except (OSError, subprocess.SubprocessError):
            svg = None
        if svg is not None and svg.returncode == 0:
            target = str(Path(path).with_suffix(".svg"))
            outs.write(target, svg.stdout)
            written.append(target)
    return written
