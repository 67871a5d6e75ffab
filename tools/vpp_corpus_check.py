#!/usr/bin/env python3
"""Real-corpus check of the VPP frontend on a VPP source tree (e.g. a clone of FDio/vpp).

Every startup.conf-like file (first token is a known section followed by '{')
must parse and round-trip byte for byte; every CLI script (src/scripts/vnet,
*.cli, *.script and the non-startup *.conf files next to them) must parse,
round-trip, and its enabled features are counted.

    .venv/bin/python tools/vpp_corpus_check.py /tmp/vpp
"""
from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from flowmagec.errors import InputError
from flowmagec.frontends.vpp import CliInterpreter, VppDocument, VppScript, looks_like_startup_conf

CLI_DIRS = ("src/scripts/vnet/",)
CLI_SUFFIXES = (".cli", ".script")
CONF_NAMES = ("startup.conf", "vpp.conf", "80-vpp.conf")


def tracked_files(tree: Path) -> list[Path]:
    out = subprocess.run(["git", "-C", str(tree), "ls-files"], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return [tree / p for p in out if p]


def read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data or len(data) > 500_000:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def rst_blocks(text: str) -> list[tuple[int, str]]:
    """(line, dedented text) of every literal block after '::' in a reStructuredText file."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::") or lines[i].lstrip().startswith(".. code-block::"):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            start, block = j, []
            while j < len(lines) and (not lines[j].strip() or lines[j][:1] in " \t"):
                block.append(lines[j])
                j += 1
            if block:
                out.append((start + 1, textwrap.dedent("\n".join(block)).strip() + "\n"))
            i = j
        else:
            i += 1
    return out


def check_docs(files: list[Path], tree: Path, stats, failures) -> None:
    """startup.conf examples in the documentation's literal blocks."""
    for path in files:
        if path.suffix != ".rst":
            continue
        text = read_text(path)
        if text is None:
            continue
        for line, block in rst_blocks(text):
            if not looks_like_startup_conf(block):
                continue
            where = f"{path.relative_to(tree)}:{line}"
            try:
                doc = VppDocument(block, where)
            except InputError as e:
                stats["docs startup block: error"] += 1
                failures.append(e.render(block).split("\n")[0])
                continue
            stats["docs startup block: parsed"] += 1
            stats["docs startup block: round-trip identical"] += doc.render() == block


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    tree = Path(args.tree)
    stats = collections.Counter()
    features = collections.Counter()
    failures = []
    t0 = time.perf_counter()
    nbytes = 0
    for path in tracked_files(tree):
        rel = str(path.relative_to(tree))
        is_cli_candidate = rel.startswith(CLI_DIRS) or path.suffix in CLI_SUFFIXES
        is_conf_candidate = path.name in CONF_NAMES or path.suffix == ".conf"
        if not (is_cli_candidate or is_conf_candidate):
            continue
        text = read_text(path)
        if text is None:
            continue
        kind = "startup" if looks_like_startup_conf(text) else "cli" if is_cli_candidate or \
            path.name in CONF_NAMES else None
        if kind is None:
            continue
        nbytes += len(text)
        try:
            doc = VppDocument(text, rel) if kind == "startup" else VppScript(text, rel)
        except InputError as e:
            stats[f"{kind}: error"] += 1
            failures.append(e.render(text).split("\n")[0])
            continue
        stats[f"{kind}: parsed"] += 1
        if doc.render() == text:
            stats[f"{kind}: round-trip identical"] += 1
        else:
            failures.append(f"{rel}: round trip differs")
        if kind == "cli":
            interp = CliInterpreter(doc).run()
            for el in interp.features.values():
                features[el.cls] += 1
        elif args.verbose:
            print(f"{rel}: sections {[s.name.value for s in doc.sections]}")
    check_docs(tracked_files(tree), tree, stats, doc_failures := [])
    dt = time.perf_counter() - t0
    for k in sorted(stats):
        print(f"{k:32s} {stats[k]}")
    print(f"features enabled in scripts: {dict(sorted(features.items()))}")
    print(f"{nbytes / 1e3:.1f} kB in {dt:.2f} s")
    for f in failures:
        print("FAIL", f)
    for f in doc_failures:
        print("DOCS", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
