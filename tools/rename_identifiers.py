#!/usr/bin/env python3
"""Copy an NF with every identifier it declares renamed (neutral, deterministic names).

    tools/rename_identifiers.py NF_DIR OUT_DIR [--framework FW] [--src TREE]... [--json]

Framework names (anything declared outside the NF's files) stay; so do methods
overriding framework methods and names the framework refers to.  The logic is
``flowmagec.eval.rename``; ``tools/score_audit.py --rename-identifiers`` uses it
to check that features do not depend on names.
"""
from __future__ import annotations

import argparse
import json
import sys

from flowmagec.errors import InputError
from flowmagec.eval.rename import rename_nf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nf_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--framework", choices=["fastclick", "vpp", "dpdk", "plain"])
    ap.add_argument("--src", action="append", default=[], help="framework tree(s) for includes")
    ap.add_argument("--json", action="store_true", help="print the mapping as JSON")
    args = ap.parse_args(argv)
    try:
        res = rename_nf(args.nf_dir, args.out_dir, framework=args.framework, src=args.src)
    except InputError as err:
        print(err, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"mapping": res.mapping, "kept": res.kept, "ambiguous": res.ambiguous,
                          "files": res.files, "errors": res.errors}, indent=2))
    else:
        for old, new in sorted(res.mapping.items()):
            print(f"{old} -> {new}")
        for name, why in sorted(res.kept.items()):
            print(f"kept {name}: {why}")
        for a in res.ambiguous:
            print(f"ambiguous (left as is): {a}", file=sys.stderr)
        for e in res.errors:
            print(f"error in the copy: {e}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
