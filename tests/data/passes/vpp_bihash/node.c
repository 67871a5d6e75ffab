/* VPP-style node: bihash keyed by packed addresses, pool of sessions. */
#include <vlib/vlib.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct {
  u32 *out_ports;       /* vec of ports: nested */
  f64 last_seen;
  u32 hits;
} demo_session_t;

typedef struct {
  clib_bihash_8_8_t session_hash;
  demo_session_t *sessions;   /* pool */
  u64 total;
} demo_main_t;

demo_main_t demo_main;

static void
demo_make_key (clib_bihash_kv_8_8_t *kv, ip4_header_t *ip)
{
  kv->key = (u64) ip->dst_address.as_u32 << 32 | ip->src_address.as_u32;
}

VLIB_NODE_FN (demo_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  demo_main_t *dm = &demo_main;
  u32 *from = vlib_frame_vector_args (frame);
  u32 n_left = frame->n_vectors;
  while (n_left > 0)
    {
      vlib_buffer_t *b0 = vlib_get_buffer (vm, from[0]);
      ip4_header_t *ip0 = vlib_buffer_get_current (b0);
      clib_bihash_kv_8_8_t kv, value;
      demo_session_t *s;
      demo_make_key (&kv, ip0);
      if (clib_bihash_search_8_8 (&dm->session_hash, &kv, &value))
        {
          pool_get (dm->sessions, s);
          kv.value = s - dm->sessions;
          clib_bihash_add_del_8_8 (&dm->session_hash, &kv, 1);
        }
      else
        s = pool_elt_at_index (dm->sessions, value.value);
      s->last_seen = vlib_time_now (vm);
      s->hits += 1;
      from++;
      n_left--;
    }
  return frame->n_vectors;
}
