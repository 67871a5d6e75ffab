"""How a state container is shared between cores: per-core, lock/atomic, or not at all.

Helpers used by the state pass (the protection goes into each ``state`` fact).
Decided from the framework declarations the container's type names
(``per_thread<...>``, ``HashTableMP``, ``atomic_uint32_t``, a bihash: rows of
``passes/knowledge``), and from how per-packet code reaches it: indexed by a
value derived from a framework thread id (``source_dataflow``'s taint), inside
a lock/unlock region or under a lock guard.  Names of the NF's own types and
variables never decide: a user class ``FooMP`` is not thread-safe, a local
``tid`` is not a thread id unless it holds one.
"""
from __future__ import annotations

from .knowledge import match, names
from .knowledge.schema import (ATOMIC_CALL, ATOMIC_TYPE, INDEX_CALL, LOCK_CALL, LOCK_GUARD,
                               LOCK_TYPE, PER_THREAD, SHARED, THREAD_ID, THREAD_SAFE, UNLOCK_CALL)
from .source_tu import calls_in

# Framework names, for modules that list them (matching goes through ``knowledge.match``).
PER_CORE_WRAPPERS = names(PER_THREAD)
SHARED_WRAPPERS = names(SHARED)
THREAD_SAFE_TYPES = names(THREAD_SAFE) | names(ATOMIC_TYPE)
LOCK_TYPES = names(LOCK_TYPE)
# RAII guards: declaring one holds the lock until the end of the block.
LOCK_GUARDS = tuple(sorted(names(LOCK_GUARD)))
LOCK_CALLS = tuple(sorted(names(LOCK_CALL) | names(LOCK_GUARD)))
UNLOCK_CALLS = tuple(sorted(names(UNLOCK_CALL)))
ATOMIC_CALLS = tuple(sorted(names(ATOMIC_CALL)))
THREAD_ID_WORDS = names(THREAD_ID)      # framework thread-id names (not locals' names)
INDEX_CALLS = names(INDEX_CALL)


def per_core_wrapper(type_tokens: list[str], index=None) -> bool | None:
    """True: one instance per thread; False: explicitly shared; None: unknown."""
    return match.per_core_wrapper(type_tokens, index)


def thread_safe_type(type_tokens: list[str], index=None) -> bool:
    """Types that synchronise themselves (VPP bihash takes a writer lock inside)."""
    return match.thread_safe_type(type_tokens, index)


def atomic_type(type_tokens: list[str], index=None) -> bool:
    return match.names_type(type_tokens, ATOMIC_TYPE, index)


def indexed_by_thread(texts: list[str], container: str,
                      types: dict[str, list[str]] | None = None) -> bool:
    """``container[rte_lcore_id ()]`` or ``vec_elt_at_index (container, vm->thread_index)``
    spelled in one statement.  Thread ids carried through variables are found by
    the data flow (``FlowFacts.thread_indexed``)."""
    for i, t in enumerate(texts):
        if t == container and i + 1 < len(texts) and texts[i + 1] == "[":
            depth, j = 0, i + 1
            while j < len(texts):
                depth += texts[j] == "["
                depth -= texts[j] == "]"
                if depth == 0:
                    break
                j += 1
            if match.thread_id_source(texts[i + 2:j], types):
                return True
    for c in calls_in(texts):
        if c.name in INDEX_CALLS and len(c.args) == 2 and container in c.args[0] \
                and match.thread_id_source(list(c.args[1]), types):
            return True
    return False


def member_types(ctx) -> dict[str, list[str]]:
    """Member name -> declared type, over the records of the NF's files."""
    def make():
        from .source_tu import source_index
        out: dict[str, list[str]] = {}
        for rec in source_index(ctx.unit, ctx).records.values():
            for f in rec.fields:
                out.setdefault(f.name, f.type_tokens)
        return out
    return ctx.memo("source.member_types", make)


def receiver_type(call, types: dict[str, list[str]]) -> list[str] | None:
    """Declared type of a method call's receiver when it is a member the NF's records
    declare (``_lock.acquire ()`` with ``Spinlock _lock``); None when unknown."""
    return types.get(call.receiver) if call.receiver else None


def is_lock_call(name: str, receiver_type: list[str] | None = None) -> bool:
    return match.call_is(name, LOCK_CALL, receiver_type) or name in LOCK_GUARDS


def is_unlock_call(name: str, receiver_type: list[str] | None = None) -> bool:
    return match.call_is(name, UNLOCK_CALL, receiver_type)


def is_atomic_call(name: str, receiver_type: list[str] | None = None) -> bool:
    return match.call_is(name, ATOMIC_CALL, receiver_type)
