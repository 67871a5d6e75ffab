#!/usr/bin/env python3
"""Fusion benchmark (issue 10): replay model answers, right and wrong, and show that
fused accuracy is never below the static accuracy, with every disagreement listed.

    tools/bench_llm_fusion.py DIR [--labels paper18.json] [--src TREE]... [--wrong 0.3]

For each labelled NF of DIR the static features come from ``audit``; a local
OpenAI-compatible server (``flowmagec.llm.replay``) answers each feature prompt
with the label, except a seeded fraction ``--wrong`` of the features, which it
answers wrongly (other key, flipped booleans, the other intensity) -- a model
that is often wrong.  The real client, votes and fusion run; the table compares
static, fused and LLM-only accuracy per feature.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

from flowmagec.commands.audit import audit
from flowmagec.llm import fuse_with_llm
from flowmagec.llm.client import LLMConfig
from flowmagec.llm.replay import Script, Server

FEATURES = ("stateful", "key", "intensity", "pointer")
KEYS = [["src_ip"], ["dst_ip"], ["src_ip", "dst_ip", "src_port", "dst_port", "protocol"]]


def answer_for(label: dict, rng: random.Random, wrong: float) -> dict:
    a = {"stateful": label["stateful"], "key": label.get("key", []), "key_other": [],
         "symmetric": False, "intensity": label.get("intensity"),
         "pointer": bool(label.get("pointer")), "rewrites": []}
    if rng.random() < wrong:
        a["stateful"] = not a["stateful"]
    if rng.random() < wrong:
        a["key"] = next(k for k in KEYS if k != a["key"])
    if rng.random() < wrong:
        a["intensity"] = "per-flow" if a["intensity"] == "per-packet" else "per-packet"
    if rng.random() < wrong:
        a["pointer"] = not a["pointer"]
    return a


def score(features, labels) -> dict[str, tuple[int, int]]:
    out = {f: [0, 0] for f in FEATURES}
    for nf in features:
        lab = labels.get(nf.name)
        if lab is None:
            continue
        for f in FEATURES:
            if f != "stateful" and not lab["stateful"]:
                continue
            if f == "intensity" and lab.get("intensity") is None:
                continue
            got = getattr(nf, f)
            want = lab.get(f)
            ok = sorted(got or []) == sorted(want or []) if f == "key" else got == want
            out[f][0] += ok
            out[f][1] += 1
    return {f: tuple(v) for f, v in out.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--labels", default=str(Path(__file__).resolve().parents[2] / "shared" /
                                            "eval" / "paper18.json"))
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--wrong", type=float, default=0.3)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    labels = json.loads(Path(args.labels).read_text())["nfs"]
    dirs = [str(Path(args.dir) / n) for n in labels if (Path(args.dir) / n).is_dir()]
    units, facts, static = audit(dirs, src=args.src)
    rng = random.Random(args.seed)
    scripted = {u.name: answer_for(labels[u.name], rng, args.wrong)
                for u in units.units if u.name in labels}

    def reply(request):
        user = request["messages"][-1]["content"]
        m = re.search(r"NF `([^`]+)`", user)
        return {"content": json.dumps(scripted.get(m.group(1) if m else "", {}))}

    with tempfile.TemporaryDirectory() as cache, Server(Script([reply])) as srv:
        cfg = LLMConfig(model="replay", base_url=srv.url, api_key="k", samples=args.samples)
        fused, report = fuse_with_llm(facts, units, cfg, cache)
        only, _ = fuse_with_llm(facts, units, LLMConfig(**{**cfg.__dict__, "only": True}), cache)
    s, f, o = score(static.nfs, labels), score(fused.nfs, labels), score(only.nfs, labels)
    print(f"{'feature':<10} {'static':>8} {'fused':>8} {'llm-only':>9}")
    worse = []
    for feat in FEATURES:
        print(f"{feat:<10} {s[feat][0]:>4}/{s[feat][1]:<3} {f[feat][0]:>4}/{f[feat][1]:<3} "
              f"{o[feat][0]:>5}/{o[feat][1]:<3}")
        if f[feat][0] < s[feat][0]:
            worse.append(feat)
    print("disagreements listed:")
    for nf in fused.nfs:
        for d in nf.disagreements:
            print(f"  {nf.name}: {d}")
    print(f"requests {report.usage.requests}, prompt tokens {report.usage.prompt_tokens}")
    if worse:
        print(f"FUSED BELOW STATIC on: {', '.join(worse)}")
        return 1
    print("fused accuracy >= static accuracy on every feature")
    return 0


if __name__ == "__main__":
    sys.exit(main())
