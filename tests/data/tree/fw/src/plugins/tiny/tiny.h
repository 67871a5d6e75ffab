#include <vlib/vlib.h>
typedef struct { u32 hits; u32 last_seen_at_time; } tiny_session_entry_t;
typedef struct { tiny_session_entry_t *sessions; u32 configured_limit; } tiny_main_t;
extern tiny_main_t tiny_main;
