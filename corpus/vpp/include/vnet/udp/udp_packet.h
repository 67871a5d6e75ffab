#ifndef included_udp_packet_h
#define included_udp_packet_h
#include <vppinfra/clib.h>

typedef struct {
  u16 src_port;
  u16 dst_port;
  u16 length;
  u16 checksum;
} udp_header_t;
#endif
