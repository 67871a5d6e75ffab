"""C and C++ standard libraries, pthreads, GCC builtins: containers, locks, atomics, thread id."""
from __future__ import annotations

from .schema import (ALLOCATOR, ATOMIC_CALL, ATOMIC_TYPE, COPY_CALL, CONTAINER, INSERT_METHOD, KEYED_METHOD,
                     LOCK_CALL, LOCK_GUARD, LOCK_TYPE, NON_STATE, READ_METHOD, SCALAR,
                     THREAD_ID, THREAD_SAFE, UNLOCK_CALL, Decl)

FRAMEWORK = "libc"

STD_CONTAINERS = {  # std:: name -> (kind, header)
    "unordered_map": ("hashtable", "unordered_map"), "unordered_set": ("hashtable", "unordered_set"),
    "unordered_multimap": ("hashtable", "unordered_map"),
    "map": ("map", "map"), "multimap": ("map", "map"), "set": ("map", "set"),
    "multiset": ("map", "set"),
    "vector": ("array", "vector"), "deque": ("array", "deque"), "list": ("array", "list"),
    "forward_list": ("array", "forward_list"), "array": ("array", "array"),
    "string": ("string", "string"), "basic_string": ("string", "string"),
    "queue": ("array", "queue"), "priority_queue": ("array", "queue"),
    "bitset": ("array", "bitset"),
}
SCALARS = ("int", "unsigned", "long", "short", "char", "bool", "double", "float", "size_t",
           "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t",
           "int64_t", "uintptr_t", "ssize_t", "time_t")
PTHREAD_LOCKS = {"pthread_mutex_lock": "pthread_mutex_unlock",
                 "pthread_mutex_trylock": "pthread_mutex_unlock",
                 "pthread_spin_lock": "pthread_spin_unlock",
                 "pthread_spin_trylock": "pthread_spin_unlock",
                 "pthread_rwlock_rdlock": "pthread_rwlock_unlock",
                 "pthread_rwlock_wrlock": "pthread_rwlock_unlock"}
GCC_ATOMICS = tuple(f"__atomic_{op}" for op in (
    "load_n", "load", "store_n", "store", "exchange_n", "exchange", "compare_exchange_n",
    "compare_exchange", "add_fetch", "sub_fetch", "and_fetch", "xor_fetch", "or_fetch",
    "nand_fetch", "fetch_add", "fetch_sub", "fetch_and", "fetch_xor", "fetch_or", "fetch_nand",
    "test_and_set", "clear")) + tuple(f"__sync_{op}" for op in (
        "fetch_and_add", "fetch_and_sub", "fetch_and_or", "fetch_and_and", "fetch_and_xor",
        "add_and_fetch", "sub_and_fetch", "or_and_fetch", "and_and_fetch", "xor_and_fetch",
        "bool_compare_and_swap", "val_compare_and_swap", "lock_test_and_set", "lock_release",
        "synchronize"))
C11_ATOMICS = tuple(f"atomic_{op}{s}" for op in (
    "fetch_add", "fetch_sub", "fetch_or", "fetch_and", "fetch_xor", "load", "store", "exchange",
    "compare_exchange_strong", "compare_exchange_weak") for s in ("", "_explicit"))
STD_ATOMIC_METHODS = ("fetch_add", "fetch_sub", "fetch_and", "fetch_or", "fetch_xor",
                      "compare_exchange_weak", "compare_exchange_strong", "exchange")

ROWS: tuple[Decl, ...] = (
    *(Decl("std::" + n, CONTAINER, h, kind=k) for n, (k, h) in STD_CONTAINERS.items()),
    *(Decl(n, SCALAR) for n in SCALARS),
    # atomics
    Decl("std::atomic", ATOMIC_TYPE, "atomic"), Decl("std::atomic", THREAD_SAFE, "atomic"),
    Decl("_Atomic", ATOMIC_TYPE, note="C11 qualifier"),
    *(Decl(n, ATOMIC_CALL) for n in GCC_ATOMICS),
    *(Decl(n, ATOMIC_CALL, "stdatomic.h") for n in C11_ATOMICS),
    *(Decl(n, ATOMIC_CALL, "atomic", owner="std::atomic") for n in STD_ATOMIC_METHODS),
    # locks
    *(Decl(n, LOCK_TYPE, "pthread.h") for n in ("pthread_mutex_t", "pthread_spinlock_t",
                                                 "pthread_rwlock_t")),
    *(Decl("std::" + n, LOCK_TYPE, h) for n, h in (("mutex", "mutex"),
                                                    ("recursive_mutex", "mutex"),
                                                    ("shared_mutex", "shared_mutex"))),
    *(Decl("std::" + n, NON_STATE, h) for n, h in (("mutex", "mutex"),
                                                    ("shared_mutex", "shared_mutex"))),
    *(Decl(lk, LOCK_CALL, "pthread.h") for lk in PTHREAD_LOCKS),
    *(Decl(un, UNLOCK_CALL, "pthread.h") for un in set(PTHREAD_LOCKS.values())),
    *(Decl(m, LOCK_CALL, "mutex", owner="std::" + o) for o in ("mutex", "shared_mutex")
      for m in ("lock", "lock_shared")),
    *(Decl(m, UNLOCK_CALL, "mutex", owner="std::" + o) for o in ("mutex", "shared_mutex")
      for m in ("unlock", "unlock_shared")),
    *(Decl("std::" + n, LOCK_GUARD, "mutex") for n in ("lock_guard", "unique_lock",
                                                       "scoped_lock", "shared_lock")),
    # the calling thread's id / cpu
    Decl("pthread_self", THREAD_ID, "pthread.h"),
    Decl("sched_getcpu", THREAD_ID, "sched.h"),
    Decl("gettid", THREAD_ID, "unistd.h"),
    Decl("std::this_thread::get_id", THREAD_ID, "thread"),
    # container methods
    *(Decl(m, KEYED_METHOD, "unordered_map", owner="std::unordered_map")
      for m in ("find", "count", "at", "emplace", "erase", "insert", "insert_or_assign",
                "try_emplace", "operator[]")),
    *(Decl(m, INSERT_METHOD, "unordered_map", owner="std::unordered_map")
      for m in ("insert", "emplace", "insert_or_assign", "try_emplace")),
    *(Decl(m, READ_METHOD, "unordered_map", owner="std::unordered_map")
      for m in ("size", "count", "find", "empty", "begin", "end", "contains")),
    *(Decl(m, READ_METHOD, "string", owner="std::string") for m in ("c_str", "data", "length")),
    # copies: (destination, source)
    *(Decl(n, COPY_CALL, "string.h", args=(0, 1)) for n in ("memcpy", "memmove",
                                                            "__builtin_memcpy")),
)

# Heap allocators: their result is fresh memory of its own.
ROWS = ROWS + tuple(Decl(n, ALLOCATOR, h) for n, h in (
    ("operator new", "new"), ("operator new[]", "new"), ("malloc", "stdlib.h"),
    ("calloc", "stdlib.h"), ("realloc", "stdlib.h"), ("aligned_alloc", "stdlib.h"),
    ("posix_memalign", "stdlib.h")))
