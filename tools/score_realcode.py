#!/usr/bin/env python3
"""Score `flowmagec audit` against the real-code labels (eval/realcode/*.json).

    tools/score_realcode.py --src fastclick=TREE [--src vpp=TREE] [--src dpdk=TREE]
                            [--labels DIR_OR_FILE]... [--json] [--jobs N] [--cache-dir DIR]

Each label file (schema ``flowmage.labels/1``, the shape of ../shared/eval/paper18.json
plus files, evidence and split) names NFs of a stock framework tree by tree-relative
paths.  For every NF whose tree was given (``--src NAME=DIR``; NAME is the label's
``tree`` field, else its ``framework``) the NF's files are audited with that tree
as include/base-class source, and each feature is compared with the label:

    stateful         every NF
    key              stateful labels (set of 5-tuple fields)
    key_other        stateful labels, only "is there a non-5-tuple key part"
    symmetric        stateful labels
    intensity        stateful labels
    pointer          stateful labels
    rewrites         every NF, the 5-tuple fields it writes (what the solver uses)

Accuracy is printed for the development and the test half separately; the half of
an NF is fixed by a hash of its name (``split_of``) and checked against the label,
so nobody can move an NF between halves.  The test-half misses are listed.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))      # score_audit, a sibling tool
from score_audit import record_for, score_one  # noqa: E402

from flowmagec.artifacts import KEY_FIELDS  # noqa: E402

SCHEMA = "flowmage.labels/1"
FEATURES = ("stateful", "key", "key_other", "symmetric", "intensity", "pointer", "rewrites")
# Features that only mean something for a stateful label (docs/corpus.md).
STATEFUL_ONLY = ("key", "key_other", "symmetric", "intensity", "pointer")
# score_audit.score_one already compares these four; the rest are compared here.
SCORED_BY_SCORE_AUDIT = ("stateful", "key", "intensity", "pointer")
FRAMEWORKS = ("fastclick", "vpp", "dpdk", "plain")
INTENSITIES = ("per-packet", "per-flow")
SHARINGS = ("per-core", "thread-safe", "unsafe")
CONFIDENCES = ("high", "medium", "low")
# "path:line: reason" with a tree-relative path (no leading '/', no '..').
EVIDENCE = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|:))([\w.+-]+(?:/[\w.+-]+)*):(\d+): \S")


def split_of(name: str) -> str:
    """The fixed half of an NF: first byte of sha256(name) below 128 -> 'dev'."""
    return "dev" if hashlib.sha256(name.encode()).digest()[0] < 128 else "test"


def evidence_required(label: dict) -> list[str]:
    """Features whose label must carry evidence."""
    need = ["stateful", "rewrites"]
    if label.get("stateful"):
        need += ["key", "symmetric", "intensity", "pointer"]
        if label.get("key_other"):
            need.append("key_other")
    if label.get("sharing") is not None:
        need.append("sharing")
    return need


def validate(doc: dict) -> list[str]:
    """Problems of one label document (empty when it is well formed)."""
    if doc.get("schema") != SCHEMA:
        return [f"schema is {doc.get('schema')!r}, expected {SCHEMA!r}"]
    if not isinstance(doc.get("nfs"), dict) or not doc["nfs"]:
        return ["'nfs' must be a non-empty object"]
    problems = []
    for name, lab in doc["nfs"].items():
        problems += [f"{name}: {p}" for p in _validate_nf(name, lab)]
    return problems


def _validate_nf(name: str, lab: dict) -> list[str]:
    out = []
    if lab.get("framework") not in FRAMEWORKS:
        out.append(f"framework {lab.get('framework')!r} not one of {FRAMEWORKS}")
    files = lab.get("files")
    if not files or not all(isinstance(f, str) and not f.startswith("/") and ".." not in f
                            for f in files):
        out.append("files must be a non-empty list of tree-relative paths")
    if not isinstance(lab.get("stateful"), bool):
        out.append("stateful must be true or false")
    key = lab.get("key")
    if not isinstance(key, list) or key != [k for k in KEY_FIELDS if k in key] or len(set(key)) != len(key):
        out.append(f"key {key!r} must be a subset of {list(KEY_FIELDS)} in that order")
    if lab.get("stateful") is False and key:
        out.append("a stateless NF has key []")
    for f in ("key_other", "rewrites"):
        if not isinstance(lab.get(f), list) or not all(isinstance(x, str) and x for x in lab[f]):
            out.append(f"{f} must be a list of names")
    if "rewrites_other" in lab and not isinstance(lab["rewrites_other"], list):
        out.append("rewrites_other must be a list")
    if not isinstance(lab.get("symmetric"), bool):
        out.append("symmetric must be true or false")
    if not isinstance(lab.get("pointer"), bool):
        out.append("pointer must be true or false")
    if lab.get("stateful") and lab.get("intensity") not in INTENSITIES:
        out.append(f"a stateful NF has intensity in {INTENSITIES}")
    if not lab.get("stateful") and lab.get("intensity") is not None:
        out.append("a stateless NF has intensity null")
    if lab.get("sharing") not in SHARINGS + (None,):
        out.append(f"sharing {lab.get('sharing')!r} not one of {SHARINGS} or null")
    if lab.get("confidence") not in CONFIDENCES:
        out.append(f"confidence must be one of {CONFIDENCES}")
    if lab.get("split") != split_of(name):
        out.append(f"split is {lab.get('split')!r}, the hash says {split_of(name)!r}")
    ev = lab.get("evidence")
    if not isinstance(ev, dict):
        return out + ["evidence must be an object"]
    for feat in evidence_required(lab):
        # the evidence for the key may cover its non-5-tuple parts too
        if not ev.get(feat) and not (feat == "key_other" and ev.get("key")):
            out.append(f"no evidence for {feat}")
    for feat, items in ev.items():
        for item in (items if isinstance(items, list) else [items]):
            if not isinstance(item, str) or not EVIDENCE.match(item):
                out.append(f"evidence for {feat} is not 'tree/relative/path:line: reason': {item!r}")
    return out


def load_labels(paths: list[str]) -> list[tuple[Path, dict]]:
    """(file, document) for every label file under ``paths``; raises ValueError on a bad one."""
    files = []
    for p in map(Path, paths):
        files += sorted(p.glob("*.json")) if p.is_dir() else [p]
    docs = []
    for f in files:
        try:
            doc = json.loads(f.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{f}: error: {e}") from None
        problems = validate(doc)
        if problems:
            raise ValueError(f"{f}: error: " + f"\n{f}: error: ".join(problems))
        docs.append((f, doc))
    return docs


def parse_trees(specs: list[str]) -> dict[str, Path]:
    trees = {}
    for s in specs:
        name, sep, path = s.partition("=")
        if not sep or not name or not Path(path).is_dir():
            raise ValueError(f"--src {s}: error: expected NAME=DIR with an existing DIR")
        trees[name] = Path(path).resolve()
    return trees


def got_features(nf) -> dict:
    return {"stateful": nf.stateful, "key": [k for k in KEY_FIELDS if k in nf.key],
            "key_other": sorted(nf.key_other),
            "symmetric": nf.symmetric, "intensity": nf.intensity, "pointer": nf.pointer,
            "rewrites": sorted(nf.rewrites)}


def score_nf(label: dict, nf) -> dict[str, bool]:
    """Per scored feature, whether the audit agrees with the label."""
    res = dict(score_one(label, nf))              # stateful, and key/intensity/pointer if stateful
    if label["stateful"]:
        res["key_other"] = bool(nf.key_other) == bool(label["key_other"])
        res["symmetric"] = nf.symmetric == label["symmetric"]
    scored = set(KEY_FIELDS)
    res["rewrites"] = (set(nf.rewrites) & scored) == (set(label["rewrites"]) & scored)
    return res


def wanted(label: dict, feature: str):
    if feature == "key_other":
        return bool(label["key_other"])
    if feature == "rewrites":
        return [k for k in KEY_FIELDS if k in label["rewrites"]]
    return label[feature]


def shown(got: dict, feature: str):
    if feature == "key_other":
        return got["key_other"] or False
    if feature == "rewrites":
        return [k for k in KEY_FIELDS if k in got["rewrites"]]
    return got[feature]


def run(docs, trees: dict[str, Path], jobs: int = 0, cache_dir=None, log=lambda s: None,
        only=None, half=None) -> dict:
    """Audit every labelled NF with a tree and score it; the result is JSON-ready.
    ``only`` (a compiled regex on the NF's name) and ``half`` narrow the run."""
    from flowmagec.commands.audit import audit
    rows, skipped = [], []
    audited: dict[tuple, tuple] = {}                # NFs sharing their files share one audit
    for path, doc in docs:
        for name, label in doc["nfs"].items():
            if (only is not None and not only.search(name)) or (half and label["split"] != half):
                continue
            tree_name = label.get("tree", label["framework"])
            tree = trees.get(tree_name)
            if tree is None:
                skipped.append(name)
                continue
            files = tuple(str(tree / f) for f in label["files"])
            missing = [f for f in files if not Path(f).is_file()]
            row = {"nf": name, "file": str(path), "split": label["split"]}
            if missing:
                rows.append({**row, "error": f"missing in tree: {', '.join(missing)}"})
                continue
            key = (label["framework"], str(tree), files, label.get("entry"))
            if key not in audited:
                log(f"audit {name}: {len(files)} file(s)")
                # a plain/DPDK NF's per-packet function is part of its label
                audited[key] = audit(list(files), framework=label["framework"], src=[str(tree)],
                                     entry=label.get("entry"), jobs=jobs, cache_dir=cache_dir)
            hit = record_for(name, *audited[key])
            if hit is None:
                rows.append({**row, "error": "no record"})
                continue
            unit, _facts, nf = hit
            rows.append({**row, "result": score_nf(label, nf), "got": got_features(nf),
                         "want": {f: wanted(label, f) for f in FEATURES},
                         "ir": unit.ir_status[:90]})
    return {"rows": rows, "skipped": skipped, "totals": totals(rows)}


def totals(rows) -> dict:
    """{half: {feature: [right, scored]}}; an NF without a record is wrong on 'stateful'."""
    out = {h: {f: [0, 0] for f in FEATURES} for h in ("dev", "test")}
    for r in rows:
        t = out[r["split"]]
        if "error" in r:
            t["stateful"][1] += 1
            continue
        for f, ok in r["result"].items():
            t[f][0] += int(ok)
            t[f][1] += 1
    return out


def misses(rows, half: str = "test") -> list[tuple]:
    """(NF, feature, expected, got) for every wrong feature of ``half``."""
    out = []
    for r in rows:
        if r["split"] != half:
            continue
        if "error" in r:
            out.append((r["nf"], "stateful", "an audit record", r["error"]))
            continue
        out += [(r["nf"], f, r["want"][f], shown(r["got"], f))
                for f, ok in r["result"].items() if not ok]
    return out


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"


def print_report(result: dict, stream=None, dev_misses: bool = False) -> None:
    stream = stream or sys.stdout
    t = result["totals"]
    print(f"{'feature':<11} {'dev':>14} {'test':>14}", file=stream)
    for f in FEATURES:
        print(f"{f:<11} {_pct(*t['dev'][f]):>14} {_pct(*t['test'][f]):>14}", file=stream)
    n = {h: sum(1 for r in result["rows"] if r["split"] == h) for h in ("dev", "test")}
    print(f"NFs: dev {n['dev']}, test {n['test']}"
          + (f"; skipped (no --src tree): {len(result['skipped'])}" if result["skipped"] else ""),
          file=stream)
    miss = misses(result["rows"])
    for nf, f, want, got in misses(result["rows"], "dev") if dev_misses else []:
        print(f"  dev miss {nf:<24} {f:<10} expected {json.dumps(want)}  got {json.dumps(got)}",
              file=stream)
    print(f"test-half misses ({len(miss)}):", file=stream)
    for nf, f, want, got in miss:
        print(f"  {nf:<28} {f:<10} expected {json.dumps(want)}  got {json.dumps(got)}", file=stream)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--labels", action="append", default=[],
                    help="label file or directory (default: eval/realcode next to this tool)")
    ap.add_argument("--src", action="append", default=[], metavar="NAME=DIR",
                    help="framework tree for the labels whose tree/framework is NAME")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--cache-dir")
    ap.add_argument("--json", action="store_true", help="print rows and totals as JSON")
    ap.add_argument("--only", metavar="REGEX", help="score only the NFs whose name matches")
    ap.add_argument("--half", choices=("dev", "test"), help="score one half only")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    labels = args.labels or [str(Path(__file__).resolve().parent.parent / "eval" / "realcode")]
    try:
        docs = load_labels(labels)
        trees = parse_trees(args.src)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    log = (lambda s: print(s, file=sys.stderr)) if args.verbose else (lambda s: None)
    try:
        only = re.compile(args.only) if args.only else None
    except re.error as e:
        print(f"--only: {e}", file=sys.stderr)
        return 2
    result = run(docs, trees, jobs=args.jobs, cache_dir=args.cache_dir, log=log,
                 only=only, half=args.half)
    if args.json:
        result["test_misses"] = misses(result["rows"])
        print(json.dumps(result, indent=2))
    else:
        print_report(result, dev_misses=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
