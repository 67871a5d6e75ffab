"""Command line: ``flowmagec CONFIG -o OUT`` and the sub-commands.

Each sub-command lives in ``flowmagec/commands/<name>.py`` with
``register(subparsers)`` and ``run(args) -> int``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import EXIT_BAD_INPUT, FlowmageError

# sub-command name -> module under flowmagec.commands
COMMANDS = {
    "compile": "compile_cmd",
    "parse": "parse",
    "audit": "audit",
    "rss-key": "rss_key",
    "track": "track",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 already; keep our prefix style
        self.print_usage(sys.stderr)
        print(f"flowmagec: error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flowmagec",
                     description="Compile NF chains for multi-core RSS deployment "
                                 "(run `flowmagec CONFIG -o OUT`, or a sub-command).")
    subs = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, mod in COMMANDS.items():
        importlib.import_module(f"flowmagec.commands.{mod}").register(subs)
    return parser


def main(argv: list[str] | None = None) -> int:
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
        return mod.run(args) or 0
    except FlowmageError as e:
        print(e.render(), file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
