"""Nesting limits for the frontends.

The Click elaborator follows the language's structure (compounds inside
compounds, classes expanding classes) by recursion.  So that no input can
exhaust Python's stack, the frontends (1) refuse nesting deeper than
``MAX_NESTING`` levels with a located error, and (2) run the elaboration in a
thread whose stack and recursion limit are sized for ``MAX_NESTING`` levels.
The VPP startup.conf parser uses an explicit stack and needs neither.
"""
from __future__ import annotations

import sys
import threading
from typing import Callable, TypeVar

MAX_NESTING = 10_000            # compounds / groups / elementclass expansions
_FRAMES_PER_LEVEL = 12          # Python frames one nesting level costs at most (measured: 4-5)
_STACK_BYTES = 1 << 29          # 512 MiB of address space; only what is used is committed

T = TypeVar("T")
# Held for the whole life of a deep worker thread (by it, not by its caller): the
# raised recursion limit is process-wide and must be lowered only once the worker
# is done, even if its caller stopped waiting (Ctrl-C, an alarm).
_lock = threading.Lock()
_local = threading.local()


def call_deep(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` with room for MAX_NESTING levels of recursion."""
    if getattr(_local, "deep", False):            # already on a deep worker thread
        return fn(*args, **kwargs)
    needed = MAX_NESTING * _FRAMES_PER_LEVEL + 2_000
    result: dict = {}
    _lock.acquire()
    old_limit = sys.getrecursionlimit()

    def target():
        _local.deep = True
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as e:         # re-raised in the caller's thread
            result["error"] = e
        finally:
            sys.setrecursionlimit(old_limit)
            _lock.release()

    worker = None
    try:
        old_stack = threading.stack_size()
        threading.stack_size(_STACK_BYTES)
        try:
            sys.setrecursionlimit(max(old_limit, needed))
            worker = threading.Thread(target=target, name="flowmagec-frontend", daemon=True)
            worker.start()
        finally:
            threading.stack_size(old_stack)
    except BaseException:           # e.g. a signal: once started, the worker owns the lock
        if worker is None or worker.ident is None:
            sys.setrecursionlimit(old_limit)
            _lock.release()
        raise
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def wait_idle(timeout: float = -1) -> bool:
    """Wait until no deep worker runs (one its caller stopped waiting for)."""
    if _lock.acquire(timeout=timeout):
        _lock.release()
        return True
    return False
