/* vnet's view of the buffer opaque area: vnet_buffer (b)->... */
#ifndef included_vnet_buffer_h
#define included_vnet_buffer_h
#include <vlib/buffer.h>

typedef struct {
  u32 sw_if_index[VLIB_N_RX_TX];
  i16 l2_hdr_offset;
  i16 l3_hdr_offset;
  i16 l4_hdr_offset;
  u8 feature_arc_index;
  u8 dont_waste_me;
  union {
    struct {
      u32 adj_index[VLIB_N_RX_TX];
      u32 flow_hash;
      u32 fib_index;
    };
    /* shallow virtual reassembly output */
    struct {
      struct {
        u32 next_index;
        u32 error_next_index;
        u16 owner_thread_index;
        u16 l4_src_port;      /* tcp/udp/icmp src port */
        u16 l4_dst_port;      /* tcp/udp/icmp dst port */
        u8 save_rewrite_length;
        u8 ip_proto;
        u32 tcp_ack_number;
        u32 tcp_seq_number;
      } reass;
    };
  } ip;
} vnet_buffer_opaque_t;

_Static_assert (sizeof (vnet_buffer_opaque_t) <= sizeof (((vlib_buffer_t *) 0)->opaque),
		"vnet_buffer_opaque_t must fit in vlib_buffer_t.opaque");

#define vnet_buffer(b) ((vnet_buffer_opaque_t *) (b)->opaque)
#endif
