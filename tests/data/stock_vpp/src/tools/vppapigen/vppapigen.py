#!/usr/bin/env python3
"""A stand-in for VPP's vppapigen, written for flowmagec's tests: the same
command line (--includedir, --input, --outputdir, --output, output module),
a much smaller language (only ``define NAME { type field; ... };``)."""
import argparse
import os
import re
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--includedir", action="append", default=[])
ap.add_argument("--input", required=True)
ap.add_argument("--outputdir", required=True)
ap.add_argument("--output", required=True)
ap.add_argument("output_module", nargs="?", default="C")
args = ap.parse_args()
if os.environ.get("STOCK_APIGEN_LOG"):
    with open(os.environ["STOCK_APIGEN_LOG"], "a") as log:
        log.write(f"{args.output_module} {args.input}\n")
text = open(args.input).read()
defines = re.findall(r"define\s+(\w+)\s*\{([^}]*)\}", text)
base = os.path.basename(args.input)          # counter.api
out = lambda name: open(os.path.join(args.outputdir, name), "w")
if args.output_module == "JSON":
    with out(base + ".json") as f:
        f.write('{"messages": [%s]}\n' % ", ".join('"%s"' % n for n, _ in defines))
    with out(base + "_json.h") as f:
        f.write("static const char *json_%s = \"%s\";\n" % (base.split(".")[0], base))
    sys.exit(0)
types = {"u32": "unsigned int", "bool": "_Bool", "u8": "unsigned char", "u64": "unsigned long"}
with out(base + "_enum.h") as f:
    f.write("enum {\n" + "".join(f"  VL_API_{n.upper()},\n" for n, _ in defines) + "};\n")
with out(base + "_types.h") as f:
    for n, body in defines:
        fields = re.findall(r"(\w+)\s+(\w+)\s*;", body)
        f.write("typedef struct { %s } vl_api_%s_t;\n"
                % (" ".join(f"{types.get(t, t)} {v};" for t, v in fields), n))
with open(args.output, "w") as f:
    f.write(f'#include "{base}_types.h"\n#include "{base}_enum.h"\n')
