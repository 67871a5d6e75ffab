/* Packet buffers: metadata, opaque area for vnet, then the packet bytes. */
#ifndef included_vlib_buffer_h
#define included_vlib_buffer_h
#include <vppinfra/clib.h>

#define VLIB_N_RX_TX 2
#define VLIB_RX 0
#define VLIB_TX 1

typedef struct {
  i16 current_data;        /* offset of the current header in data[] */
  u16 current_length;
  u32 flags;
  u32 flow_id;
  u8 ref_count;
  u8 buffer_pool_index;
  u16 error;
  u32 next_buffer;
  u32 trace_handle;
  u32 total_length_not_including_first_buffer;
  u32 opaque[16];          /* vnet_buffer_opaque_t */
  u32 opaque2[14];
  u8 pre_data[128];
  u8 data[0];
} vlib_buffer_t;

always_inline void *
vlib_buffer_get_current (vlib_buffer_t *b)
{
  return b->data + b->current_data;
}

always_inline void
vlib_buffer_advance (vlib_buffer_t *b, word l)
{
  b->current_data += l;
  b->current_length -= l;
}
#endif
