#!/usr/bin/env python3
"""Parse every Click configuration of a FastClick tree and check byte-exact editing.

    tools/check_fastclick_corpus.py FASTCLICK_DIR [--src DIR] [--verbose] [--flatten BIN]

Configurations: every ``*.click`` file, every ``%file`` section of ``*.clicktest``
/ ``*.testie`` files that a ``click`` command of the ``%script`` section reads,
and ``click -e "..."`` strings of those scripts (skipped when they contain shell
``$variables``, which the shell rewrites before Click sees them).

For each configuration: parse and flatten it (flowmagec.frontends.click), check
that rendering without edits is byte-exact, that every argument span holds the
argument's text, and that adding then removing a keyword on a few elements
gives the original bytes back.  With ``--flatten`` (FastClick's click-flatten
binary) also compare element names, classes and connections.

Prints counts: parsed / total, failures with reasons.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from flowmagec.errors import InputError  # noqa: E402
from flowmagec.frontends.click_config import uncomment  # noqa: E402
from flowmagec.frontends.click_edit import ClickDocument  # noqa: E402

_SECTION = re.compile(r"^%([a-z]+)\b(.*)$")
_CLICK_CMD = re.compile(r"(?:^|[\s;|&(`])(?:\$\w+\s+)*click(?:-[a-z]+)?\b")


def testie_sections(text: str):
    """(kind, args, body) for each %section of a testie file."""
    sections = []
    cur = None
    for line in text.splitlines(keepends=True):
        m = _SECTION.match(line)
        if m and m.group(1) in ("info", "script", "file", "expect", "expectv", "expectx",
                                 "ignore", "ignorex", "ignorev", "stdin", "require", "cut",
                                 "eexpect", "stdout", "stderr", "include"):
            cur = [m.group(1), m.group(2).split(), []]
            sections.append(cur)
        elif cur is not None:
            cur[2].append(line)
    return [(k, a, "".join(b)) for k, a, b in sections]


def _file_names(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith(("-", "+"))]


def shell_word(s: str, i: int) -> tuple[str, bool, int]:
    """Read one shell word at ``s[i:]``: (text, uses_shell_expansion, end index)."""
    out = []
    expands = False
    n = len(s)
    while i < n and not s[i].isspace() and s[i] not in ";|&":
        c = s[i]
        if c == "'":
            j = s.find("'", i + 1)
            j = n if j < 0 else j
            out.append(s[i + 1:j])
            i = j + 1
        elif c == '"':
            i += 1
            while i < n and s[i] != '"':
                if s[i] == "\\" and i + 1 < n and s[i + 1] in '"\\$`':
                    out.append(s[i + 1])
                    i += 2
                    continue
                if s[i] in "$`":
                    expands = True
                out.append(s[i])
                i += 1
            i += 1
        elif c == "\\" and i + 1 < n:
            out.append(s[i + 1])
            i += 2
        else:
            if c in "$`":
                expands = True
            out.append(c)
            i += 1
    return "".join(out), expands, i


def script_commands(script: str) -> list[str]:
    """Shell lines of a %script, comments dropped, backslash continuations joined."""
    lines = []
    for ln in script.replace("\\\n", " ").splitlines():
        if ln.lstrip().startswith("#"):
            continue
        lines.append(ln)
    return lines


def click_e_strings(script: str) -> list[tuple[str, bool]]:
    """Arguments of ``click ... -e ARG`` (shell-unquoted) and whether the shell expands them."""
    out = []
    for m in re.finditer(r"\bclick\b[^\n]*?\s-e\s+", script):
        text, expands, _ = shell_word(script, m.end())
        out.append((text, expands))
    return out


def _strip_quoted(line: str) -> str:
    """A command line without quoted strings and redirections (< DUMP is data, not a config)."""
    line = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'', " ", line, flags=re.S)
    return re.sub(r"\d*[<>]+&?[ \t]*\S+", " ", line)


def testie_configs(path: str):
    """(label, files: {name: text}, main name) for each Click config in a testie."""
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        text = fh.read()
    secs = testie_sections(text)
    script = "".join(b for k, _a, b in secs if k == "script")
    files = {}
    for k, a, b in secs:
        if k == "file":
            for name in _file_names(a):
                files[name] = b
    unquoted = _strip_quoted("\n".join(script_commands(script)))
    click_lines = [ln for ln in unquoted.splitlines() if _CLICK_CMD.search(ln)]
    out = []
    for name in files:
        pat = r"(?<![\w.-])" + re.escape(name) + r"(?![\w.-])"
        if re.search(r"\bcpp\b[^\n|]*" + pat, unquoted):
            out.append((f"{path}%file {name}", None, "skip: C preprocessor input"))
        elif any(re.search(pat, ln) for ln in click_lines):
            out.append((f"{path}%file {name}", files, name))
    for i, (cfg, expands) in enumerate(click_e_strings("\n".join(script_commands(script)))):
        if expands:
            out.append((f"{path}%click-e#{i}", None, "skip: shell variables"))
            continue
        files_e = dict(files)
        files_e["__click_e__.click"] = cfg
        out.append((f"{path}%click-e#{i}", files_e, "__click_e__.click"))
    return out


def expected_flattenings(path: str) -> dict[str, str]:
    """{config name: expected click-flatten output} from ``click-flatten NAME | fix > OUT``
    script lines and the matching ``%expect OUT`` sections."""
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        secs = testie_sections(fh.read())
    script = "".join(b for k, _a, b in secs if k == "script")
    outs = {}
    for ln in script_commands(script):
        m = re.search(r"click-flatten\s+(\S+)\s*\|\s*fix\s*>\s*(\S+)", ln)
        if m:
            outs[m.group(2)] = m.group(1)
    result = {}
    for k, a, b in secs:
        if k == "expect":
            for name in a:
                if name in outs:
                    result[outs[name]] = b
    return result


def expected_rejections(path: str) -> set[str]:
    """Config names whose errors the testie expects on stderr (``NAME:LINE: ...``)."""
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        secs = testie_sections(fh.read())
    names = set()
    for k, a, b in secs:
        if k.startswith("expect") and "stderr" in a:
            names.update(m.group(1) for m in re.finditer(r"(?m)^([\w.-]+\.click):\d+:", b))
    return names


def parse_flat_text(text: str):
    """Elements and connections of click-flatten output (statements separated by ';')."""
    elems, conns = {}, set()
    body = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
    body = body.replace("{{\\d+}}", "N")
    for stmt in body.split(";"):
        stmt = " ".join(stmt.split())
        if not stmt:
            continue
        m = re.match(r"^([\w@/]+)\s*::\s*([\w@/]+)", stmt)
        if m:
            elems[m.group(1)] = m.group(2)
            continue
        parts = re.split(r"\s*->\s*", stmt)
        prev = None
        for part in parts:
            pm = re.match(r"^(?:\[(\d+)\]\s*)?([\w@/]+)(?:\s*\[(\d+)\])?$", part)
            if not pm:
                break
            inp, name, outp = int(pm.group(1) or 0), pm.group(2), int(pm.group(3) or 0)
            if prev is not None:
                conns.add((prev[0], prev[1], name, inp))
            prev = (name, outp)
    return elems, conns


def _wild(name: str) -> str:
    return re.sub(r"@\d+", "@N", name)


def compare_with_expected(doc, expected_text: str) -> bool:
    exp_e, exp_c = parse_flat_text(expected_text)
    wild = any("@N" in n for n in exp_e)
    norm = _wild if wild else (lambda x: x)
    mine_e = {norm(e.name): e.cls for e in doc.chain.elements}
    mine_c = {(norm(c.src), c.src_port, norm(c.dst), c.dst_port) for c in doc.chain.connections}
    exp_e = {norm(k): v for k, v in exp_e.items()}
    exp_c = {(norm(a), b, norm(c), d) for a, b, c, d in exp_c}
    return mine_e == exp_e and mine_c == exp_c


def check_document(path: str, src_dirs, probe: int = 3):
    """Parse ``path`` and run the round-trip checks; returns the ClickDocument."""
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
        original = fh.read()
    doc = ClickDocument.parse_file(path, src_dirs=src_dirs)
    if doc.render() != original:
        raise AssertionError("render() without edits is not byte-exact")
    for e in doc.chain.elements:
        for a in e.args:
            if a.span is None:
                continue
            text = doc.render(a.span.file)[a.span.start:a.span.end]
            if uncomment(text) != a.text and "$" not in text:
                raise AssertionError(f"{e.name}: argument span holds {text!r}, not {a.text!r}")
    probed = 0
    for e in list(doc.chain.elements):
        if probed >= probe or e.decl_span is None or e.decl_span.file != doc.path:
            continue
        if e.keyword("FLOWMAGEC_PROBE") is not None or e.attrs.get("declared_in"):
            continue
        before = {doc.path: doc.render()}
        had_args = any(a.text for a in e.args)
        doc.set_keyword(e.name, "FLOWMAGEC_PROBE", "1")
        old, new = before[doc.path], doc.render()
        if not _pure_insertion(old, new, "FLOWMAGEC_PROBE 1"):
            raise AssertionError(f"{e.name}: set_keyword changed more than one insertion")
        if had_args:
            doc.remove_keyword(e.name, "FLOWMAGEC_PROBE")
            if doc.edited_files():
                raise AssertionError(f"{e.name}: set_keyword + remove_keyword changed other bytes")
        else:
            doc = ClickDocument.parse_file(path, src_dirs=src_dirs)
        probed += 1
    return doc


def _pure_insertion(old: str, new: str, needle: str) -> bool:
    """``new`` is ``old`` with one inserted run of text that contains ``needle``."""
    p = 0
    while p < len(old) and old[p] == new[p]:
        p += 1
    q = 0
    while q < len(old) - p and old[len(old) - 1 - q] == new[len(new) - 1 - q]:
        q += 1
    inserted = new[p:len(new) - q]
    return len(new) - len(inserted) == len(old) and needle in inserted


def flatten_reference(binary: str, path: str):
    """Element names/classes and connections printed by click-flatten (or None)."""
    try:
        r = subprocess.run([binary, "-f", path], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    return parse_flat_text(re.sub(r"(?m)^#.*$", "", r.stdout))


def random_config(rng) -> str:
    """A small random configuration: compounds (overloads, formals, implicit ports), groups,
    port lists, '=>' fan-outs.  Many are invalid on purpose: both parsers must agree on that too."""
    lines, names, classes = [], [], []
    bodies = ["input -> Paint(%d) -> output", "-> Paint(%d) -> ",
              "input -> t :: Tee(2); t[0] -> [0]output; t[1] -> [1]output",
              "$a | input -> Paint($a) -> output", "input -> ( -> Paint(%d) -> ) -> output",
              "input -> Paint(1) -> output || input -> t :: Tee(2); t[0] -> [0]output; "
              "t[1] -> [1]output"]
    for k in range(rng.randrange(3)):
        body = rng.choice(bodies).replace("%d", str(k))
        lines.append(f"elementclass C{k} {{ {body} }}")
        classes.append((f"C{k}", "$a" in body))
    for i in range(rng.randrange(2, 6)):
        cls = rng.choice(["Idle", "Tee(2)", "Paint(3)", "Switch(2)"] +
                         [c + ("(5)" if a else "") for c, a in classes])
        lines.append(f"e{i} :: {cls};")
        names.append(f"e{i}")

    def port():
        r = rng.random()
        return "" if r < 0.6 else f"[{rng.randrange(3)}]" if r < 0.8 else "[0,1]" if r < 0.9 else "[]"

    for _ in range(rng.randrange(1, 6)):
        parts = []
        for k in range(rng.randrange(2, 4)):
            r = rng.random()
            if r < 0.5 or (r >= 0.8 and not classes):
                e = rng.choice(names)
            elif r < 0.7:
                e = rng.choice(["Idle", "Discard", "Paint(7)", "Tee(2)"])
            elif r < 0.8:
                e = "( -> Paint(8) -> )"
            else:
                c, a = rng.choice(classes)
                e = c + ("(6)" if a else "")
            parts.append((port() if k else "") + e + (port() if k < 2 else ""))
        lines.append(f" {rng.choice(['->', '->', '=>'])} ".join(parts) + ";")
    return "\n".join(lines) + "\n"


def fuzz(binary: str, n: int, seed: int, verbose: bool) -> collections.Counter:
    """Differential test against click-flatten on ``n`` random configurations."""
    import random
    rng = random.Random(seed)
    out = collections.Counter()
    tmp = tempfile.mkdtemp(prefix="fmc-fuzz-")
    try:
        path = os.path.join(tmp, "f.click")
        for _ in range(n):
            text = random_config(rng)
            with open(path, "w") as fh:
                fh.write(text)
            ref = flatten_reference(binary, path)
            try:
                doc = ClickDocument.parse_file(path)
            except InputError:
                out["both reject" if ref is None else "only we reject"] += 1
                continue
            if ref is None:
                out["only click-flatten rejects"] += 1
                continue
            mine_e = {e.name: e.cls for e in doc.chain.elements}
            mine_c = {(c.src, c.src_port, c.dst, c.dst_port) for c in doc.chain.connections}
            same = (mine_e, mine_c) == ref
            out["agree" if same else "differ"] += 1
            if not same and verbose:
                print("FUZZ DIFF\n" + text)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tree")
    ap.add_argument("--src", action="append", default=[], help="class knowledge tree(s)")
    ap.add_argument("--flatten", help="click-flatten binary to compare graphs with")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--probe", type=int, default=3, help="keyword set/remove probes per file")
    ap.add_argument("--fuzz", type=int, default=0, metavar="N",
                    help="with --flatten: also compare N random configurations")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    src = args.src or [args.tree]
    if args.flatten and not (os.path.isfile(args.flatten) and os.access(args.flatten, os.X_OK)):
        # a missing binary would otherwise read as "click-flatten rejects every file"
        ap.error(f"--flatten {args.flatten}: no such executable")

    jobs = []   # (label, kind, path or (files, main))
    for dirpath, dirnames, filenames in os.walk(args.tree):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            if fn.endswith(".click"):
                jobs.append((p, "click", p))
            elif fn.endswith((".clicktest", ".testie")):
                expected = expected_flattenings(p)
                rejected = expected_rejections(p)
                for label, files, main in testie_configs(p):
                    kind = "testie-reject" if main in rejected else "testie"
                    jobs.append((label, kind, (files, main, expected.get(main))))

    counts = collections.Counter()
    failures = []
    reasons = collections.Counter()
    agree = collections.Counter()
    t0 = time.perf_counter()
    nbytes = 0
    for label, kind, what in jobs:
        tmp = None
        try:
            if kind.startswith("testie"):
                files, main, expected_flat = what
                if files is None:
                    counts["skipped"] += 1
                    continue
                tmp = tempfile.mkdtemp(prefix="fmc-corpus-")
                for name, body in files.items():
                    fp = os.path.join(tmp, name)
                    os.makedirs(os.path.dirname(fp), exist_ok=True)
                    with open(fp, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
                        fh.write(body)
                path = os.path.join(tmp, main)
            else:
                path = what
            counts[kind + " total"] += 1
            nbytes += os.path.getsize(path)
            doc = check_document(path, src, args.probe)
            counts[kind + " ok"] += 1
            if kind == "testie" and expected_flat is not None:
                same = compare_with_expected(doc, expected_flat)
                agree["testie %expect agree" if same else "testie %expect differ"] += 1
                if not same and args.verbose:
                    print(f"EXPECT-DIFF {label}")
            if args.flatten:
                ref = flatten_reference(args.flatten, path)
                if ref is None:
                    agree["click-flatten rejects it"] += 1
                else:
                    mine_e = {e.name: e.cls for e in doc.chain.elements}
                    mine_c = {(c.src, c.src_port, c.dst, c.dst_port) for c in doc.chain.connections}
                    same = mine_e == ref[0] and mine_c == ref[1]
                    agree["agree" if same else "differ"] += 1
                    if not same and args.verbose:
                        print(f"DIFF {label}: elements only ours {sorted(set(mine_e.items()) - set(ref[0].items()))[:4]}"
                              f" only theirs {sorted(set(ref[0].items()) - set(mine_e.items()))[:4]};"
                              f" conns only ours {sorted(mine_c - ref[1])[:3]} only theirs {sorted(ref[1] - mine_c)[:3]}")
        except InputError as e:
            if kind == "testie-reject":
                counts["testie-reject ok"] += 1
                continue
            reason = e.message.split("'")[0].strip()
            reasons[reason] += 1
            failures.append((label, e.render()))
        except AssertionError as e:
            reasons["round-trip: " + str(e).split(":")[-1].strip()[:40]] += 1
            failures.append((label, f"round-trip: {e}"))
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
    dt = time.perf_counter() - t0

    total = counts["click total"] + counts["testie total"] + counts["testie-reject total"]
    ok = counts["click ok"] + counts["testie ok"] + counts["testie-reject ok"]
    print(f".click files:         {counts['click ok']} / {counts['click total']} parsed and round-tripped")
    print(f"testie/clicktest cfgs: {counts['testie ok']} / {counts['testie total']} parsed and round-tripped"
          f" ({counts['skipped']} skipped: 'click -e' strings with shell variables, cpp input)")
    print(f"configs FastClick rejects (testie expects errors): {counts['testie-reject ok']} / "
          f"{counts['testie-reject total']} rejected by us too")
    print(f"all:                  {ok} / {total}  ({nbytes / 1e6:.2f} MB in {dt:.1f} s)")
    if agree:
        print(f"click-flatten agreement (names, classes, connections): {dict(agree)}")
    if args.fuzz and args.flatten:
        print(f"random configurations vs click-flatten: "
              f"{dict(fuzz(args.flatten, args.fuzz, args.seed, args.verbose))}")
    if reasons:
        print("failure reasons:")
        for r, n in reasons.most_common():
            print(f"  {n:4d}  {r}")
    if failures and args.verbose:
        print()
        for label, msg in failures:
            print(f"--- {label}\n{msg}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
