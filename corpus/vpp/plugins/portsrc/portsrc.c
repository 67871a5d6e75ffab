// Keys come from shallow-reassembly metadata, not from the L4 header.
// The bihash value itself is the counter, rewritten on every packet.
// CHECK: stateful=true
// CHECK: key=src_ip,src_port
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{
  clib_bihash_8_8_t by_endpoint;
  u32 node_index;
} portsrc_main_t;

portsrc_main_t portsrc_main;

#define PORTSRC_KEY(addr, port) (((u64) (addr) << 16) | (u64) (port))

static u64
portsrc_bump (portsrc_main_t *pm, u64 key)
{
  clib_bihash_kv_8_8_t kv = { .key = { key }, .value = 0 };
  clib_bihash_kv_8_8_t old;
  if (clib_bihash_search_8_8 (&pm->by_endpoint, &kv, &old) == 0)
    kv.value = old.value;
  kv.value++;
  clib_bihash_add_del_8_8 (&pm->by_endpoint, &kv, 1);
  return kv.value;
}

VLIB_NODE_FN (portsrc_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  portsrc_main_t *pm = &portsrc_main;
  u32 *bi = vlib_frame_vector_args (frame);
  u32 n_left = frame->n_vectors;
  u16 nexts[VLIB_FRAME_SIZE], *next = nexts;

  while (n_left)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, bi[0]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      u16 sport = vnet_buffer (b)->ip.reass.l4_src_port;
      u64 seen = portsrc_bump (pm, PORTSRC_KEY (ip->src_address.as_u32, sport));
      next[0] = seen > 1000000 ? 1 : 0;
      bi++;
      next++;
      n_left--;
    }
  vlib_buffer_enqueue_to_next (vm, node, vlib_frame_vector_args (frame), nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (portsrc_node) = {
  .name = "portsrc",
  .vector_size = sizeof (u32),
  .n_next_nodes = 2,
  .next_nodes = { [0] = "ip4-lookup", [1] = "error-drop" },
};
