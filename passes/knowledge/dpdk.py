"""DPDK: rte_hash, per-lcore variables, spinlocks/rwlocks, atomics and the lcore id.

Written from the public headers' declarations (``lib/hash/rte_hash.h``,
``lib/eal/include/*.h``); no code of theirs is copied.
"""
from __future__ import annotations

from .schema import (ALLOCATOR, ATOMIC_CALL, COPY_CALL, CONTAINER, LOCK_CALL, LOCK_TYPE, PACKET, PER_THREAD,
                     TABLE_CALL, THREAD_ID, THREAD_SAFE, UNLOCK_CALL, Decl)

FRAMEWORK = "dpdk"
HASH_H = "rte_hash.h"

# rte_hash operations: name -> (operation, table argument, key argument).  The
# ``_data`` lookups store the entry through their last argument.
RTE_HASH_OPS = {
    "rte_hash_lookup": ("lookup", 0, 1),
    "rte_hash_lookup_data": ("lookup-data", 0, 1),
    "rte_hash_lookup_bulk": ("lookup", 0, 1),
    "rte_hash_lookup_bulk_data": ("lookup", 0, 1),
    "rte_hash_lookup_with_hash": ("lookup", 0, 1),
    "rte_hash_lookup_with_hash_data": ("lookup-data", 0, 1),
    "rte_hash_lookup_with_hash_bulk": ("lookup", 0, 1),
    "rte_hash_lookup_with_hash_bulk_data": ("lookup", 0, 1),
    "rte_hash_add_key": ("insert", 0, 1),
    "rte_hash_add_key_data": ("insert", 0, 1),
    "rte_hash_add_key_with_hash": ("insert", 0, 1),
    "rte_hash_add_key_with_hash_data": ("insert", 0, 1),
    "rte_hash_del_key": ("delete", 0, 1),
    "rte_hash_del_key_with_hash": ("delete", 0, 1),
}

LOCKS = {  # lock -> unlock
    "rte_spinlock_lock": "rte_spinlock_unlock", "rte_spinlock_trylock": "rte_spinlock_unlock",
    "rte_spinlock_recursive_lock": "rte_spinlock_recursive_unlock",
    "rte_rwlock_write_lock": "rte_rwlock_write_unlock",
    "rte_rwlock_read_lock": "rte_rwlock_read_unlock",
    "rte_rwlock_write_trylock": "rte_rwlock_write_unlock",
    "rte_rwlock_read_trylock": "rte_rwlock_read_unlock",
}
ATOMICS = tuple(f"rte_atomic{w}_{op}" for w in (16, 32, 64)
                for op in ("add", "sub", "inc", "dec", "add_return", "sub_return",
                           "inc_and_test", "dec_and_test", "test_and_set", "cmpset",
                           "exchange", "set", "read")) + ("rte_atomic_fetch_add_explicit",
                                                          "rte_atomic_fetch_sub_explicit",
                                                          "rte_atomic_store_explicit",
                                                          "rte_atomic_load_explicit",
                                                          "rte_atomic_exchange_explicit")

ROWS: tuple[Decl, ...] = (
    Decl("rte_hash", CONTAINER, HASH_H, kind="rte_hash"),
    *(Decl(n, TABLE_CALL, HASH_H, kind=k, args=(t, key)) for n, (k, t, key) in RTE_HASH_OPS.items()),
    # RTE_DEFINE_PER_LCORE (T, name) declares per_lcore_<name>: one per lcore
    Decl("per_lcore", PER_THREAD, "rte_per_lcore.h", note="RTE_DEFINE_PER_LCORE"),
    Decl("rte_mbuf", PACKET, "rte_mbuf_core.h"),
    *(Decl(n, LOCK_TYPE, h) for n, h in (("rte_spinlock_t", "rte_spinlock.h"),
                                          ("rte_spinlock_recursive_t", "rte_spinlock.h"),
                                          ("rte_rwlock_t", "rte_rwlock.h"))),
    Decl("rte_rwlock_t", THREAD_SAFE, "rte_rwlock.h"),
    *(Decl(lk, LOCK_CALL, "rte_spinlock.h" if "spin" in lk else "rte_rwlock.h")
      for lk in LOCKS),
    *(Decl(un, UNLOCK_CALL, "rte_spinlock.h" if "spin" in un else "rte_rwlock.h")
      for un in set(LOCKS.values())),
    *(Decl(n, ATOMIC_CALL, "rte_atomic.h") for n in ATOMICS),
    Decl("rte_memcpy", COPY_CALL, "rte_memcpy.h", args=(0, 1)),
    Decl("rte_ether_addr_copy", COPY_CALL, "rte_ether.h", args=(1, 0),
         note="(source, destination)"),
    # the calling lcore's id / index
    Decl("rte_lcore_id", THREAD_ID, "rte_lcore.h"),
    Decl("rte_lcore_index", THREAD_ID, "rte_lcore.h"),
    Decl("per_lcore__lcore_id", THREAD_ID, "rte_per_lcore.h", kind="variable",
         note="RTE_PER_LCORE (_lcore_id), what rte_lcore_id () reads"),
)

# Heap allocators (rte_malloc.h): their result is fresh memory of its own.
ROWS = ROWS + tuple(Decl(n, ALLOCATOR, "rte_malloc.h") for n in (
    "rte_malloc", "rte_zmalloc", "rte_calloc", "rte_malloc_socket", "rte_zmalloc_socket",
    "rte_calloc_socket", "rte_realloc"))
