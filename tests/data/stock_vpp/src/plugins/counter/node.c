/* Counts packets per source; includes headers the build generates. */
#include <counter/counter.h>
#include <counter/counter.api_enum.h>

counter_main_t counter_main;

VLIB_NODE_FN (counter_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  for (uint32_t i = 0; i < frame->n_vectors; i++)
    counter_main.per_src[frame->src[i] & 1023]++;
  return frame->n_vectors + VL_API_COUNTER_ENABLE;
}
