/* Session table helpers, called from the node in node.c. */
#include "idlereap.h"

idlereap_main_t idlereap_main;

static void
idlereap_key (clib_bihash_kv_16_8_t *kv, ip4_header_t *ip)
{
  kv->key[0] = (u64) ip->src_address.as_u32 | (u64) ip->dst_address.as_u32 << 32;
  kv->key[1] = ip->protocol;
}

idlereap_session_t *
idlereap_session_get (idlereap_thread_t *t, ip4_header_t *ip, f64 now)
{
  clib_bihash_kv_16_8_t kv, res;
  idlereap_session_t *s;

  idlereap_key (&kv, ip);
  if (clib_bihash_search_16_8 (&t->sessions, &kv, &res) == 0)
    return pool_elt_at_index (t->sessions_pool, res.value);
  pool_get_zero (t->sessions_pool, s);
  s->last_active = now;
  kv.value = s - t->sessions_pool;
  clib_bihash_add_del_16_8 (&t->sessions, &kv, 1);
  return s;
}

void
idlereap_session_touch (idlereap_session_t *s, f64 now, u32 bytes)
{
  (void) bytes;
  s->last_active = now;
  s->packets++;
  s->expiry_slot = (u32) (now / 10.0);
}
