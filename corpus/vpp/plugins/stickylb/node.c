// Insert on the first packet, read-only afterwards (the bihash value is the backend).
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include "stickylb.h"

stickylb_main_t stickylb_main;

always_inline void
make_key (clib_bihash_kv_16_8_t *kv, u32 src, u32 dst, u16 sport, u16 dport, u8 proto)
{
  kv->key[0] = ((u64) src << 32) | dst;
  kv->key[1] = ((u64) sport << 24) | ((u64) dport << 8) | proto;
}

static u32
stickylb_pick (stickylb_main_t *sm)
{
  u32 i = sm->next_backend++;
  return i % vec_len (sm->backends);
}

VLIB_NODE_FN (stickylb_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  stickylb_main_t *sm = &stickylb_main;
  u32 *from = vlib_frame_vector_args (frame);
  u32 n = frame->n_vectors;
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < n; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      tcp_header_t *tcp = ip4_next_header (ip);
      clib_bihash_kv_16_8_t kv, hit;

      make_key (&kv, ip->src_address.as_u32, ip->dst_address.as_u32, tcp->src_port,
		tcp->dst_port, ip->protocol);
      if (clib_bihash_search_16_8 (&sm->sticky, &kv, &hit) < 0)
	{
	  clib_spinlock_lock (&sm->writer_lock);
	  kv.value = stickylb_pick (sm);
	  clib_bihash_add_del_16_8 (&sm->sticky, &kv, 1);
	  clib_spinlock_unlock (&sm->writer_lock);
	  hit = kv;
	}
      stickylb_backend_t *be = vec_elt_at_index (sm->backends, hit.value);
      ip->dst_address.as_u32 = be->address.as_u32;
      ip->checksum = ip4_header_checksum (ip);
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, n);
  return n;
}

VLIB_REGISTER_NODE (stickylb_node) = {
  .name = "stickylb",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
