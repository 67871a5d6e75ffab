// Per-worker bihash (5-tuple -> pool index); counters updated on every packet.
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include "flowstat.h"

flowstat_main_t flowstat_main;

static_always_inline void
flowstat_make_kv (clib_bihash_kv_16_8_t *kv, ip4_header_t *ip, udp_header_t *udp)
{
  kv->key[0] = (u64) ip->src_address.as_u32 << 32 | ip->dst_address.as_u32;
  kv->key[1] = (u64) udp->src_port << 32 | (u64) udp->dst_port << 16 | ip->protocol;
  kv->value = ~0ULL;
}

VLIB_NODE_FN (flowstat_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  flowstat_main_t *fm = &flowstat_main;
  u32 thread_index = vm->thread_index;
  flowstat_per_thread_data_t *ptd = vec_elt_at_index (fm->per_thread_data, thread_index);
  u32 n_left = frame->n_vectors, *from = vlib_frame_vector_args (frame);
  vlib_buffer_t *bufs[VLIB_FRAME_SIZE], **b = bufs;
  u16 nexts[VLIB_FRAME_SIZE], *next = nexts;
  f64 now = vlib_time_now (vm);

  vlib_get_buffers (vm, from, bufs, n_left);
  while (n_left > 0)
    {
      ip4_header_t *ip = vlib_buffer_get_current (b[0]);
      udp_header_t *udp = ip4_next_header (ip);
      clib_bihash_kv_16_8_t kv, value;
      flowstat_entry_t *e;

      flowstat_make_kv (&kv, ip, udp);
      if (clib_bihash_search_16_8 (&ptd->table, &kv, &value) == 0)
	e = pool_elt_at_index (ptd->entries, value.value);
      else
	{
	  pool_get_zero (ptd->entries, e);
	  kv.value = e - ptd->entries;
	  clib_bihash_add_del_16_8 (&ptd->table, &kv, 1 /* is_add */);
	}
      e->packets += 1;
      e->bytes += b[0]->current_length;
      e->last_heard = now;

      next[0] = 0;
      b++;
      next++;
      n_left--;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (flowstat_node) = {
  .name = "flowstat",
  .vector_size = sizeof (u32),
  .type = VLIB_NODE_TYPE_INTERNAL,
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
