#!/usr/bin/env python3
"""Does real FastClick accept what the FastClick emitter writes?

Runs the whole flowmagec pipeline (vanilla dialect) on our demo, tests/data/emit/*.click
and the real FastClick configurations that use FromDPDKDevice, for several NIC
profiles, then checks every emitted configuration two ways:

* FastClick's own ``click-flatten`` parses it (exit 0);
* (when ``dpdk-testpmd`` is installed, Debian package dpdk-dev) every rule of every
  FLOW_RULES_FILE goes through DPDK's own testpmd flow parser, the one FastClick links,
  as ``flow validate 0 RULE`` on a net_null port: net_null has no rte_flow, so a rule the
  grammar accepts reaches the driver and fails with "Function not implemented", while
  a grammar error never gets that far;
* the edit is minimal: every changed byte of the input lies inside an element's
  configuration string or class name, and everything added is either an argument,
  a flowmagec dispatch compound or a trailing StaticThreadSched statement.

    tools/check_fastclick_emit.py [--flatten PATH] [--fastclick /tmp/fc] [--cores 8]

Prints one line per run and a summary; exits 1 if any emitted file is rejected.
"""
from __future__ import annotations

import argparse
import difflib
import glob
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from flowmagec.driver import Options, Pipeline          # noqa: E402
from flowmagec.errors import FlowmageError             # noqa: E402
from flowmagec.frontends import load                   # noqa: E402

OUR_NICS = ("mlx5", "i40e", "ice", "ixgbe", "generic", "net_null")
REAL_NICS = ("mlx5", "ixgbe", "net_null")


def find_flatten() -> str | None:
    hits = glob.glob("/tmp/fcflat/**/click-flatten", recursive=True)
    hits = [h for h in hits if os.path.isfile(h) and os.access(h, os.X_OK)]
    return hits[0] if hits else shutil.which("click-flatten")


def configs(fastclick: str) -> list[tuple[str, list[str], tuple[str, ...]]]:
    """(config, --src dirs, NICs) for every run."""
    runs = [(os.path.join(ROOT, "examples/demo/chain.click"), [os.path.join(ROOT, "corpus/fastclick")],
             OUR_NICS)]
    emit_src = [os.path.join(ROOT, "tests/data/emit/src")]
    runs += [(p, emit_src, OUR_NICS) for p in sorted(glob.glob(os.path.join(ROOT, "tests/data/emit/*.click")))]
    if os.path.isdir(os.path.join(fastclick, "conf")):
        for p in sorted(glob.glob(os.path.join(fastclick, "conf/**/*.click"), recursive=True)):
            if "FromDPDKDevice" in open(p, errors="replace").read():
                runs.append((p, [], REAL_NICS))
    return runs


def edit_is_minimal(src_path: str, before: str, after: str) -> str:
    """'' if every change is argument-level, else a description of the first stray change."""
    chain = load(src_path)
    allowed = []
    for e in chain.elements:
        for span in (e.config_span, e.class_span):
            if span is not None and os.path.realpath(span.file) == os.path.realpath(src_path):
                allowed.append((span.start, span.end))
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        new = after[j1:j2]
        inside = any(a <= i1 and i2 <= b for a, b in allowed)
        compound = "fm_dispatch" in new or "fm_redispatch" in new or "StaticThreadSched" in new
        if i1 == i2 and (inside or compound or any(i1 == b for _, b in allowed)):
            continue                 # an insertion in (or right after) an element's text
        if inside or compound:
            continue
        line = before.count("\n", 0, i1) + 1
        return f"line {line}: {before[i1:i2]!r} -> {new!r}"
    return ""


def copy_configs(config: str, tmp: str) -> str:
    """Copy the .click files of the config's directory into ``tmp`` (libraries required by
    relative path must sit next to the output); the copied config's path."""
    root = os.path.dirname(config)
    for p in glob.glob(os.path.join(root, "**", "*.click"), recursive=True):
        dst = os.path.join(tmp, "in", os.path.relpath(p, root))
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(p, dst)
    return os.path.join(tmp, "in", os.path.basename(config))


def testpmd_parses(rules: list[str], testpmd: str) -> list[str]:
    """The rules DPDK's testpmd flow parser rejects (see the module docstring)."""
    if not rules:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        cmds = os.path.join(tmp, "cmds")
        with open(cmds, "w") as fh:
            fh.writelines(f"flow validate 0 {r}\n" for r in rules)
        r = subprocess.run([testpmd, "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
                            "--vdev=net_null0", f"--file-prefix=fmcheck{os.getpid()}",
                            "--log-level=lib.eal:error", "--", "-i", "--rxq=2", "--txq=2",
                            "--nb-cores=1", "--total-num-mbufs=2048", f"--cmdline-file={cmds}"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    reached = (r.stdout + r.stderr).count("Function not implemented: Function not implemented")
    if reached == len(rules):
        return []
    if len(rules) == 1:
        return rules
    half = len(rules) // 2
    return testpmd_parses(rules[:half], testpmd) + testpmd_parses(rules[half:], testpmd)


def run_one(config: str, src: list[str], nic: str, cores: int, out_dir: str, stages: int = 1):
    out = os.path.join(os.path.dirname(config), "out.click")
    opts = Options(config=config, output=out, src=src, cores=cores, nic=nic, force=True,
                   stages=stages)
    buf = io.StringIO()
    try:
        with redirect_stdout(buf), redirect_stderr(buf):
            Pipeline(opts).run()
    except FlowmageError as e:
        return None, f"flowmagec: {e.message}"
    return out, ""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flatten", default=None)
    ap.add_argument("--fastclick", default="/tmp/fc")
    ap.add_argument("--cores", type=int, default=8)
    ap.add_argument("--testpmd", default=None, help="dpdk-testpmd binary (default: from PATH)")
    args = ap.parse_args(argv)
    flatten = args.flatten or find_flatten()
    if not flatten:
        print("click-flatten not found (build FastClick's tools/click-flatten)", file=sys.stderr)
        return 2
    totals = {"runs": 0, "accepted": 0, "rejected": 0, "not-minimal": 0, "tool-error": 0}
    all_rules: dict[str, str] = {}          # rule -> first run that emitted it
    t0 = time.time()
    for config, src, nics in configs(args.fastclick):
        before = open(config, errors="replace").read()
        for nic in nics:
            for stages in ((1, 2) if "demo" in config else (1,)):
                totals["runs"] += 1
                label = f"{os.path.relpath(config, ROOT) if config.startswith(ROOT) else config} {nic}" \
                        + (" --stages 2" if stages == 2 else "")
                with tempfile.TemporaryDirectory() as tmp:
                    copy = copy_configs(config, tmp)
                    out, err = run_one(copy, src, nic, args.cores, tmp, stages)
                    if out is None:
                        totals["tool-error"] += 1
                        print(f"TOOL   {label}: {err}")
                        continue
                    after = open(out).read()
                    rules_file = os.path.splitext(out)[0] + ".rules"
                    if os.path.exists(rules_file):
                        for rule in open(rules_file).read().splitlines():
                            all_rules.setdefault(rule, label)
                    r = subprocess.run([flatten, out], capture_output=True, text=True)
                    if r.returncode != 0:
                        totals["rejected"] += 1
                        print(f"REJECT {label}: {r.stderr.strip().splitlines()[-1:]}")
                        continue
                    totals["accepted"] += 1
                    stray = edit_is_minimal(copy, before, after)
                    if stray:
                        totals["not-minimal"] += 1
                        print(f"DIFF   {label}: {stray}")
                    else:
                        changed = sum(1 for l in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                                      n=0, lineterm="")
                                      if l[:1] == "+" and not l.startswith("+++"))
                        print(f"ok     {label}: {changed} line(s) changed")
    testpmd = args.testpmd or shutil.which("dpdk-testpmd")
    bad_rules: list[str] = []
    if testpmd:
        bad_rules = testpmd_parses(sorted(all_rules), testpmd)
        for rule in bad_rules:
            print(f"RULE   {all_rules[rule]}: testpmd cannot parse: {rule}")
        print(f"testpmd flow parser: {len(all_rules) - len(bad_rules)}/{len(all_rules)} distinct "
              f"rules parsed")
    else:
        print("dpdk-testpmd not found: flow rules not checked against DPDK's parser")
    print(f"\n{totals['runs']} runs in {time.time() - t0:.1f}s: {totals['accepted']} accepted by "
          f"click-flatten, {totals['rejected']} rejected, {totals['not-minimal']} with edits outside "
          f"arguments, {totals['tool-error']} flowmagec errors")
    return 1 if totals["rejected"] or totals["not-minimal"] or bad_rules else 0


if __name__ == "__main__":
    sys.exit(main())
