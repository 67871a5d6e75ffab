#include <tiny/tiny.h>
static inline tiny_session_entry_t *tiny_session_at (u32 slot_index_value)
{ return &tiny_main.sessions[slot_index_value]; }
