#include <tally/tally.h>
static inline void tally_one (tally_main_t *tm, uint32_t src) { tm->hits[src & 1023]++; }
static inline void tally_bump (tally_main_t *tm, uint32_t src) { tally_one (tm, src); }
VLIB_NODE_FN (tally_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  for (uint32_t i = 0; i < frame->n_vectors; i++)
    tally_bump (&tally_main, frame->src[i]);
  return frame->n_vectors;
}
VLIB_REGISTER_NODE (tally_node) = { .name = "tally" };
