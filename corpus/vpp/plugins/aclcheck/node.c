// Looks the destination up in a rule table that only the control plane writes:
// configuration read per packet, not per-flow state.
// CHECK: stateful=false
// CHECK: key=
#include "aclcheck.h"

VLIB_NODE_FN (aclcheck_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  aclcheck_main_t *am = &aclcheck_main;
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      clib_bihash_kv_8_8_t kv = { .key = { ip->dst_address.as_u32 } }, rule;
      u32 action = am->default_action;
      if (clib_bihash_search_8_8 (&am->rules, &kv, &rule) == 0)
	action = (u32) rule.value;
      nexts[i] = action == ACLCHECK_DENY ? 1 : 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (aclcheck_node) = {
  .name = "aclcheck",
  .vector_size = sizeof (u32),
  .n_next_nodes = 2,
  .next_nodes = { [0] = "ip4-lookup", [1] = "error-drop" },
};
