#!/usr/bin/env python3
"""Benchmark RSS key synthesis: synthesis + Z3 proof time, and RETA spread vs a Maestro-style key.

    .venv/bin/python tools/bench_keys.py [--repeat 3] [--json]

For each case (fields, symmetric, input) x key length (40, 52) x RETA (128, 512):
median synthesis and proof time over --repeat fresh runs, and the fraction of
RETA entries hit by uniform traffic and by traffic clustered in each chosen
field (low 16 bits varying: sources of one /16 for src_ip), for our key and
for a Maestro-style key (all 32 hash bits constrained).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

from flowmagec.solver import keys

CASES = [
    (["src_ip"], False, "ipv4-l4"),
    (["dst_ip"], False, "ipv4-l4"),
    (["dst_ip", "dst_port"], False, "ipv4-l4"),
    (["src_ip", "dst_ip"], True, "ipv4-l4"),
    (["src_ip", "dst_ip", "src_port", "dst_port"], True, "ipv4-l4"),
    (["src_ip"], False, "ipv6-l4"),
    (["src_ip", "dst_ip"], True, "ipv6-l4"),
    (["src_ip"], False, "ipv4-l4,ipv6-l4"),                  # one key for dual-stack traffic
    (["src_ip", "dst_ip"], True, "ipv4-l4,ipv6-l4"),
]


def measure(fields, symmetric, input, key_bytes, reta, repeat) -> dict:
    synth, proof = [], []
    for _ in range(repeat):
        keys._synthesize_cached.cache_clear()          # time a fresh synthesis each run
        result = keys.synthesize(fields, key_bytes, reta, symmetric, input)
        synth.append(result.seconds)
        proof.append(result.proof.seconds)
    spec = keys.key_specs(fields, key_bytes, reta, symmetric, input)
    maestro = keys.maestro_style_key(fields, key_bytes, reta, symmetric, input)
    ours_spread = keys.spread_report(result.key, spec)
    maestro_spread = keys.spread_report(maestro, spec)
    return {"fields": fields, "symmetric": symmetric, "input": input, "key_bytes": key_bytes,
            "reta": reta, "synth_ms": 1000 * statistics.median(synth),
            "proof_ms": 1000 * statistics.median(proof), "proven": result.proof.holds,
            "ours": ours_spread, "maestro": maestro_spread}


def worst(spread: dict, kind: str) -> float:
    """Lowest spread among entries of one kind ('uniform' or 'clustered'), over all inputs."""
    return min(v for k, v in spread.items() if kind in k)


def table(rows) -> str:
    head = (f"{'fields':<34}{'sym':<5}{'input':<17}{'key':>4}{'reta':>6}{'synth ms':>10}{'proof ms':>10}"
            f"{'ours uni':>10}{'ours clu':>10}{'maes uni':>10}{'maes clu':>10}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{','.join(r['fields']):<34}{'yes' if r['symmetric'] else 'no':<5}{r['input']:<17}"
            f"{r['key_bytes']:>4}{r['reta']:>6}{r['synth_ms']:>10.1f}{r['proof_ms']:>10.1f}"
            f"{worst(r['ours'], 'uniform'):>10.1%}{worst(r['ours'], 'clustered'):>10.1%}"
            f"{worst(r['maestro'], 'uniform'):>10.1%}{worst(r['maestro'], 'clustered'):>10.1%}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = [measure(f, s, i, kb, reta, args.repeat)
            for f, s, i in CASES for kb in (40, 52) for reta in (128, 512)]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table(rows))
        print("\nuni = RETA entries hit by uniform traffic; clu = worst field when traffic is "
              "clustered in one chosen field (low 16 bits vary); worst input for dual-stack keys")
    return 0 if all(r["proven"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
