"""`flowmagec CONFIG -o OUT`: the main job (parse, analyse, solve, emit)."""
from __future__ import annotations

from ..driver import STAGES, Options, Pipeline
from ..errors import InputError
from .common_options import add_common_options, check_jobs, log_for
from .llm_options import add_llm_options, llm_config


def register(subs):
    p = subs.add_parser("compile", help="optimise a chain (default command)")
    p.add_argument("config", help="FastClick .click config, or VPP startup.conf")
    p.add_argument("-o", "--output", help="optimised config to write")
    p.add_argument("--framework", choices=["fastclick", "vpp"],
                   help="input language (default: from the file name and contents)")
    p.add_argument("--src", action="append", default=[], metavar="DIR",
                   help="framework/NF source tree(s) where element code is found (repeatable)")
    p.add_argument("--compdb", metavar="FILE", help="compile_commands.json for clang flags")
    p.add_argument("--features", metavar="FILE", help="feature DB to use and extend")
    p.add_argument("--cores", type=int, default=8, help="CPU cores to deploy the chain on")
    p.add_argument("--nic", default="generic", help="NIC profile name or JSON file")
    p.add_argument("--traffic", metavar="FILE", help="traffic profile (.pcap or field cardinalities JSON)")
    p.add_argument("--stages", type=int, choices=[1, 2], default=1,
                   help="allow a software re-dispatch between two parts of the chain")
    p.add_argument("--symmetric", action="store_true", default=None,
                   help="traffic is bidirectional: both directions must reach one core")
    p.add_argument("--ipv6", action="store_true", default=None,
                   help="IPv6 traffic is present: hash and dispatch both families")
    p.add_argument("--solver-timeout-ms", type=int, default=10000, metavar="MS",
                   help="time limit per Z3 call (0: none); a plan found at the limit is marked "
                        "not proven optimal")
    add_llm_options(p)
    p.add_argument("--dialect", choices=["vanilla", "flowmage"], default="vanilla",
                   help="FastClick output: vanilla (stock FastClick elements) or flowmage "
                        "(FlowMage's extended FastClick)")
    p.add_argument("--vpp-version", metavar="X.Y",
                   help="VPP release (YY.MM) whose CLI spelling the emitted dispatch commands "
                        "use (default: the newest release flowmagec knows)")
    p.add_argument("--calibration", metavar="FILE",
                   help="cost constants measured by `flowmagec calibrate` (default: built-in)")
    p.add_argument("--dispatcher", metavar="FILE.c", help="also write the C dispatcher (+ .h)")
    p.add_argument("--report", metavar="FILE.json", help="write the plan and features as JSON")
    p.add_argument("--graph", metavar="FILE.dot",
                   help="write the chain as Graphviz, NFs coloured by placement (FILE.svg too "
                        "when Graphviz's dot is installed)")
    p.add_argument("--explain", action="store_true", help="print why the plan is what it is")
    p.add_argument("--dump-after", action="append", default=[], metavar="STAGE",
                   choices=list(STAGES) + ["all"],
                   help=f"print a stage's artifact as JSON on stdout and go on (STAGE: "
                        f"{', '.join(STAGES)}, or all; repeatable)")
    p.add_argument("-D", "--define", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Click define($NAME ...)")
    p.add_argument("--force", action="store_true",
                   help="replace existing output files (never an input of the run)")
    p.add_argument("--mkdir", action="store_true", help="create missing output directories")
    p.add_argument("--trust-db", action="store_true",
                   help="use --features records edited by hand (digest mismatch) as they are")
    p.add_argument("--assume", action="append", default=[], metavar="CLASS=KIND",
                   help="declare the features of an element class whose source is not at hand "
                        "(KIND: stateless | thread-safe | unknown); repeatable")
    p.add_argument("--flow-rules-relative", action="store_true",
                   help="write FLOW_RULES_FILE relative to the output's directory (click must "
                        "then start there); default: an absolute path")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 (nothing written) when an NF's features are unknown, its state "
                        "races, or its placement is unsafe")
    add_common_options(p)
    return p


def parse_assume(items: list[str]) -> dict[str, str]:
    from ..driver import ASSUMABLE
    out = {}
    for item in items:
        cls, sep, kind = item.partition("=")
        if not sep or not cls or kind not in ASSUMABLE:
            raise InputError(f"--assume expects CLASS=KIND with KIND one of "
                             f"{', '.join(ASSUMABLE)}, got '{item}'")
        out[cls] = kind
    return out


def parse_defines(items: list[str]) -> dict[str, str]:
    """``-D NAME=VALUE`` overrides of Click ``define($NAME ...)``."""
    defines = {}
    for d in items:
        if "=" not in d:
            raise InputError(f"-D expects NAME=VALUE, got '{d}'")
        k, v = d.split("=", 1)
        defines[k.lstrip("$")] = v
    return defines


def check_src_dirs(dirs: list[str]) -> None:
    import os
    for d in dirs:
        if not os.path.isdir(d):
            raise InputError(f"--src {d}: no such directory")


def run(args) -> int:
    if args.cores < 1:
        raise InputError(f"--cores must be at least 1, got {args.cores}")
    check_src_dirs(args.src)
    check_jobs(args)
    defines = parse_defines(args.define)
    opts = Options(config=args.config, output=args.output, framework=args.framework, src=args.src,
                   compdb=args.compdb, features=args.features, cores=args.cores, nic=args.nic,
                   traffic=args.traffic, stages=args.stages, symmetric=args.symmetric,
                   ipv6=args.ipv6, solver_timeout_ms=args.solver_timeout_ms,
                   llm=args.llm, llm_config=llm_config(args), dialect=args.dialect, dispatcher=args.dispatcher,
                   report=args.report, graph=args.graph, explain=args.explain, dump_after=args.dump_after,
                   force=args.force, jobs=args.jobs, cache_dir=args.cache_dir,
                   vpp_version=args.vpp_version, defines=defines,
                   assume=parse_assume(args.assume), strict=args.strict,
                   flow_rules_relative=args.flow_rules_relative,
                   mkdir=args.mkdir, trust_db=args.trust_db, calibration=args.calibration)
    from ..progress import for_args
    with for_args(args) as progress:
        Pipeline(opts, log=log_for(args, notes_by_default=True), progress=progress).run()
    return 0
