// Load per service (destination address, port, protocol), in VPP's dual-loop
// style: two buffers per iteration, then a single-buffer tail loop.
// CHECK: stateful=true
// CHECK: key=dst_ip,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/tcp/tcp_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{
  u64 requests;
  u64 octets;
} svcload_counter_t;

typedef struct
{
  clib_bihash_8_8_t index;
  svcload_counter_t *counters;	/* pool shared by all workers */
} svcload_main_t;

svcload_main_t svcload_main;

static_always_inline svcload_counter_t *
svcload_find (svcload_main_t *sm, ip4_header_t *ip)
{
  tcp_header_t *tcp = ip4_next_header (ip);
  clib_bihash_kv_8_8_t kv, val;
  svcload_counter_t *c;

  kv.key[0] = (u64) ip->dst_address.as_u32 << 32 | (u64) tcp->dst_port << 8 | ip->protocol;
  if (!clib_bihash_search_8_8 (&sm->index, &kv, &val))
    return pool_elt_at_index (sm->counters, val.value);
  pool_get_zero (sm->counters, c);
  kv.value = c - sm->counters;
  clib_bihash_add_del_8_8 (&sm->index, &kv, 1);
  return c;
}

VLIB_NODE_FN (svcload_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  svcload_main_t *sm = &svcload_main;
  u32 n_left_from = frame->n_vectors, *from = vlib_frame_vector_args (frame);
  vlib_buffer_t *bufs[VLIB_FRAME_SIZE], **b = bufs;
  u16 nexts[VLIB_FRAME_SIZE] = { 0 };

  vlib_get_buffers (vm, from, bufs, n_left_from);
  while (n_left_from >= 2)
    {
      svcload_counter_t *c0, *c1;
      c0 = svcload_find (sm, vlib_buffer_get_current (b[0]));
      c1 = svcload_find (sm, vlib_buffer_get_current (b[1]));
      c0->requests++;
      c0->octets += b[0]->current_length;
      c1->requests++;
      c1->octets += b[1]->current_length;
      b += 2;
      n_left_from -= 2;
    }
  while (n_left_from > 0)
    {
      svcload_counter_t *c0 = svcload_find (sm, vlib_buffer_get_current (b[0]));
      c0->requests++;
      c0->octets += b[0]->current_length;
      b += 1;
      n_left_from -= 1;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (svcload_node) = {
  .name = "svcload",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
