// The node calls helpers defined in session.c (another translation unit).
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include "idlereap.h"

VLIB_NODE_FN (idlereap_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  idlereap_thread_t *t = vec_elt_at_index (idlereap_main.threads, vlib_get_thread_index ());
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];
  f64 now = vlib_time_now (vm);

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      idlereap_session_t *s = idlereap_session_get (t, ip, now);
      idlereap_session_touch (s, now, b->current_length);
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (idlereap_node) = {
  .name = "idlereap",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
