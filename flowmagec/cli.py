"""Command line: ``flowmagec CONFIG -o OUT`` and the sub-commands.

Each sub-command lives in ``flowmagec/commands/<name>.py`` with
``register(subparsers)`` and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Only the standard library at import time: a Ctrl-C before main() installs its
# handlers would print a traceback, so that window is kept as short as possible.

# sub-command name -> module under flowmagec.commands
COMMANDS = {
    "compile": "compile_cmd",
    "parse": "parse",
    "audit": "audit",
    "rss-key": "rss_key",
    "track": "track",
    "bench": "bench",
    "calibrate": "calibrate",
}


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        from .commands.common_options import DefaultsHelpFormatter
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)   # every help shows defaults
        super().__init__(*args, **kwargs)

    def error(self, message):  # argparse exits 2 already; keep our prefix style
        self.print_usage(sys.stderr)
        print(f"flowmagec: error: {message}", file=sys.stderr)
        from .errors import EXIT_BAD_INPUT
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flowmagec",
                     description="Compile NF chains for multi-core RSS deployment "
                                 "(run `flowmagec CONFIG -o OUT`, or a sub-command).")
    subs = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, mod in COMMANDS.items():
        importlib.import_module(f"flowmagec.commands.{mod}").register(subs)
    return parser


class Terminated(BaseException):
    """SIGTERM/SIGHUP: unwinds like Ctrl-C so that every cleanup handler runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def _install_signal_handlers() -> dict:
    """SIGTERM/SIGHUP raise Terminated for the duration of main; returns the old handlers."""
    import signal
    import threading
    old = {}
    if threading.current_thread() is not threading.main_thread():
        return old
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            old[sig] = signal.signal(sig, _terminate)
    return old


def _quiet_broken_pipe() -> int:
    """stdout's reader went away (``| head``): exit quietly like a Unix tool."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141      # 128 + SIGPIPE, what a shell reports for a killed writer


def _quiet_finalisers() -> None:
    """An interrupted run: objects the signal left half-built (a z3 Context whose
    __init__ was cut short) fail in __del__; that is not worth a traceback."""
    sys.unraisablehook = lambda unraisable: None


def main(argv: list[str] | None = None) -> int:
    import signal
    old = _install_signal_handlers()
    try:
        return _main(argv)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        _quiet_finalisers()
        return 130
    except Terminated as e:
        _quiet_finalisers()
        return 128 + e.signum
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None = None) -> int:
    from .errors import EXIT_BAD_INPUT, FlowmageError
    argv = list(sys.argv[1:] if argv is None else argv)
    # `flowmagec CONFIG -o OUT` is shorthand for `flowmagec compile CONFIG -o OUT`.
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "compile")
    parser = build_parser()
    if argv[:1] == ["--version"]:
        from . import __version__
        print(f"flowmagec {__version__}")
        return 0
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_BAD_INPUT
    mod = importlib.import_module(f"flowmagec.commands.{COMMANDS[args.command]}")
    try:
        code = mod.run(args) or 0
        sys.stdout.flush()          # a closed pipe surfaces here, not at interpreter exit
        return code
    except FlowmageError as e:
        print(e.render(), file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":
    sys.exit(main())
