"""The shape of one reviewed row of framework knowledge.

A row names one framework declaration (its qualified name and, where it
matters, the header declaring it) and says what it means to the passes.
Rows are matched exactly against the declaration libclang resolves, or
against a spelled identifier equal to the row's name -- never against a
substring or suffix of a user's identifier (``knowledge.match``).
"""
from __future__ import annotations

from dataclasses import dataclass

# What a declaration means.  Types:
CONTAINER = "container"        # holds elements in memory of its own (kind: hashtable|map|array|...)
PER_THREAD = "per-thread"      # wrapper template: one instance per thread
SHARED = "shared"              # wrapper template: one instance shared by all threads
THREAD_SAFE = "thread-safe"    # synchronises itself (internal locks or atomics)
LOCK_TYPE = "lock-type"        # a lock object
LOCK_GUARD = "lock-guard"      # RAII guard: declaring one holds a lock to the end of the block
ATOMIC_TYPE = "atomic-type"    # atomic integer
SCALAR = "scalar"              # a plain number/flag type (never a table)
PACKET = "packet"              # the packet (a parameter of this type is never flow state)
CONTEXT = "context"            # framework context object passed next to the packet
NON_STATE = "non-state"        # framework object an NF member may hold that is not state
# Calls / methods / macros:
TABLE_CALL = "table-call"      # a table operation: args = (table argument, key argument)
KEYED_METHOD = "keyed-method"  # a container method taking the key as its first argument
READ_METHOD = "read-method"    # a container/object method that does not mutate
INSERT_METHOD = "insert-method"  # a container method that inserts
ALLOCATOR = "allocator"        # returns fresh heap memory
INSERT_CALL = "insert-call"    # adds an element to the container its first argument names (no key)
INDEX_CALL = "index-call"      # element of a pool/vector by index: args = (pool, index)
VEC_OP = "vec-op"              # a VPP vector/pool/fifo/hash macro on the vector in arg 0
LOCK_CALL = "lock"             # takes a lock (function, or method of owner)
UNLOCK_CALL = "unlock"         # releases a lock
ATOMIC_CALL = "atomic"         # atomic read-modify-write / load / store
THREAD_ID = "thread-id"        # the calling thread's id / index (call, variable or member of owner)
COPY_CALL = "copy"             # memcpy-like: args = (destination, source)
# Packet annotations and per-flow blocks handed downstream (kind: what it carries):
ANNOTATION = "annotation"      # reads a packet annotation (kind: its name, e.g. 'paint', or a key field)
ANNOTATION_SET = "annotation-set"  # sets a packet annotation (kind as ANNOTATION)
FLOW_BLOCK = "flow-block"      # the current packet's per-flow block set by an upstream flow manager
HEADER_SETTER = "header-setter"  # writes packet header fields; kind: 'f,g|h,i' = the field set
                               # chosen by the constant in argument args[0] (0, 1, ...)


@dataclass(frozen=True)
class Decl:
    """One framework declaration and what it means.

    ``name``: the declared name (``HashTableMP``, ``clib_bihash_search_16_8``,
    ``std::vector``); ``owner``: the class/struct it is a member of (methods,
    fields such as ``vlib_main_t::thread_index``), '' for free names;
    ``header``: the framework header declaring it (path suffix; ``a|b`` when
    trees differ, e.g. the real tree and the corpus's mini headers);
    ``kind``: role detail (container kind, table operation); ``args``: argument
    positions the role uses; ``note``: why, for the reviewer."""
    name: str
    role: str
    header: str = ""
    owner: str = ""
    kind: str = ""
    args: tuple[int, ...] = ()
    note: str = ""

    @property
    def simple(self) -> str:
        """The unqualified name (``vector`` of ``std::vector``)."""
        return self.name.rsplit("::", 1)[-1]
