// Per-tunnel session accounting behind a GTP-U decapsulation: each session is
// found by the tunnel endpoint id (TEID) of the outer header, not by addresses.
// CHECK: stateful=true
// CHECK: key=
// CHECK: key_other=tunnel_id
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vppinfra/bihash_8_8.h>
#include <gtpu/gtpu_packet.h>

typedef struct
{
  u64 bytes;
  u32 packets;
} tunsess_session_t;

typedef struct
{
  clib_bihash_8_8_t session_by_teid;
  tunsess_session_t *sessions;
} tunsess_thread_t;

typedef struct
{
  tunsess_thread_t *threads;
} tunsess_main_t;

tunsess_main_t tunsess_main;

VLIB_NODE_FN (tunsess_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  tunsess_thread_t *t = vec_elt_at_index (tunsess_main.threads, vm->thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      udp_header_t *udp = (udp_header_t *) (ip + 1);
      gtpu_header_t *gtp = (gtpu_header_t *) (udp + 1);
      clib_bihash_kv_8_8_t kv, hit;
      tunsess_session_t *s;

      nexts[i] = 0;
      kv.key[0] = clib_net_to_host_u32 (gtp->teid);
      if (clib_bihash_search_8_8 (&t->session_by_teid, &kv, &hit) == 0)
	s = pool_elt_at_index (t->sessions, hit.value);
      else
	{
	  pool_get_zero (t->sessions, s);
	  kv.value = s - t->sessions;
	  clib_bihash_add_del_8_8 (&t->session_by_teid, &kv, 1);
	}
      s->packets++;
      s->bytes += clib_net_to_host_u16 (gtp->length);
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (tunsess_node) = {
  .name = "tunsess",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
