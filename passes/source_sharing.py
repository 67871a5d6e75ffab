"""How a state container is shared between cores: per-core, lock/atomic, or not at all.

Helpers used by the state pass (the protection goes into each ``state`` fact).
Decided from the container's spelled type (``per_thread<...>``, ``HashTableMP``,
``atomic_uint32_t``) and from how per-packet code reaches it (indexed by the
thread id, inside a lock/unlock region or under a lock guard).
"""
from __future__ import annotations

from .source_tu import calls_in

PER_CORE_WRAPPERS = {"per_thread", "per_thread_oread", "per_thread_omem", "per_lcore",
                     "per_thread_arithmetic", "per_thread_compressed"}
SHARED_WRAPPERS = {"not_per_thread"}
THREAD_SAFE_TYPES = {"HashTableMP", "HashContainerMP", "HashMapMP", "atomic_uint32_t",
                     "atomic_uint64_t", "atomic", "std::atomic", "relaxed_atomic_uint32_t",
                     "SimpleSpinlock", "rte_rwlock_t"}
LOCK_TYPES = {"Spinlock", "SimpleSpinlock", "RWLock", "ReadWriteLock", "mutex", "shared_mutex",
              "clib_spinlock_t", "clib_rwlock_t", "rte_spinlock_t", "rte_rwlock_t",
              "pthread_mutex_t", "pthread_spinlock_t", "spinlock_t"}
# RAII guards: declaring one holds the lock until the end of the block.
LOCK_GUARDS = ("lock_guard", "unique_lock", "scoped_lock")
LOCK_CALLS = ("lock", "acquire", "write_lock", "read_lock", "clib_spinlock_lock",
              "clib_rwlock_writer_lock", "clib_rwlock_reader_lock", "rte_spinlock_lock",
              "rte_rwlock_write_lock", "rte_rwlock_read_lock", "pthread_mutex_lock",
              "pthread_spin_lock", "clib_spinlock_lock_if_init", *LOCK_GUARDS,
              "write_begin", "read_begin")
UNLOCK_CALLS = ("unlock", "release", "write_unlock", "read_unlock", "clib_spinlock_unlock",
                "clib_rwlock_writer_unlock", "clib_rwlock_reader_unlock", "rte_spinlock_unlock",
                "rte_rwlock_write_unlock", "rte_rwlock_read_unlock", "pthread_mutex_unlock",
                "pthread_spin_unlock", "clib_spinlock_unlock_if_init", "write_end", "read_end")
ATOMIC_CALLS = ("__atomic_", "__sync_", "clib_atomic_", "rte_atomic", "atomic_fetch_",
                "fetch_add", "fetch_and_add", "compare_exchange", "compare_swap")
THREAD_ID_WORDS = {"thread_index", "thread_id", "click_current_cpu_id", "current_cpu",
                   "rte_lcore_id", "my_thread", "worker_index", "cpu_id", "lcore_id",
                   "vlib_get_thread_index", "home_thread_id", "cpu_index", "my_thread_index",
                   "tid"}


def per_core_wrapper(type_tokens: list[str]) -> bool | None:
    """True: one instance per thread; False: explicitly shared; None: unknown."""
    if any(t in PER_CORE_WRAPPERS for t in type_tokens):
        return True
    if any(t in SHARED_WRAPPERS for t in type_tokens):
        return False
    return None


def thread_safe_type(type_tokens: list[str]) -> bool:
    """Types that synchronise themselves (VPP bihash takes a writer lock inside)."""
    return any(t in THREAD_SAFE_TYPES or t.endswith("MP") or t.startswith("clib_bihash_")
               for t in type_tokens)


def indexed_by_thread(texts: list[str], container: str) -> bool:
    """``container[thread_index]`` or ``vec_elt_at_index(container, thread_index)``."""
    for i, t in enumerate(texts):
        if t == container:
            window = texts[i + 1:i + 8]
            if window and window[0] == "[" and any(w in THREAD_ID_WORDS for w in window):
                return True
    for c in calls_in(texts):
        if c.name in ("vec_elt_at_index", "vec_elt", "pool_elt_at_index") and len(c.args) == 2 \
                and container in c.args[0] and any(w in THREAD_ID_WORDS for w in c.args[1]):
            return True
    return False


def is_lock_call(name: str) -> bool:
    return name in LOCK_CALLS or name.endswith(("_lock", "_writer_lock", "_lock_if_init"))


def is_unlock_call(name: str) -> bool:
    return name in UNLOCK_CALLS or name.endswith(("_unlock", "_unlock_if_init"))


def is_atomic_call(name: str) -> bool:
    return name.startswith(ATOMIC_CALLS) or name in ("fetch_add", "fetch_sub", "compare_swap")
