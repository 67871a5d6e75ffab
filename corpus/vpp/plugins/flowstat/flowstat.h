#ifndef included_flowstat_h
#define included_flowstat_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vppinfra/bihash_16_8.h>

typedef struct
{
  u64 packets;
  u64 bytes;
  f64 last_heard;
} flowstat_entry_t;

typedef struct
{
  clib_bihash_16_8_t table;
  flowstat_entry_t *entries;	/* pool */
} flowstat_per_thread_data_t;

typedef struct
{
  flowstat_per_thread_data_t *per_thread_data;	/* vec, one per worker */
  u32 table_buckets;
} flowstat_main_t;

extern flowstat_main_t flowstat_main;
extern vlib_node_registration_t flowstat_node;
#endif
