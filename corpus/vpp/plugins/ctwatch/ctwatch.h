#ifndef included_ctwatch_h
#define included_ctwatch_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vnet/tcp/tcp_packet.h>
#include <vppinfra/bihash_16_8.h>

/* Overlaid on clib_bihash_kv_16_8_t.key: lower endpoint first. */
typedef CLIB_PACKED (struct {
  ip4_address_t lo_addr;
  ip4_address_t hi_addr;
  u16 lo_port;
  u16 hi_port;
  u8 proto;
  u8 pad[3];
}) ctwatch_key_t;

typedef struct
{
  f64 last_active;
  u32 packets_lo_to_hi;
  u32 packets_hi_to_lo;
  u8 tcp_flags_seen;
} ctwatch_session_t;

typedef struct
{
  clib_bihash_16_8_t sessions;
  ctwatch_session_t *session_pool;
} ctwatch_per_thread_t;

typedef struct
{
  ctwatch_per_thread_t *per_thread_data;
} ctwatch_main_t;

extern ctwatch_main_t ctwatch_main;
#endif
