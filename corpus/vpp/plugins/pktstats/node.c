// Per-worker totals (packets, bytes, frames): global statistics, nothing per flow.
// CHECK: stateful=false
// CHECK: key=
#include <vnet/vnet.h>

typedef struct
{
  CLIB_CACHE_LINE_ALIGN_MARK (cacheline0);
  u64 packets;
  u64 bytes;
  u64 frames;
  u64 max_frame;
} pktstats_per_thread_t;

typedef struct
{
  pktstats_per_thread_t *per_thread_data;
} pktstats_main_t;

pktstats_main_t pktstats_main;

VLIB_NODE_FN (pktstats_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  pktstats_per_thread_t *st = vec_elt_at_index (pktstats_main.per_thread_data, vm->thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  st->frames++;
  st->max_frame = clib_max (st->max_frame, (u64) frame->n_vectors);
  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      st->packets++;
      st->bytes += b->current_length;
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (pktstats_node) = {
  .name = "pktstats",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
