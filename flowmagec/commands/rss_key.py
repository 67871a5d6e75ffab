"""`flowmagec rss-key`: a proven Toeplitz key whose RETA index depends only on chosen fields."""
from __future__ import annotations

import json

from .common_options import add_common_options
from ..errors import InputError
from ..solver import nic_profiles
from ..solver.keys import (KEY_SIZES, KeyRequestError, input_names, key_specs, maestro_style_key,
                           spread_report, synthesize)
from ..solver.toeplitz import INPUT_ORDER, LAYOUTS


def register(subs):
    p = subs.add_parser("rss-key", help="synthesise a Z3-proven RSS key whose RETA index "
                                        "depends only on the chosen fields",
                        description="Print (hex) a Toeplitz key whose RETA index depends only on "
                                    "--fields, proven with Z3 over all inputs.")
    p.add_argument("--fields", required=True,
                   help=f"comma-separated dispatch fields: {', '.join(INPUT_ORDER)}")
    p.add_argument("--symmetric", action="store_true",
                   help="both directions of a flow reach the same queue")
    p.add_argument("--key-bytes", metavar="40|52",
                   help="key length (40: ixgbe, mlx5; 52: i40e, ice; default 40 or the --nic's)")
    p.add_argument("--reta", metavar="N",
                   help="RETA size, a power of two (default 128 or the --nic's)")
    p.add_argument("--nic", metavar="PROFILE",
                   help="take key length and RETA size from a NIC profile (name or JSON path)")
    p.add_argument("--input", default="ipv4-l4", metavar="|".join(LAYOUTS),
                   help="hash input layout the NIC uses (default ipv4-l4: src, dst, sport, dport); "
                        "a comma-separated list asks for one key serving all of them "
                        "(e.g. ipv4-l4,ipv6-l4 for dual-stack traffic)")
    p.add_argument("--seed", default="0", metavar="N", help="picks another key among the valid ones")
    p.add_argument("--json", action="store_true",
                   help="print the key with its proof and measured RETA spread as JSON")
    p.add_argument("--baseline", action="store_true",
                   help="with --json, also report a Maestro-style key (all 32 bits constrained)")
    add_common_options(p, build=False)
    return p


def _int_option(name: str, text: str, allowed=None) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise InputError(f"{name} expects an integer, got '{text}'") from None
    if allowed and value not in allowed:
        raise InputError(f"{name} {value} is not supported", expected=" or ".join(map(str, allowed)))
    return value


def _fields(text: str) -> list[str]:
    fields = [f.strip() for f in text.split(",") if f.strip()]
    if not fields:
        raise InputError("--fields is empty", expected=", ".join(INPUT_ORDER))
    unknown = [f for f in fields if f not in INPUT_ORDER]
    if unknown:
        hint = " ('protocol' is not part of the Toeplitz input)" if "protocol" in unknown else ""
        raise InputError(f"unknown field(s) in --fields: {', '.join(unknown)}{hint}",
                         expected=", ".join(INPUT_ORDER))
    return fields


def run(args) -> int:
    fields = _fields(args.fields)
    nic = nic_profiles.load(args.nic) if args.nic else None
    key_bytes = _int_option("--key-bytes", args.key_bytes or str(nic.key_bytes if nic else 40), KEY_SIZES)
    reta = _int_option("--reta", args.reta or str(nic.reta_size if nic else 128))
    seed = _int_option("--seed", args.seed)
    unknown = [n for n in input_names(args.input) if n not in LAYOUTS]
    if unknown or not input_names(args.input):
        raise InputError(f"unknown --input '{args.input}'",
                         expected=f"{', '.join(LAYOUTS)}, or a comma-separated list of them")
    try:
        specs = key_specs(fields, key_bytes, reta, args.symmetric, args.input)
        result = synthesize(fields, key_bytes, reta, args.symmetric, args.input, seed)
    except KeyRequestError as e:
        raise InputError(str(e)) from None
    if not args.json:
        print(result.key.hex())
        return 0
    out = {"key": result.key.hex(), "fields": result.proof.spec["fields"],
           "symmetric": args.symmetric, "key_bytes": key_bytes, "reta_size": reta,
           "input": ",".join(s.input for s in specs), "seed": seed,
           "synthesis_seconds": round(result.seconds, 4), "proof": result.proof.to_dict(),
           "spread": spread_report(result.key, specs)}
    if args.baseline:
        base = maestro_style_key(fields, key_bytes, reta, args.symmetric, args.input, seed)
        out["baseline_maestro"] = {"key": base.hex(), "spread": spread_report(base, specs)}
    print(json.dumps(out, indent=2))
    return 0
