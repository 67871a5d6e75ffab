/* VPP-style session pools behind macro-generated names (nat64_db idiom): the
 * session entry is taken from a per-protocol pool reached through the per-flow
 * table's struct, and holds the index of its binding in another pool. */
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vppinfra/bihash_16_8.h>
#include <vppinfra/pool.h>

typedef struct { u32 out_addr; u32 sessions; } binding_entry_t;
typedef struct { u32 remote_addr; u32 binding_index; u32 expire; } session_entry_t;
typedef struct
{
#define _(n) session_entry_t *_##n##_sess;
  _(tcp) _(udp)
#undef _
  clib_bihash_16_8_t in2out;
} session_table_t;
typedef struct { binding_entry_t *bindings; session_table_t sess; } flow_db_t;
flow_db_t flow_db;

static binding_entry_t *
binding_by_index (flow_db_t *db, u32 index)
{
  return pool_elt_at_index (db->bindings, index);
}

static session_entry_t *
session_find (flow_db_t *db, ip4_header_t *ip, int is_tcp)
{
  clib_bihash_kv_16_8_t kv, value;
  session_entry_t *sess_pool;
  udp_header_t *udp = (udp_header_t *) (ip + 1);
  kv.key[0] = (u64) ip->src_address.as_u32 << 32 | ip->dst_address.as_u32;
  kv.key[1] = (u64) udp->src_port << 16 | udp->dst_port;
  if (clib_bihash_search_16_8 (&db->sess.in2out, &kv, &value))
    return 0;
  if (is_tcp)
    sess_pool = db->sess._tcp_sess;
  else
    sess_pool = db->sess._udp_sess;
  return pool_elt_at_index (sess_pool, value.value);
}

// flowmage: entry session_node_fn
u32
session_node_fn (ip4_header_t *ip, u32 now)
{
  session_entry_t *ste = session_find (&flow_db, ip, ip->protocol == 6);
  if (!ste)
    return 0;
  ste->expire = now + 300;
  return binding_by_index (&flow_db, ste->binding_index)->out_addr;
}
