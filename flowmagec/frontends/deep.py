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
_lock = threading.Lock()


def call_deep(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` with room for MAX_NESTING levels of recursion."""
    needed = MAX_NESTING * _FRAMES_PER_LEVEL + 2_000
    if sys.getrecursionlimit() >= needed:     # already inside a deep call
        return fn(*args, **kwargs)
    result: dict = {}

    def target():
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as e:         # re-raised in the caller's thread
            result["error"] = e

    with _lock:
        old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
        try:
            threading.stack_size(_STACK_BYTES)
            sys.setrecursionlimit(needed)
            worker = threading.Thread(target=target, name="flowmagec-frontend")
            worker.start()
        finally:
            threading.stack_size(old_stack)
        try:
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in result:
        raise result["error"]
    return result["value"]
