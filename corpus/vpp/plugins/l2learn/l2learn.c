// Station table keyed on the Ethernet source address; refreshed on every frame.
// CHECK: stateful=true
// CHECK: key=
// CHECK: key_other=src_mac
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <vnet/vnet.h>
#include <vnet/ethernet/ethernet.h>
#include <vppinfra/bihash_8_8.h>
#include <vppinfra/lock.h>

typedef struct
{
  clib_bihash_8_8_t stations;
  clib_spinlock_t lock;
} l2learn_main_t;

l2learn_main_t l2learn_main;

static_always_inline u64
l2learn_mac_key (const u8 *mac)
{
  u64 k = 0;
  clib_memcpy_fast (&k, mac, 6);
  return k;
}

VLIB_NODE_FN (l2learn_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  l2learn_main_t *lm = &l2learn_main;
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];
  u32 now = (u32) vlib_time_now (vm);

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ethernet_header_t *eth = vlib_buffer_get_current (b);
      clib_bihash_kv_8_8_t kv;

      kv.key[0] = l2learn_mac_key (eth->src_address);
      kv.value = (u64) vnet_buffer (b)->sw_if_index[VLIB_RX] << 32 | now;
      clib_spinlock_lock (&lm->lock);
      clib_bihash_add_del_8_8 (&lm->stations, &kv, 1);
      clib_spinlock_unlock (&lm->lock);
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (l2learn_node) = {
  .name = "l2learn",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "l2-output" },
};
