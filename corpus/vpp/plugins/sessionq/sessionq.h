#ifndef included_sessionq_h
#define included_sessionq_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vppinfra/bihash_16_8.h>

typedef struct sessionq_flow_
{
  u32 *recent_buffers;		/* vec of buffer indices, bounded */
  u16 *recent_lengths;		/* vec */
  struct sessionq_flow_ *reverse;	/* peer direction when known */
  u64 octets;
} sessionq_flow_t;

typedef struct
{
  clib_bihash_16_8_t flow_table;
  sessionq_flow_t *flows;	/* pool */
} sessionq_main_t;

extern sessionq_main_t sessionq_main;
#endif
