#include <tiny/tiny_table.h>
VLIB_NODE_FN (tiny_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  tiny_session_entry_t *s = tiny_session_at (frame->first_buffer_index_hash);
  s->hits++;
  tiny_session_touch (s, 7);
  return 0;
}
VLIB_REGISTER_NODE (tiny_node) = { .name = "tiny", .vector_size = sizeof (u32), };
