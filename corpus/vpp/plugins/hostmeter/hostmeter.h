#ifndef included_hostmeter_h
#define included_hostmeter_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_8_8.h>

typedef struct
{
  i64 tokens;
  f64 last_update;
} hostmeter_bucket_t;

typedef struct
{
  clib_bihash_8_8_t bucket_by_host;
  hostmeter_bucket_t *buckets;	/* pool */
  u32 rate_bytes_per_sec;
  u32 burst_bytes;
} hostmeter_main_t;

extern hostmeter_main_t hostmeter_main;
#endif
