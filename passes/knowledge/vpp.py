"""VPP: bihash and hash tables, pools and vectors, locks and the thread index.

Written from the public headers' declarations (``src/vppinfra/*.h``,
``src/vlib/*.h``); no code of theirs is copied.  bihash functions and types
are generated per key/value size (``BV (clib_bihash_search)`` is
``clib_bihash_search_16_8``): the rows list each generated name exactly.
"""
from __future__ import annotations

from .schema import (ALLOCATOR, ATOMIC_CALL, CONTAINER, CONTEXT, COPY_CALL, INDEX_CALL, INSERT_CALL, LOCK_CALL, LOCK_TYPE,
                     NON_STATE, PACKET, SCALAR, TABLE_CALL, THREAD_ID, THREAD_SAFE, UNLOCK_CALL, VEC_OP,
                     Decl)

FRAMEWORK = "vpp"

# Key/value sizes of the bihash instances vppinfra ships (vppinfra/bihash_<K>_<V>.h).
BIHASH_VARIANTS = ("8_8", "8_16", "8_32", "12_4", "16_8", "16_8_32", "24_8", "24_16", "32_8",
                   "40_8", "48_8", "56_8", "vec8_8", "8_8_stats")
# Table operations of the bihash template (vppinfra/bihash_template.h):
# name -> (operation, table argument, key argument).
BIHASH_OPS = {
    "clib_bihash_search": ("search-zero-on-hit", 0, 1),
    "clib_bihash_search_inline": ("search-zero-on-hit", 0, 1),
    "clib_bihash_search_inline_2": ("search-zero-on-hit", 0, 1),
    "clib_bihash_search_inline_with_hash": ("search-zero-on-hit", 0, 1),
    "clib_bihash_search_inline_2_with_hash": ("search-zero-on-hit", 0, 1),
    "clib_bihash_add_del": ("insert", 0, 1),
    "clib_bihash_add_del_with_hash": ("insert", 0, 1),
    "clib_bihash_add_or_overwrite_stale": ("insert", 0, 1),
    "clib_bihash_add_with_overwrite_cb": ("insert", 0, 1),
}


def _bihash_rows():
    for v in BIHASH_VARIANTS:
        header = f"vppinfra/bihash_{v}.h"
        # the table type; it takes a writer lock inside add/del (readers are lock-free)
        yield Decl(f"clib_bihash_{v}_t", CONTAINER, header, kind="bihash")
        yield Decl(f"clib_bihash_{v}_t", THREAD_SAFE, header, note="writer lock inside add_del")
        yield Decl(f"clib_bihash_{v}", CONTAINER, header, kind="bihash")
        yield Decl(f"clib_bihash_{v}", THREAD_SAFE, header, note="writer lock inside add_del")
        for op, (kind, table, key) in BIHASH_OPS.items():
            yield Decl(f"{op}_{v}", TABLE_CALL, header, kind=kind, args=(table, key))


# vppinfra/hash.h: keyed by a uword / memory key; the table is a ``uword *``.
HASH_OPS = {"hash_get": ("lookup", 0, 1), "hash_get_mem": ("lookup", 0, 1),
            "hash_set": ("insert", 0, 1), "hash_set_mem": ("insert", 0, 1),
            "hash_unset": ("delete", 0, 1), "hash_unset_mem": ("delete", 0, 1)}
# vppinfra/vec.h and pool.h: element by index (pool, index).
INDEX_OPS = {"pool_elt_at_index": "vppinfra/pool.h", "vec_elt_at_index": "vppinfra/vec.h",
             "vec_elt": "vppinfra/vec.h"}
# Macros that grow, walk or test the VPP vector/pool/fifo/hash their first argument holds.
VEC_OPS = ("vec_add1", "vec_add2", "vec_add", "vec_validate", "vec_validate_init_empty",
           "vec_resize", "vec_free", "vec_len", "vec_reset_length", "vec_elt", "vec_elt_at_index",
           "vec_foreach", "vec_foreach_index", "vec_is_empty", "vec_end", "vec_find",
           "vec_del1", "vec_delete", "vec_insert", "vec_append", "vec_dup", "vec_copy",
           "vec_set_len", "vec_inc_len", "vec_header",
           "pool_get", "pool_get_zero", "pool_get_aligned", "pool_put", "pool_put_index",
           "pool_elt_at_index", "pool_elts", "pool_len", "pool_is_free_index", "pool_index",
           "pool_foreach", "pool_foreach_index", "pool_free",
           "clib_fifo_add1", "clib_fifo_sub1", "clib_fifo_elts", "clib_fifo_free",
           "clib_fifo_resize", "clib_fifo_add", "clib_fifo_sub", "clib_fifo_head",
           "hash_set", "hash_set_mem", "hash_get", "hash_get_mem", "hash_unset",
           "hash_unset_mem", "hash_get_pair", "hash_get_pair_mem")

LOCKS = {  # lock function -> (unlock function, header)
    "clib_spinlock_lock": ("clib_spinlock_unlock", "vppinfra/lock.h"),
    "clib_spinlock_lock_if_init": ("clib_spinlock_unlock_if_init", "vppinfra/lock.h"),
    "clib_rwlock_writer_lock": ("clib_rwlock_writer_unlock", "vppinfra/lock.h"),
    "clib_rwlock_reader_lock": ("clib_rwlock_reader_unlock", "vppinfra/lock.h"),
}

ROWS: tuple[Decl, ...] = (
    *_bihash_rows(),
    *(Decl(n, TABLE_CALL, "vppinfra/hash.h", kind=k, args=(t, key))
      for n, (k, t, key) in HASH_OPS.items()),
    *(Decl(n, TABLE_CALL, h, kind="index", args=(0, 1)) for n, h in INDEX_OPS.items()),
    *(Decl(n, INDEX_CALL, h, args=(0, 1)) for n, h in INDEX_OPS.items()),
    Decl("pool_is_free_index", INDEX_CALL, "vppinfra/pool.h", args=(0, 1)),
    *(Decl(n, INSERT_CALL, "vppinfra/pool.h", args=(0,)) for n in (
        "pool_get", "pool_get_zero", "pool_get_aligned", "pool_get_aligned_zero")),
    *(Decl(n, INSERT_CALL, "vppinfra/hash.h", args=(0,)) for n in ("hash_set1", "hash_set_mem_alloc")),
    *(Decl(n, VEC_OP, "vppinfra/vec.h", args=(0,)) for n in VEC_OPS),
    Decl("uword", SCALAR, "vppinfra/types.h"),
    *(Decl(n, SCALAR, "vppinfra/types.h") for n in ("u8", "u16", "u32", "u64", "i8", "i16",
                                                     "i32", "i64", "f64", "f32")),
    # locks
    *(Decl(n, LOCK_TYPE, "vppinfra/lock.h") for n in ("clib_spinlock_t", "clib_rwlock_t")),
    *(Decl(lk, LOCK_CALL, h) for lk, (_, h) in LOCKS.items()),
    *(Decl(un, UNLOCK_CALL, h) for _, (un, h) in LOCKS.items()),
    *(Decl(n, ATOMIC_CALL, "vppinfra/atomics.h") for n in (
        "clib_atomic_fetch_add", "clib_atomic_fetch_sub", "clib_atomic_fetch_and",
        "clib_atomic_fetch_or", "clib_atomic_fetch_xor", "clib_atomic_add_fetch",
        "clib_atomic_sub_fetch", "clib_atomic_cmp_and_swap", "clib_atomic_bool_cmp_and_swap",
        "clib_atomic_swap_acq_n", "clib_atomic_release", "clib_atomic_load_relax_n",
        "clib_atomic_store_relax_n", "clib_atomic_load_acq_n", "clib_atomic_store_rel_n",
        "clib_atomic_fetch_add_rel", "clib_atomic_fetch_add_relax", "clib_atomic_test_and_set",
        "clib_atomic_cmp_and_swap_acq_relax_n")),
    # the calling thread's index
    Decl("vlib_get_thread_index", THREAD_ID, "vlib/threads.h|vlib/vlib.h"),
    Decl("os_get_thread_index", THREAD_ID, "vppinfra/os.h"),
    Decl("vlib_thread_index", THREAD_ID, "vlib/threads.h", kind="variable",
         note="the __thread variable vlib_get_thread_index () returns"),
    Decl("thread_index", THREAD_ID, "vlib/main.h", owner="vlib_main_t", kind="member"),
    Decl("thread_index", THREAD_ID, "vlib/node.h", owner="vlib_node_runtime_t", kind="member"),
    # the packet and the framework objects next to it
    Decl("vlib_buffer_t", PACKET, "vlib/buffer.h"),
    Decl("vlib_frame_t", PACKET, "vlib/node.h", note="the frame of buffers"),
    *(Decl(n, CONTEXT, h) for n, h in (("vlib_node_runtime_t", "vlib/node.h"),
                                         ("vlib_main_t", "vlib/main.h"),
                                         ("unformat_input_t", "vppinfra/format.h"),
                                         ("vlib_cli_command_t", "vlib/cli.h"))),
    *(Decl(n, NON_STATE, h) for n, h in (
        ("vlib_main_t", "vlib/main.h"), ("vnet_main_t", "vnet/vnet.h"),
        ("vlib_node_runtime_t", "vlib/node.h"), ("vlib_frame_t", "vlib/node.h"),
        ("clib_spinlock_t", "vppinfra/lock.h"))),
)

# memcpy-like copies (vppinfra/string.h): args = (destination, source)
ROWS = ROWS + tuple(Decl(n, COPY_CALL, "vppinfra/string.h", args=(0, 1))
                    for n in ("clib_memcpy", "clib_memcpy_fast"))

# Heap allocators (vppinfra/mem.h): their result is fresh memory of its own.
ROWS = ROWS + tuple(Decl(n, ALLOCATOR, "vppinfra/mem.h") for n in (
    "clib_mem_alloc", "clib_mem_alloc_aligned", "clib_mem_alloc_or_null",
    "clib_mem_alloc_aligned_or_null", "clib_mem_realloc"))

# Macros that paste the bihash instance suffix onto a name (vppinfra/bihash_template.h):
# ``BV (clib_bihash_search_inline) (h, &kv)`` calls clib_bihash_search_inline_<K>_<V>.
NAME_PASTING_MACROS = ("BV",)
