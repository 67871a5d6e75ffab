#ifndef included_idlereap_h
#define included_idlereap_h
#include <vnet/vnet.h>
#include <vnet/ip/ip4_packet.h>
#include <vppinfra/bihash_16_8.h>

typedef struct
{
  f64 last_active;
  u64 packets;
  u32 expiry_slot;
} idlereap_session_t;

typedef struct
{
  clib_bihash_16_8_t sessions;	/* (src, dst, protocol) -> session index */
  idlereap_session_t *sessions_pool;
} idlereap_thread_t;

typedef struct
{
  idlereap_thread_t *threads;
  f64 timeout;
} idlereap_main_t;

extern idlereap_main_t idlereap_main;

/* session.c */
idlereap_session_t *idlereap_session_get (idlereap_thread_t *t, ip4_header_t *ip, f64 now);
void idlereap_session_touch (idlereap_session_t *s, f64 now, u32 bytes);
#endif
