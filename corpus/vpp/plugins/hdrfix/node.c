// Rewrites DSCP and TTL, recomputes the checksum.  No state at all.
// CHECK: stateful=false
// CHECK: key=
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>

typedef struct
{
  u8 dscp;			/* configured marking */
} hdrfix_main_t;

hdrfix_main_t hdrfix_main;

static_always_inline void
hdrfix_one (ip4_header_t *ip, u8 dscp)
{
  ip->tos = (u8) (dscp << 2) | (ip->tos & 0x3);
  if (ip->ttl > 1)
    ip->ttl -= 1;
  ip->checksum = ip4_header_checksum (ip);
}

VLIB_NODE_FN (hdrfix_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  u32 *from = vlib_frame_vector_args (frame);
  vlib_buffer_t *bufs[VLIB_FRAME_SIZE];
  u16 nexts[VLIB_FRAME_SIZE];
  u8 dscp = hdrfix_main.dscp;

  vlib_get_buffers (vm, from, bufs, frame->n_vectors);
  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      hdrfix_one (vlib_buffer_get_current (bufs[i]), dscp);
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (hdrfix_node) = {
  .name = "hdrfix",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
