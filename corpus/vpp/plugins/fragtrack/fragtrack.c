// Fragments of one datagram share (src, dst, IP identification).
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: key_other=ip_id
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_16_8.h>

typedef struct
{
  u32 bytes_seen;
  u16 fragments;
  u8 have_last;
} fragtrack_datagram_t;

typedef struct
{
  clib_bihash_16_8_t datagrams;
  fragtrack_datagram_t *pool;
} fragtrack_thread_t;

typedef struct
{
  fragtrack_thread_t *threads;
} fragtrack_main_t;

fragtrack_main_t fragtrack_main;

VLIB_NODE_FN (fragtrack_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  fragtrack_thread_t *t = vec_elt_at_index (fragtrack_main.threads, vm->thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      clib_bihash_kv_16_8_t kv, hit;
      fragtrack_datagram_t *d;

      nexts[i] = 0;
      if (!ip4_is_fragment (ip))
	continue;
      kv.key[0] = (u64) ip->src_address.as_u32 << 32 | ip->dst_address.as_u32;
      kv.key[1] = ip->fragment_id;
      if (clib_bihash_search_16_8 (&t->datagrams, &kv, &hit) == 0)
	d = pool_elt_at_index (t->pool, hit.value);
      else
	{
	  pool_get_zero (t->pool, d);
	  kv.value = d - t->pool;
	  clib_bihash_add_del_16_8 (&t->datagrams, &kv, 1);
	}
      d->fragments++;
      d->bytes_seen += clib_net_to_host_u16 (ip->length) - ip4_header_bytes (ip);
      if (!(ip->flags_and_fragment_offset & clib_host_to_net_u16 (0x2000)))
	d->have_last = 1;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (fragtrack_node) = {
  .name = "fragtrack",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
