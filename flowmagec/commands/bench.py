"""`flowmagec bench CONFIG --cores 1,2,4`: measure the plan against its alternatives."""
from __future__ import annotations

import sys

from ..errors import InputError, printable


def register(subs):
    p = subs.add_parser("bench", help="measure the plan, its alternatives and the baselines on "
                                      "this machine (generated C chain benchmark)")
    p.add_argument("config", nargs="?", help="FastClick .click config, or VPP startup.conf")
    p.add_argument("--framework", choices=["fastclick", "vpp"])
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework/NF source tree(s) (repeatable)")
    p.add_argument("--features", metavar="FILE", help="feature DB / FeatureSet JSON")
    p.add_argument("--assume", action="append", default=[], metavar="CLASS=KIND",
                   help="declare an element class's features (as for the main job)")
    p.add_argument("-D", "--define", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--compdb", metavar="FILE")
    p.add_argument("--cache-dir", metavar="DIR")
    p.add_argument("--nic", default="generic", help="NIC profile name or JSON file")
    p.add_argument("--dialect", choices=["vanilla", "flowmage"], default="vanilla")
    p.add_argument("--stages", type=int, choices=[1, 2], default=1)
    p.add_argument("--symmetric", action="store_true", default=None)
    p.add_argument("--calibration", metavar="FILE",
                   help="cost constants from `flowmagec calibrate` for the solver")
    p.add_argument("--cores", default="1,2", metavar="LIST",
                   help="core counts, comma-separated (default 1,2)")
    p.add_argument("--trace", default="uniform", metavar="KIND|FILE",
                   help="uniform | zipf | prefixes | few-dst | bidir | FILE.pcap[ng] "
                        "(default uniform)")
    p.add_argument("--packets", type=int, default=1_000_000, metavar="N")
    p.add_argument("--flows", type=int, default=16384, metavar="N",
                   help="flows of a synthetic trace (default 16384)")
    p.add_argument("--reps", type=int, default=3, help="runs per measurement; the best counts")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="Mpps over wall time, or over the busiest core's thread CPU time (for "
                        "machines shared with other work)")
    p.add_argument("--json", metavar="FILE", help="write every measurement as JSON")
    p.add_argument("--plot", metavar="FILE.png",
                   help="scaling curves as a PNG (needs matplotlib; default: bench-TRACE.png "
                        "when matplotlib is installed and --cores has several counts)")
    p.add_argument("--workdir", metavar="DIR", help="keep the generated C and binaries here")
    p.add_argument("--prepare", metavar="DIR",
                   help="measure elsewhere: write every program's C, the trace and DIR/run.sh "
                        "(needs only cc and sh) instead of measuring here")
    p.add_argument("--results", metavar="DIR",
                   help="report the results of a prepared run (the DIR run.sh filled, or "
                        "$OUT/NAME where it copied them)")
    return p


def parse_cores(text: str) -> list[int]:
    try:
        cores = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"--cores expects a comma-separated list of integers, got '{text}'") from None
    if not cores or min(cores) < 1:
        raise InputError(f"--cores expects core counts of at least 1, got '{text}'")
    return sorted(set(cores))


def run(args) -> int:
    from ..bench import configs, prepared, runner, traces
    from ..driver import Options
    from ..solver.cost import CostConstants
    from .compile_cmd import check_src_dirs, parse_assume, parse_defines
    if args.results:
        return show(prepared.load(args.results, args.clock), args)
    if not args.config:
        raise InputError("bench needs a CONFIG (or --results DIR)")
    cores = parse_cores(args.cores)
    if args.packets < 1 or args.flows < 1 or args.reps < 1:
        raise InputError("--packets, --flows and --reps must be at least 1")
    check_src_dirs(args.src)
    defines = parse_defines(args.define)
    log = lambda s: print(printable(s), file=sys.stderr)   # noqa: E731
    constants = CostConstants.load(args.calibration) if args.calibration else None
    opts = Options(config=args.config, framework=args.framework, src=args.src,
                   compdb=args.compdb, features=args.features, cores=max(cores), nic=args.nic,
                   stages=args.stages, symmetric=args.symmetric, dialect=args.dialect,
                   cache_dir=args.cache_dir, defines=defines, assume=parse_assume(args.assume))
    inputs = configs.load_inputs(opts, constants, log=log)
    trace = traces.load(args.trace, args.packets, args.flows)
    if args.prepare:
        root = prepared.prepare(inputs, trace, cores, args.prepare, args.reps, args.symmetric)
        print(f"prepared {root}: run `sh {root}/run.sh` on the machine to measure, then "
              f"`flowmagec bench --results DIR` with DIR the prepared directory or "
              f"$OUT/{root.name}")
        return 0
    res = runner.run_bench(inputs, trace, cores, reps=args.reps, workdir=args.workdir,
                           symmetric=args.symmetric, clock=args.clock, log=log)
    return show(res, args)


def show(res, args) -> int:
    from ..bench import report
    for line in report.table(res) + [""] + report.model_lines(res) + report.summary(res):
        print(line)
    for n in res.notes:
        print(f"note: {n}")
    if args.json:
        report.write_json(res, args.json)
    target = args.plot or (f"bench-{res.trace}.png" if len(res.core_counts()) > 1 else None)
    if target:
        made = report.plot(res, target)
        if made:
            print(f"plot: {made}")
        elif args.plot:
            print("note: matplotlib is not installed: no plot", file=sys.stderr)
    return 0
