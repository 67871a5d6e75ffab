// Per-direction byte counters: the key puts the source address in one word and
// the destination in the other, so a reply is a different entry (not symmetric).
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,protocol
// CHECK: key_other=
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_16_8.h>

typedef struct
{
  u64 bytes;
  u32 packets;
} oneway_counter_t;

typedef struct
{
  clib_bihash_16_8_t by_direction;
  oneway_counter_t *counters;
} oneway_thread_t;

typedef struct
{
  oneway_thread_t *threads;
} oneway_main_t;

oneway_main_t oneway_main;

VLIB_NODE_FN (oneway_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  oneway_thread_t *t = vec_elt_at_index (oneway_main.threads, vm->thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      clib_bihash_kv_16_8_t kv, hit;
      oneway_counter_t *c;

      nexts[i] = 0;
      kv.key[0] = (u64) ip->src_address.as_u32;
      kv.key[1] = (u64) ip->dst_address.as_u32 | (u64) ip->protocol << 32;
      if (clib_bihash_search_16_8 (&t->by_direction, &kv, &hit) == 0)
	c = pool_elt_at_index (t->counters, hit.value);
      else
	{
	  pool_get_zero (t->counters, c);
	  kv.value = c - t->counters;
	  clib_bihash_add_del_16_8 (&t->by_direction, &kv, 1);
	}
      c->packets++;
      c->bytes += clib_net_to_host_u16 (ip->length);
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (oneway_node) = {
  .name = "oneway",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
