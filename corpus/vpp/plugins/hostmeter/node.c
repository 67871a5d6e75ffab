// Token bucket per destination host (policer).
// CHECK: stateful=true
// CHECK: key=dst_ip
// CHECK: key_other=
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include "hostmeter.h"

static hostmeter_bucket_t *
hostmeter_bucket (hostmeter_main_t *hm, ip4_address_t *host, f64 now)
{
  clib_bihash_kv_8_8_t kv, v;
  hostmeter_bucket_t *bk;

  kv.key[0] = host->as_u32;
  if (!clib_bihash_search_8_8 (&hm->bucket_by_host, &kv, &v))
    return pool_elt_at_index (hm->buckets, v.value);

  pool_get (hm->buckets, bk);
  bk->tokens = hm->burst_bytes;
  bk->last_update = now;
  kv.value = bk - hm->buckets;
  clib_bihash_add_del_8_8 (&hm->bucket_by_host, &kv, 1);
  return bk;
}

VLIB_NODE_FN (hostmeter_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  hostmeter_main_t *hm = &hostmeter_main;
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];
  f64 now = vlib_time_now (vm);

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip = vlib_buffer_get_current (b);
      hostmeter_bucket_t *bk = hostmeter_bucket (hm, &ip->dst_address, now);

      bk->tokens += (i64) ((now - bk->last_update) * hm->rate_bytes_per_sec);
      bk->tokens = clib_min (bk->tokens, (i64) hm->burst_bytes);
      bk->last_update = now;
      if (bk->tokens >= b->current_length)
	{
	  bk->tokens -= b->current_length;
	  nexts[i] = 0;
	}
      else
	nexts[i] = 1;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (hostmeter_node) = {
  .name = "hostmeter",
  .vector_size = sizeof (u32),
  .n_next_nodes = 2,
  .next_nodes = { [0] = "ip4-lookup", [1] = "error-drop" },
};
