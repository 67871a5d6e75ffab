// Both directions of a connection share one session (endpoints are ordered).
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=true
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include "ctwatch.h"

ctwatch_main_t ctwatch_main;

/* Returns 1 when the packet goes from the lower endpoint to the higher one. */
static_always_inline int
ctwatch_fill_key (clib_bihash_kv_16_8_t *kv, ip4_header_t *ip)
{
  ctwatch_key_t *k = (ctwatch_key_t *) &kv->key;
  udp_header_t *l4 = ip4_next_header (ip);
  int forward = ip->src_address.as_u32 < ip->dst_address.as_u32 ||
		(ip->src_address.as_u32 == ip->dst_address.as_u32 && l4->src_port <= l4->dst_port);

  clib_memset (kv, 0, sizeof (*kv));
  if (forward)
    {
      k->lo_addr = ip->src_address;
      k->hi_addr = ip->dst_address;
      k->lo_port = l4->src_port;
      k->hi_port = l4->dst_port;
    }
  else
    {
      k->lo_addr = ip->dst_address;
      k->hi_addr = ip->src_address;
      k->lo_port = l4->dst_port;
      k->hi_port = l4->src_port;
    }
  k->proto = ip->protocol;
  return forward;
}

VLIB_NODE_FN (ctwatch_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  ctwatch_main_t *cm = &ctwatch_main;
  ctwatch_per_thread_t *ptd = vec_elt_at_index (cm->per_thread_data, vlib_get_thread_index ());
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];
  f64 now = vlib_time_now (vm);

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b0 = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip0 = vlib_buffer_get_current (b0);
      clib_bihash_kv_16_8_t kv0, res0;
      ctwatch_session_t *s0;
      int fwd = ctwatch_fill_key (&kv0, ip0);

      if (clib_bihash_search_16_8 (&ptd->sessions, &kv0, &res0))
	{
	  pool_get_zero (ptd->session_pool, s0);
	  kv0.value = s0 - ptd->session_pool;
	  clib_bihash_add_del_16_8 (&ptd->sessions, &kv0, 1);
	}
      else
	s0 = pool_elt_at_index (ptd->session_pool, res0.value);

      s0->last_active = now;
      if (fwd)
	s0->packets_lo_to_hi++;
      else
	s0->packets_hi_to_lo++;
      if (ip0->protocol == IP_PROTOCOL_TCP)
	s0->tcp_flags_seen |= ((tcp_header_t *) ip4_next_header (ip0))->flags;
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (ctwatch_node) = {
  .name = "ctwatch",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
