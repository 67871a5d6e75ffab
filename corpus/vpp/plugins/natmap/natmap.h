#ifndef included_natmap_h
#define included_natmap_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{
  ip4_address_t outside_addr;
  u16 outside_port;
} natmap_binding_t;

typedef struct
{
  clib_bihash_8_8_t in2out;
  natmap_binding_t *bindings;	/* pool */
  u16 next_port;
} natmap_per_thread_data_t;

typedef struct
{
  natmap_per_thread_data_t *per_thread_data;
  ip4_address_t outside_addr;
} natmap_main_t;

extern natmap_main_t natmap_main;

/* Inside endpoint key: address, port and protocol packed into 8 bytes. */
always_inline u64
natmap_make_key (ip4_address_t addr, u16 port, u8 proto)
{
  return (u64) addr.as_u32 << 32 | (u64) port << 16 | proto;
}
#endif
