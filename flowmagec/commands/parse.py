"""`flowmagec parse FILE`: the Chain artifact of a FastClick or VPP configuration."""
from __future__ import annotations

import sys

from .. import frontends
from ..artifacts import Chain
from .common_options import add_common_options
from ..errors import printable


def register(subs):
    p = subs.add_parser("parse", help="parse a FastClick (.click) or VPP configuration and print "
                                      "its element graph",
                        description="Parse a deployment file and print the flattened element graph "
                                    "(the Chain artifact, schema flowmage.chain/1).")
    p.add_argument("config", metavar="FILE", help="a .click file, or a VPP startup.conf / CLI script")
    p.add_argument("--json", action="store_true", help="print the Chain as JSON")
    p.add_argument("--framework", choices=("fastclick", "vpp"),
                   help="input language (default: from the file name)")
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework source tree (element class names); repeatable")
    p.add_argument("-D", "--define", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Click 'define' ($NAME), like `click NAME=VALUE`")
    add_common_options(p, build=False)
    return p


def _defines(items: list[str]) -> dict[str, str]:
    from ..errors import InputError
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise InputError(f"bad --define '{item}'", expected="NAME=VALUE")
        out[name.lstrip("$")] = value
    return out


def summary(chain: Chain) -> str:
    """A readable listing: elements with class and configuration, then connections."""
    lines = [f"{chain.path}: {chain.framework}, {len(chain.elements)} elements, "
             f"{len(chain.connections)} connections"]
    if len(chain.files) > 1:
        lines.append("files: " + ", ".join(chain.files))
    if chain.requires:
        lines.append("requires: " + ", ".join(chain.requires))
    width = max((len(e.name) for e in chain.elements), default=0)
    for e in chain.elements:
        cfg = " ".join(e.config.split())
        if len(cfg) > 60:
            cfg = cfg[:57] + "..."
        where = f"  [{e.decl_span}]" if e.decl_span else ""
        lines.append(f"  {e.name:<{width}} :: {e.cls}({cfg}){where}")
    for c in chain.connections:
        lines.append(f"  {c.src} [{c.src_port}] {c.arrow} [{c.dst_port}] {c.dst}")
    if chain.deployment:
        for k, v in chain.deployment.items():
            lines.append(f"  {k}: {v}")
    for d in chain.diagnostics:
        lines.append(str(d))
    return printable("\n".join(lines))      # configs may hold any byte: none reaches the terminal


def json_lines(data: dict) -> str:
    """The Chain as JSON with one list item (element, connection) per line.

    ``json.dumps(indent=...)`` runs Python's pure-Python encoder, which dominates
    the time of a large configuration (80k elements: 15 s); each line here is
    encoded by the C encoder, so the output stays linear and fast, and readable."""
    import json
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(v) for v in value)
            text = "[\n" + items + "\n  ]"
        else:
            text = json.dumps(value, indent=2).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"


def run(args) -> int:
    chain = frontends.load(args.config, framework=args.framework, src_dirs=args.src,
                           defines=_defines(args.define))
    if args.json:
        sys.stdout.write(json_lines(chain.to_dict()) + "\n")
    else:
        print(summary(chain))
    return 0
