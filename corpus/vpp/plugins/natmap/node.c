// Endpoint-independent mapping per worker; the binding is created once and read after.
// CHECK: stateful=true
// CHECK: key=src_ip,src_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=per-core
#include "natmap.h"

natmap_main_t natmap_main;

static natmap_binding_t *
natmap_bind (natmap_main_t *nm, natmap_per_thread_data_t *ptd, clib_bihash_kv_8_8_t *kv)
{
  natmap_binding_t *bn;
  pool_get (ptd->bindings, bn);
  bn->outside_addr = nm->outside_addr;
  bn->outside_port = clib_host_to_net_u16 (ptd->next_port++);
  kv->value = bn - ptd->bindings;
  clib_bihash_add_del_8_8 (&ptd->in2out, kv, 1);
  return bn;
}

VLIB_NODE_FN (natmap_in2out_node) (vlib_main_t *vm, vlib_node_runtime_t *node,
				   vlib_frame_t *frame)
{
  natmap_main_t *nm = &natmap_main;
  u32 thread_index = vm->thread_index;
  natmap_per_thread_data_t *ptd = vec_elt_at_index (nm->per_thread_data, thread_index);
  u32 *from = vlib_frame_vector_args (frame);
  u16 nexts[VLIB_FRAME_SIZE];

  for (u32 i = 0; i < frame->n_vectors; i++)
    {
      vlib_buffer_t *b0 = vlib_get_buffer (vm, from[i]);
      ip4_header_t *ip0 = vlib_buffer_get_current (b0);
      udp_header_t *udp0 = ip4_next_header (ip0);
      clib_bihash_kv_8_8_t kv0, value0;
      natmap_binding_t *bn0;

      kv0.key[0] = natmap_make_key (ip0->src_address, udp0->src_port, ip0->protocol);
      if (clib_bihash_search_8_8 (&ptd->in2out, &kv0, &value0) == 0)
	bn0 = pool_elt_at_index (ptd->bindings, value0.value);
      else
	bn0 = natmap_bind (nm, ptd, &kv0);

      ip0->src_address = bn0->outside_addr;
      udp0->src_port = bn0->outside_port;
      udp0->checksum = 0;
      ip0->checksum = ip4_header_checksum (ip0);
      nexts[i] = 0;
    }
  vlib_buffer_enqueue_to_next (vm, node, from, nexts, frame->n_vectors);
  return frame->n_vectors;
}

VLIB_REGISTER_NODE (natmap_in2out_node) = {
  .name = "natmap-in2out",
  .vector_size = sizeof (u32),
  .n_next_nodes = 1,
  .next_nodes = { [0] = "ip4-lookup" },
};
