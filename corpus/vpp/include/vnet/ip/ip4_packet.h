#ifndef included_ip4_packet_h
#define included_ip4_packet_h
#include <vppinfra/clib.h>

typedef union {
  u8 data[4];
  u32 data_u32;
  u8 as_u8[4];
  u16 as_u16[2];
  u32 as_u32;
} ip4_address_t;

typedef enum {
  IP_PROTOCOL_ICMP = 1,
  IP_PROTOCOL_TCP = 6,
  IP_PROTOCOL_UDP = 17,
} ip_protocol_t;

typedef struct {
  u8 ip_version_and_header_length;
  u8 tos;
  u16 length;
  u16 fragment_id;
  u16 flags_and_fragment_offset;
  u8 ttl;
  u8 protocol;
  u16 checksum;
  ip4_address_t src_address;
  ip4_address_t dst_address;
} ip4_header_t;

always_inline int
ip4_header_bytes (const ip4_header_t *i)
{
  return (i->ip_version_and_header_length & 0xf) * 4;
}

always_inline void *
ip4_next_header (ip4_header_t *i)
{
  return (void *) ((u8 *) i + ip4_header_bytes (i));
}

always_inline u16
ip4_header_checksum (ip4_header_t *i)
{
  u32 sum = 0;
  u16 *w = (u16 *) i;
  for (int k = 0; k < 10; k++)
    if (k != 5)
      sum += w[k];
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (u16) ~sum;
}

always_inline int
ip4_is_fragment (const ip4_header_t *i)
{
  return (i->flags_and_fragment_offset & clib_host_to_net_u16 (0x3fff)) != 0;
}
#endif
