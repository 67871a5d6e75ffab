"""`flowmagec calibrate -o FILE`: measure the cost model's constants on this machine."""
from __future__ import annotations

import sys

from ..errors import InputError, printable


def register(subs):
    p = subs.add_parser("calibrate", help="micro-benchmark this machine and write the cost "
                                          "constants the solver reads with --calibration")
    p.add_argument("-o", "--output", default="calibration.json", metavar="FILE",
                   help="JSON file to write (default calibration.json)")
    p.add_argument("--cores", type=int, default=0, metavar="N",
                   help="most threads for the contention curves (default: every CPU)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply every micro-benchmark's iteration count (smaller: faster, "
                        "noisier)")
    p.add_argument("--no-fit", action="store_true",
                   help="micro-benchmarks only: do not fit the model to one-NF chain benchmarks")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="time the fit's chain benchmarks by wall or busiest-core CPU time")
    p.add_argument("--force", action="store_true", help="replace an existing output file")
    return p


def run(args) -> int:
    import os
    from ..bench import calibration
    if os.path.exists(args.output) and not args.force:
        raise InputError(f"{args.output} exists (use --force to replace it)")
    if args.scale <= 0:
        raise InputError(f"--scale must be positive, got {args.scale}")
    log = lambda s: print(printable(s), file=sys.stderr)   # noqa: E731
    result = calibration.calibrate_machine(cores=args.cores or None, scale=args.scale,
                                           fit_chains=not args.no_fit, clock=args.clock, log=log)
    calibration.write(result, args.output)
    for line in calibration.describe(result):
        print(line)
    print(f"wrote {args.output}: use it with `flowmagec CONFIG --calibration {args.output}`")
    return 0
