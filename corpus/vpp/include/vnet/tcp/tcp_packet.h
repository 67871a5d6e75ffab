#ifndef included_tcp_packet_h
#define included_tcp_packet_h
#include <vppinfra/clib.h>

enum {
  TCP_FLAG_FIN = 0x01,
  TCP_FLAG_SYN = 0x02,
  TCP_FLAG_RST = 0x04,
  TCP_FLAG_ACK = 0x10,
};

typedef struct {
  u16 src_port;
  u16 dst_port;
  u32 seq_number;
  u32 ack_number;
  u8 data_offset_and_reserved;
  u8 flags;
  u16 window;
  u16 checksum;
  u16 urgent_pointer;
} tcp_header_t;
#endif
