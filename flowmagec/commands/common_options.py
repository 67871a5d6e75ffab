"""The options every sub-command spells the same way, and the help format.

``-v/--verbose``, ``-q/--quiet`` and ``--version`` are on every command;
``-j/--jobs`` and ``--cache-dir`` on those that compile NF code (compile,
audit, track).  ``log_for(args)`` is what ``-v``/``-q`` mean for stderr:

* default: every line but notes (warnings, errors); ``note:`` lines too
  where the command shows them by default (the main job);
* ``-v``: every note;
* ``-q``: no progress display and no notes; warnings still (they say a
  result may be degraded).
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from ..errors import printable


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to an option's help when it has a real default
    that the help text does not state already (no ``(default: None)`` noise)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default" in text or "%(default)" in text or default in (None, False, [], "")
                or default is argparse.SUPPRESS or not action.option_strings):
            return text
        return f"{text} (default: %(default)s)"


def add_output_options(p) -> None:
    """``-v``, ``-q``, ``--version``: every sub-command."""
    from .. import __version__
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print notes (compile and pass details) on stderr")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress display and no notes on stderr (warnings and errors stay)")
    p.add_argument("--version", action="version", version=f"flowmagec {__version__}",
                   help="print the version and exit")


def add_build_options(p) -> None:
    """``-j`` and ``--cache-dir``: the sub-commands that compile NF code."""
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="parallel jobs: clang compiles, and NF analyses for track "
                        "(0: one per CPU core)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="bitcode and prepared-tree cache (default $FLOWMAGEC_CACHE_DIR, else "
                        "$XDG_CACHE_HOME/flowmagec, else ~/.cache/flowmagec)")


def add_common_options(p, build: bool = True) -> None:
    if build:
        add_build_options(p)
    add_output_options(p)


def log_for(args, notes_by_default: bool = False) -> Callable[[str], None]:
    """A stderr logger honouring ``-v``/``-q`` (see the module docstring)."""
    verbose, quiet = getattr(args, "verbose", False), getattr(args, "quiet", False)
    show_notes = verbose or (notes_by_default and not quiet)

    def log(line: str) -> None:
        if show_notes or not is_note(line):
            print(printable(line), file=sys.stderr)
    return log


def is_note(line: str) -> bool:
    """``note: ...`` or ``file:line:col: note: ...`` (a Diagnostic of level note)."""
    return line.startswith("note:") or ": note:" in line


def check_jobs(args) -> None:
    from ..errors import InputError
    if getattr(args, "jobs", 0) < 0:
        raise InputError(f"--jobs must be 0 (one per CPU core) or more, got {args.jobs}")
