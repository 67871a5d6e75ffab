"""Progress of a long run on stderr: discover, compile N/M, analyse N/M, solve.

The stages report through a small interface and never know whether anything
is shown::

    with progress.stage("compile", total=len(files)) as st:
        ...
        st.advance()

A ``Progress`` shows nothing when stderr is not a terminal, with ``-q``, or
when the whole run ends within ``delay_s`` (a display that flashes for a
tenth of a second is noise); it then draws rich bars that disappear when the
run is over.  Log lines printed to ``sys.stderr`` while it is shown appear
above the bars (rich redirects stderr); stdout is left alone, so dumps and
tables stay on stdout.  ``NO_PROGRESS`` is the do-nothing instance that
library callers get by default.
"""
from __future__ import annotations

import sys
import threading
from typing import Optional, TextIO

# A run shorter than this shows no progress at all.
DEFAULT_DELAY_S = 1.5


class Stage:
    """One stage's counter; ``total=None`` is a stage of unknown length (a spinner)."""

    def __init__(self, owner: "Progress", name: str, total: Optional[int]):
        self._owner = owner
        self.name = name
        self.total = total
        self.done = 0
        self._task = None            # the rich task id, once the display is up

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._owner._refresh(self)

    def update(self, done: int, total: Optional[int] = None) -> None:
        """Set the counter (for callbacks that report ``done of total``; workers may
        report out of order, so it never goes back)."""
        self.done = max(self.done, done)
        if total is not None:
            self.total = total
        self._owner._refresh(self)

    def close(self) -> None:
        self._owner._finish(self)

    def __enter__(self) -> "Stage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Progress:
    """The display of one run; a context manager that always takes the bars down."""

    def __init__(self, enabled: bool = True, stream: Optional[TextIO] = None,
                 delay_s: float = DEFAULT_DELAY_S):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and _is_tty(self.stream)
        self.delay_s = delay_s
        self.stages: list[Stage] = []
        self._lock = threading.RLock()
        self._rich = None
        self._timer: Optional[threading.Timer] = None
        self._closed = False

    # -- the interface the stages use
    def stage(self, name: str, total: Optional[int] = None) -> Stage:
        st = Stage(self, name, total)
        if not self.enabled:             # nothing is shown: keep no record either
            return st
        with self._lock:
            self.stages.append(st)
            if self.enabled and self._rich is None and self._timer is None and not self._closed:
                self._timer = threading.Timer(self.delay_s, self._show)
                self._timer.daemon = True
                self._timer.start()
            self._add_task(st)
        return st

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._rich is not None:
                self._rich.stop()
                self._rich = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the display
    def _show(self) -> None:
        with self._lock:
            if self._closed or self._rich is not None:
                return
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                                       SpinnerColumn, TextColumn, TimeElapsedColumn)
            console = Console(file=self.stream, force_terminal=True)
            self._rich = RichProgress(SpinnerColumn(), TextColumn("{task.description:<9}"),
                                      BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                      console=console, transient=True,
                                      redirect_stdout=False, redirect_stderr=True)
            self._rich.start()
            for st in self.stages:
                self._add_task(st)

    def _add_task(self, st: Stage) -> None:
        if self._rich is not None and st._task is None:
            st._task = self._rich.add_task(st.name, total=st.total, completed=st.done)

    def _refresh(self, st: Stage) -> None:
        with self._lock:
            if self._rich is not None and st._task is not None:
                self._rich.update(st._task, completed=st.done, total=st.total)

    def _finish(self, st: Stage) -> None:
        with self._lock:
            if st.total is None:
                st.total = st.done = max(st.done, 1)
            if self._rich is not None and st._task is not None:
                self._rich.update(st._task, completed=st.total, total=st.total)


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):      # closed or not a file
        return False


NO_PROGRESS = Progress(enabled=False)


def for_args(args) -> Progress:
    """The display a command's ``-q`` asks for (on stderr, shown only on a terminal)."""
    return Progress(enabled=not getattr(args, "quiet", False))
