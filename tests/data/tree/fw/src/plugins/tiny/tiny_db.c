#include <tiny/tiny_table.h>
void tiny_session_touch (tiny_session_entry_t *s, u32 now_value) { s->last_seen_at_time = now_value; }
