"""FastClick: what its containers, per-thread wrappers, locks and thread-id calls mean.

Written from the public headers' declarations (``include/click/*.hh``); no
code of theirs is copied.  Every row names the header declaring it.
"""
from __future__ import annotations

from .schema import (ANNOTATION, ANNOTATION_SET, ATOMIC_CALL, ATOMIC_TYPE, CONTAINER, CONTEXT,
                     FLOW_BLOCK, HEADER_SETTER, INSERT_METHOD, KEYED_METHOD, LOCK_CALL, LOCK_TYPE, NON_STATE,
                     PACKET, PER_THREAD, READ_METHOD, SCALAR, SHARED, THREAD_ID, THREAD_SAFE,
                     UNLOCK_CALL, Decl)

FRAMEWORK = "fastclick"

_CONTAINERS = [
    # name, header, kind
    ("HashTable", "click/hashtable.hh", "hashtable"),
    ("HashMap", "click/hashmap.hh", "hashtable"),
    ("HashContainer", "click/hashcontainer.hh", "hashtable"),
    ("HashTableMP", "click/hashtablemp.hh", "hashtable"),
    ("HashContainerMP", "click/hashtablemp.hh", "hashtable"),
    ("Vector", "click/vector.hh", "array"),
    ("Bitvector", "click/bitvector.hh", "array"),
    ("String", "click/string.hh", "string"),
]

ROWS: tuple[Decl, ...] = (
    *(Decl(n, CONTAINER, h, kind=k) for n, h, k in _CONTAINERS),
    # multi-producer tables: every operation takes the table's own lock
    Decl("HashTableMP", THREAD_SAFE, "click/hashtablemp.hh", note="locks per bucket"),
    Decl("HashContainerMP", THREAD_SAFE, "click/hashtablemp.hh", note="locks per bucket"),
    Decl("atomic_uint32_t", ATOMIC_TYPE, "click/atomic.hh"),
    Decl("atomic_uint64_t", ATOMIC_TYPE, "click/atomic.hh"),
    *(Decl(m, ATOMIC_CALL, "click/atomic.hh", owner=o) for o in ("atomic_uint32_t", "atomic_uint64_t")
      for m in ("fetch_and_add", "compare_swap", "compare_and_swap", "swap", "dec_and_test")),
    Decl("atomic_uint32_t", SCALAR, "click/atomic.hh"),
    Decl("atomic_uint64_t", SCALAR, "click/atomic.hh"),
    Decl("click_jiffies_t", SCALAR, "click/glue.hh"),
    Decl("Timestamp", SCALAR, "click/timestamp.hh"),
    # per-thread wrappers: one T per thread, picked by the calling thread's id
    Decl("per_thread", PER_THREAD, "click/sync.hh|click/multithread.hh"),
    Decl("per_thread_oread", PER_THREAD, "click/multithread.hh"),
    Decl("per_thread_omem", PER_THREAD, "click/multithread.hh"),
    Decl("per_thread_arithmetic", PER_THREAD, "click/multithread.hh"),
    Decl("not_per_thread", SHARED, "click/sync.hh|click/multithread.hh",
         note="one T for all threads, no lock"),
    # locks
    Decl("Spinlock", LOCK_TYPE, "click/sync.hh"),
    Decl("SimpleSpinlock", LOCK_TYPE, "click/sync.hh"),
    Decl("ReadWriteLock", LOCK_TYPE, "click/sync.hh"),
    Decl("RWLock", LOCK_TYPE, "click/multithread.hh"),
    *(Decl(m, LOCK_CALL, "click/sync.hh", owner=o) for o in ("Spinlock", "SimpleSpinlock")
      for m in ("acquire", "lock")),
    *(Decl(m, UNLOCK_CALL, "click/sync.hh", owner=o) for o in ("Spinlock", "SimpleSpinlock")
      for m in ("release", "unlock")),
    *(Decl(m, LOCK_CALL, "click/sync.hh", owner="ReadWriteLock") for m in ("acquire_read",
                                                                            "acquire_write")),
    *(Decl(m, UNLOCK_CALL, "click/sync.hh", owner="ReadWriteLock") for m in ("release_read",
                                                                              "release_write")),
    *(Decl(m, LOCK_CALL, "click/multithread.hh", owner="RWLock")
      for m in ("read_begin", "write_begin", "read_lock", "write_lock")),
    *(Decl(m, UNLOCK_CALL, "click/multithread.hh", owner="RWLock")
      for m in ("read_end", "write_end", "read_unlock", "write_unlock")),
    # the calling thread's id
    Decl("click_current_cpu_id", THREAD_ID, "click/glue.hh"),
    Decl("click_current_thread_id", THREAD_ID, "click/glue.hh"),
    Decl("current_thread_id", THREAD_ID, "click/glue.hh"),
    # container methods taking a key first
    *(Decl(m, KEYED_METHOD, "click/hashtable.hh", owner="HashTable")
      for m in ("find", "find_insert", "get", "get_pointer", "set", "erase", "remove", "insert",
                "count", "operator[]")),
    *(Decl(m, KEYED_METHOD, "click/hashmap.hh", owner="HashMap")
      for m in ("find", "findp", "find_force", "insert", "remove", "operator[]")),
    *(Decl(m, KEYED_METHOD, "click/hashtablemp.hh", owner=o) for o in ("HashTableMP",
                                                                        "HashContainerMP")
      for m in ("find", "find_create", "find_insert", "insert")),
    *(Decl(m, INSERT_METHOD, "click/hashtablemp.hh", owner="HashContainerMP")
      for m in ("find_insert", "find_create", "insert")),
    *(Decl(m, INSERT_METHOD, "click/hashtable.hh", owner="HashTable")
      for m in ("insert", "set", "find_insert")),
    *(Decl(m, READ_METHOD, "click/hashtable.hh", owner="HashTable")
      for m in ("size", "count", "get", "find", "empty", "begin", "end")),
    *(Decl(m, READ_METHOD, "click/hashmap.hh", owner="HashMap::iterator") for m in ("key", "value")),
    *(Decl("value", READ_METHOD, "click/atomic.hh", owner=o) for o in ("atomic_uint32_t",
                                                                        "atomic_uint64_t")),
    *(Decl(m, READ_METHOD, "click/tokenbucket.hh", owner="TokenBucketX")
      for m in ("time_point", "contains", "size", "empty")),
    *(Decl(m, READ_METHOD, "click/string.hh", owner="String")
      for m in ("c_str", "data", "length")),
    # the packet and the framework objects next to it
    *(Decl(n, PACKET, "click/packet.hh") for n in ("Packet", "WritablePacket")),
    Decl("PacketBatch", PACKET, "click/packetbatch.hh"),
    *(Decl(n, CONTEXT, h) for n, h in (("ErrorHandler", "click/error.hh"),
                                         ("Element", "click/element.hh"),
                                         ("Router", "click/router.hh"),
                                         ("Task", "click/task.hh"),
                                         ("Timer", "click/timer.hh"))),
    *(Decl(n, NON_STATE, h) for n, h in (
        ("Packet", "click/packet.hh"), ("WritablePacket", "click/packet.hh"),
        ("PacketBatch", "click/packetbatch.hh"), ("ErrorHandler", "click/error.hh"),
        ("Element", "click/element.hh"), ("String", "click/string.hh"),
        ("Router", "click/router.hh"), ("Task", "click/task.hh"), ("Timer", "click/timer.hh"),
        ("NotifierSignal", "click/notifier.hh"), ("Spinlock", "click/sync.hh"),
        ("RWLock", "click/multithread.hh"))),
)

# Packet annotations (include/click/packet_anno.hh, click/packet.hh): reading one
# as a table key makes the key that annotation; setting one hands a value to the
# elements downstream.  kind: the annotation's key name ('anno:<kind>' unless it
# is itself a header field such as dst_ip or vlan).
_ANNOTATIONS = [
    # reader, setter, header, kind
    ("PAINT_ANNO", "SET_PAINT_ANNO", "click/packet_anno.hh", "paint"),
    ("AGGREGATE_ANNO", "SET_AGGREGATE_ANNO", "click/packet_anno.hh", "aggregate"),
    ("FLOW_ID_ANNO", "SET_FLOW_ID_ANNO", "click/packet_anno.hh", "flow_id"),
    ("VLAN_TCI_ANNO", "SET_VLAN_TCI_ANNO", "click/packet_anno.hh", "vlan"),
    ("DST_IP_ANNO", "SET_DST_IP_ANNO", "click/packet_anno.hh", "dst_ip"),
    ("dst_ip_anno", "set_dst_ip_anno", "click/packet.hh", "dst_ip"),
    ("vlan_tci_anno", "set_vlan_tci_anno", "click/packet.hh", "vlan"),
    ("paint_anno", "set_paint_anno", "click/packet.hh", "paint"),
    ("aggregate_anno", "set_aggregate_anno", "click/packet.hh", "aggregate"),
    ("anno_u8", "set_anno_u8", "click/packet.hh", "user"),
    ("anno_u16", "set_anno_u16", "click/packet.hh", "user"),
    ("anno_u32", "set_anno_u32", "click/packet.hh", "user"),
    ("user_anno_u32", "set_user_anno_u32", "click/packet.hh", "user"),
]
ROWS = ROWS + (
    *(Decl(r, ANNOTATION, h, kind=k) for r, _, h, k in _ANNOTATIONS),
    *(Decl(s, ANNOTATION_SET, h, kind=k) for _, s, h, k in _ANNOTATIONS),
    # the packet's flow control block: a flow manager (FlowIPManager...) assigns it
    # after classifying the packet; elements after it read their per-flow data there
    Decl("fcb_stack", FLOW_BLOCK, "click/flow/flow.hh", kind="flow-manager"),
    Decl("FlowControlBlock", FLOW_BLOCK, "click/flow/flow.hh", kind="flow-manager"),
)

# What FastClick's stock flow managers classify on (FlowIPManager and its variants
# key their tables on IPFlow5ID, include/click/flow/common.hh): the key an element on
# a flow control block gets when no chain says which manager feeds it (``audit``).
# In a chain, flowmagec/chain_features.py takes the upstream manager's own key.
FLOW_MANAGER_DEFAULT_KEY = ("src_ip", "dst_ip", "src_port", "dst_port", "protocol")

# Header rewrites done by framework helpers: address + port of the source
# (shift 0) or of the destination (shift 1), checksums updated incrementally.
ROWS = ROWS + (
    Decl("rewrite_ipport", HEADER_SETTER, "click/packet.hh", owner="WritablePacket",
         kind="src_ip,src_port|dst_ip,dst_port", args=(2,)),
    Decl("rewrite_ipport", HEADER_SETTER, "click/iphelper.hh", owner="IPHelper",
         kind="src_ip,src_port|dst_ip,dst_port", args=(3,)),
)
