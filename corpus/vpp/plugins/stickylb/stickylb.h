#ifndef included_stickylb_h
#define included_stickylb_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vnet/tcp/tcp_packet.h>
#include <vppinfra/bihash_16_8.h>
#include <vppinfra/lock.h>

typedef struct
{
  ip4_address_t address;
  u32 weight;
} stickylb_backend_t;

typedef struct
{
  clib_bihash_16_8_t sticky;	/* 5-tuple -> backend index, shared by all workers */
  clib_spinlock_t writer_lock;
  stickylb_backend_t *backends;	/* vec, from configuration */
  u32 next_backend;
} stickylb_main_t;

extern stickylb_main_t stickylb_main;
#endif
