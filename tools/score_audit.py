#!/usr/bin/env python3
"""Score `flowmagec audit` against a labels file (shape of ../shared/eval/paper18.json).

    tools/score_audit.py DIR LABELS.json [--src TREE]... [--rename] [--rename-identifiers] [--json]

Audits DIR/<name>/ for each NF in the labels and scores statefulness (all
NFs) and key / intensity / pointer (the stateful ones).  The features must
come from the code, so they must not change when names do; two renamings
check that, each on copies in a temporary directory:

``--rename``              class, file and directory names (``IPolicer`` -> ``Nf07``
                          in code and file names, VPP dirs and file stems too);
``--rename-identifiers``  every identifier the NF declares itself (types, members,
                          functions, locals, parameters, enumerators, macros) through
                          libclang (``flowmagec.eval.rename``), framework names kept.

With either, the original is audited too and every feature that changed
after renaming is reported per NF (``changed``); the scores are those of the
renamed copies.  With ``--rename-identifiers`` the original is audited as a
copy with the renamed copy's layout (files a VPP copy takes from the tree sit
next to its own), so only the names differ.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from flowmagec.commands.audit import audit
from flowmagec.eval.rename import rename_nf

SCORED = ("stateful", "key", "intensity", "pointer")
# every feature a renaming must leave as it was
INVARIANT = ("stateful", "key", "key_other", "symmetric", "intensity", "pointer", "sharing",
             "rewrites")


_CLASS_DECL = re.compile(r"\b(?:class|struct)\s+([A-Za-z_]\w*)\s*(?:final\s*)?[:{]")


def renamed_copy(src: Path, dst_root: Path, name: str, new: str) -> Path:
    """Copy NF dir ``src`` as dst_root/<new>, renaming in code and file names.

    Renamed: the NF name (as a prefix, so ``IPolicerState`` follows), every
    other class declared in the NF's own files (``<name lower>.{hh,cc}``:
    ``IPSDState`` -> ``NfCls1``), and the file stem / VPP directory.
    """
    lower, new_lower = name.lower(), new.lower()
    own = [f for f in src.iterdir() if f.stem == lower]
    classes = sorted({c for f in own for c in _CLASS_DECL.findall(f.read_text(errors="replace"))
                      if not c.startswith(name)})
    words = {c: f"{new}Cls{i}" for i, c in enumerate(classes, 1)}
    word_re = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b") if words else None
    class_word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}")
    file_word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(lower)}(?=[./])")
    dst = dst_root / (new if name != lower else new_lower)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.txt"))   # FlowMage's prompt dumps
    for f in sorted(dst.iterdir()):
        text = f.read_text(errors="replace")
        if word_re is not None:
            text = word_re.sub(lambda m: words[m.group(1)], text)
        # include lines keep their tree paths (<lb/lb.h>); only their file names change below
        text = "".join(ln if re.match(r"\s*#\s*include", ln) else class_word.sub(new, ln)
                       for ln in text.splitlines(keepends=True))
        # only the file name part: a directory part (<lb/lb.h>) is a path into the
        # framework tree, which keeps its names
        text = re.sub(r'(#\s*include\s*[<"](?:[^>"]*/)?)([^>"/]*[>"])',
                      lambda m: m.group(1) + file_word.sub(new_lower, m.group(2)), text)
        f.write_text(text)
        if f.stem == lower:
            f.rename(f.with_name(new_lower + f.suffix))
    return dst


def identifiers_copy(src: Path, dst_root: Path, label: dict, args) -> Path:
    """Copy NF dir ``src`` as dst_root/<dir name> with every identifier it declares
    renamed (``flowmagec.eval.rename``); its directory and file names stay."""
    dst = dst_root / src.name
    rename_nf(src, dst, framework=label.get("framework"), src=args.src, cache_dir=args.cache_dir)
    return dst


# one code path for both renamings: (NF dir, tmp dir, NF name, new name, label, args) -> copy
RENAMINGS = {
    "identifiers": lambda src, tmp, name, new, label, args: identifiers_copy(src, tmp, label, args),
    "names": lambda src, tmp, name, new, label, args: renamed_copy(src, tmp, name, new),
}


def renamed_nf(path: Path, tmp: Path, name: str, new: str, label: dict, args,
               kinds: list[str]) -> Path:
    """Apply the requested renamings in turn (identifiers first, then names)."""
    for kind in kinds:
        path = RENAMINGS[kind](path, tmp / f"{kind}-{new}", name, new, label, args)
    return path


def record_for(name: str, units, facts, features):
    for u, fa, nf in zip(units.units, facts, features.nfs):
        if nf.name == name:
            return u, fa, nf
    if len(features.nfs) == 1:          # renamed identifiers: a FastClick class has a new name
        return units.units[0], facts[0], features.nfs[0]
    return None


def invariant_features(nf) -> dict:
    return {k: sorted(getattr(nf, k)) if isinstance(getattr(nf, k), list) else getattr(nf, k)
            for k in INVARIANT}


def changed_features(before, after) -> dict[str, list]:
    """feature -> [original, renamed] for every invariant feature that differs."""
    a, b = invariant_features(before), invariant_features(after)
    return {k: [a[k], b[k]] for k in INVARIANT if a[k] != b[k]}


def score_one(label: dict, nf) -> dict[str, bool | None]:
    got = {"stateful": nf.stateful, "key": sorted(nf.key), "intensity": nf.intensity,
           "pointer": nf.pointer}
    res = {"stateful": got["stateful"] == label["stateful"]}
    for k in ("key", "intensity", "pointer"):
        if label["stateful"] and k in label:
            want = sorted(label[k]) if k == "key" else label[k]
            res[k] = got[k] == want
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("labels")
    ap.add_argument("--src", action="append", default=[], help="framework tree(s) for includes")
    ap.add_argument("--rename", action="store_true",
                    help="audit copies with class, file and directory names replaced")
    ap.add_argument("--rename-identifiers", action="store_true",
                    help="audit copies with every identifier the NF declares replaced")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--cache-dir")
    ap.add_argument("--json", action="store_true", help="print per-NF results as JSON")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)

    labels = json.loads(Path(args.labels).read_text())["nfs"]
    tmp = Path(tempfile.mkdtemp(prefix="flowmagec-score-"))
    totals = {k: [0, 0] for k in SCORED}
    kinds = [k for k, on in (("identifiers", args.rename_identifiers), ("names", args.rename))
             if on]
    rows = []

    def audit_one(path: Path, nf_name: str, label: dict):
        units, facts, features = audit([str(path)], framework=label.get("framework"),
                                       src=args.src, jobs=args.jobs, cache_dir=args.cache_dir)
        return record_for(nf_name, units, facts, features)

    try:
        for i, (name, label) in enumerate(labels.items(), 1):
            path, audited_name = Path(args.dir) / name, name
            original = None
            if kinds:
                baseline = path
                if "identifiers" in kinds:      # same files, same layout, names as they were
                    baseline = tmp / f"baseline-{i:02d}" / path.name
                    rename_nf(path, baseline, framework=label.get("framework"), src=args.src,
                              cache_dir=args.cache_dir, rename=False)
                original = audit_one(baseline, name, label)
                if args.rename:
                    audited_name = f"Nf{i:02d}" if name[0].isupper() else f"nf{i:02d}"
                path = renamed_nf(path, tmp, name, audited_name, label, args, kinds)
            hit = audit_one(path, audited_name, label)
            if hit is None:
                rows.append({"nf": name, "as": audited_name, "error": "no record"})
                totals["stateful"][1] += 1
                continue
            unit, fa, nf = hit
            res = score_one(label, nf)
            for k, ok in res.items():
                totals[k][0] += int(ok)
                totals[k][1] += 1
            rows.append({"nf": name, "as": audited_name, "result": res,
                         "got": {"stateful": nf.stateful, "key": nf.key, "key_other": nf.key_other,
                                 "intensity": nf.intensity, "pointer": nf.pointer},
                         "want": {k: label.get(k) for k in SCORED if k in label},
                         "ir": unit.ir_status[:90], "disagreements": nf.disagreements})
            if original is not None:
                rows[-1]["changed"] = changed_features(original[2], nf)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    summary = ", ".join(f"{'statefulness' if k == 'stateful' else k} {a}/{b}"
                        for k, (a, b) in totals.items())
    if kinds:
        moved = [r["nf"] for r in rows if r.get("changed")]
        summary += (f"; features changed after renaming ({'+'.join(kinds)}): "
                    f"{len(moved)}/{len(rows)}" + (f" ({', '.join(moved)})" if moved else ""))
    if args.json:
        print(json.dumps({"rows": rows, "totals": totals, "summary": summary}, indent=2))
        return 0
    else:
        for r in rows:
            if "error" in r:
                print(f"{r['nf']:<20} ERROR {r['error']}")
                continue
            marks = " ".join(f"{k}={'ok' if v else 'WRONG'}" for k, v in r["result"].items())
            got = r["got"]
            print(f"{r['nf']:<20} {marks:<60} got stateful={got['stateful']} "
                  f"key={','.join(got['key'])} int={got['intensity']} ptr={got['pointer']}"
                  + (f"  [IR {r['ir']}]" if args.verbose else ""))
            for k, (before, after) in r.get("changed", {}).items():
                print(f"{'':<20} CHANGED after renaming: {k} {before} -> {after}")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
