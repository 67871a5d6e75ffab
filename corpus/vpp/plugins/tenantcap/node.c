// Per-tenant byte quota: a tenant is a (VLAN, source address) pair on a trunk.
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: key_other=vlan
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <vnet/vnet.h>
#include <vnet/ethernet/ethernet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{
  clib_bihash_8_8_t usage;	/* (vlan, src) -> bytes used, value updated in place */
} tenantcap_thread_t;

typedef struct
{
  tenantcap_thread_t *per_thread_data;
  u64 quota_bytes;
} tenantcap_main_t;

tenantcap_main_t tenantcap_main;

#define TENANT_KEY(vlan_id, addr) ((u64) (vlan_id) << 32 | (u64) (addr))

VLIB_NODE_FN (tenantcap_node) (vlib_main_t *vm, vlib_node_runtime_t *node, vlib_frame_t *frame)
{
  tenantcap_main_t *tm = &tenantcap_main;
  tenantcap_thread_t *tt = vec_elt_at_index (tm->per_thread_data, vm->thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b = vlib_get_buffer (vm, from[i]);
      ethernet_header_t *eth = vlib_buffer_get_current (b);
      ethernet_vlan_header_t *tag = (ethernet_vlan_header_t *) (eth + 1);
      ip4_header_t *ip = (ip4_header_t *) (tag + 1);
      u16 vlan = clib_net_to_host_u16 (tag->priority_cfi_and_id) & 0xfff;
      clib_bihash_kv_8_8_t kv = { .key = { TENANT_KEY (vlan, ip->src_address.as_u32) } }, used;

      kv.value = b->current_length;
      if (clib_bihash_search_8_8 (&tt->usage, &kv, &used) == 0)
	kv.value += used.value;
      clib_bihash_add_del_8_8 (&tt->usage, &kv, 1);
      nexts[i] = kv.value > tm->quota_bytes ? 1 : 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (tenantcap_node) = {
  .name = "tenantcap",
  .vector_size = sizeof (u32),
  .n_next_nodes = 2,
  .next_nodes = { [0] = "l2-output", [1] = "error-drop" },
};
