// The per-flow record holds vectors and a pointer to another record.
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
// CHECK: sharing=unsafe
#include "sessionq.h"

sessionq_main_t sessionq_main;

static void
sessionq_key (clib_bihash_kv_16_8_t *kv, ip4_address_t *s, ip4_address_t *d, u16 sp, u16 dp,
	      u8 proto)
{
  kv->key[0] = ((u64) s->as_u32) | ((u64) d->as_u32 << 32);
  kv->key[1] = ((u64) sp) | ((u64) dp << 16) | ((u64) proto << 32);
}

static sessionq_flow_t *
sessionq_flow (sessionq_main_t *sm, clib_bihash_kv_16_8_t *kv)
{
  clib_bihash_kv_16_8_t found;
  sessionq_flow_t *f;
  if (clib_bihash_search_16_8 (&sm->flow_table, kv, &found) == 0)
    return pool_elt_at_index (sm->flows, found.value);
  pool_get_zero (sm->flows, f);
  kv->value = f - sm->flows;
  clib_bihash_add_del_16_8 (&sm->flow_table, kv, 1);
  return f;
}

VLIB_NODE_FN (sessionq_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  sessionq_main_t *sm = &sessionq_main;
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      udp_header_t *udp = ip4_next_header (ip);
      clib_bihash_kv_16_8_t kv;
      sessionq_flow_t *f;

      sessionq_key (&kv, &ip->src_address, &ip->dst_address, udp->src_port, udp->dst_port,
		    ip->protocol);
      f = sessionq_flow (sm, &kv);
      if (vec_len (f->recent_buffers) >= 32)
	{
	  vec_reset_length (f->recent_buffers);
	  vec_reset_length (f->recent_lengths);
	}
      vec_add1 (f->recent_buffers, from[i]);
      vec_add1 (f->recent_lengths, b->current_length);
      f->octets += b->current_length;
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (sessionq_node) = {
  .name = "sessionq",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
