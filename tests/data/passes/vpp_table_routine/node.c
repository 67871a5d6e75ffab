/* A hand-written sticky table (slots of a bucket: hash, expiry, value), in the
 * VPP idiom: the lookup routine refreshes the slot's expiry on a hit and hands
 * the stored value out through a pointer; the insert routine runs on a miss. */
#include <vnet/ip/ip4_packet.h>
#include <vnet/udp/udp_packet.h>
#include <vlib/vlib.h>
typedef struct { u32 hash[4]; u32 vip[4]; u32 timeout[4]; u32 value[4]; } slot_bucket_t;
typedef struct { u32 buckets_mask; u32 timeout; slot_bucket_t buckets[]; } slot_table_t;
typedef struct { u32 address; u32 packets_sent_to_backend; } backend_t;
typedef struct { slot_table_t *sticky_ht; } demo_per_cpu_t;
typedef struct { demo_per_cpu_t *per_cpu; backend_t backends[8]; } demo_main_t;
demo_main_t demo_main;

static inline void
slot_table_get (slot_table_t *ht, u32 hash, u32 vip, u32 time_now, u32 *found_value)
{
  slot_bucket_t *bucket = &ht->buckets[hash & ht->buckets_mask];
  u32 i;
  *found_value = 0;
  for (i = 0; i < 4; i++)
    {
      u32 hit = bucket->hash[i] == hash && bucket->vip[i] == vip && bucket->timeout[i] > time_now;
      *found_value = hit ? bucket->value[i] : *found_value;
      bucket->timeout[i] = hit ? time_now + ht->timeout : bucket->timeout[i];
    }
}

static inline void
slot_table_put (slot_table_t *h, u32 hash, u32 value, u32 time_now)
{
  slot_bucket_t *bucket = &h->buckets[hash & h->buckets_mask];
  bucket->hash[0] = hash;
  bucket->value[0] = value;
  bucket->timeout[0] = time_now + h->timeout;
}

// flowmage: entry demo_node_fn
u32
demo_node_fn (ip4_header_t *ip, u32 now)
{
  demo_main_t *dm = &demo_main;
  u32 thread_index = vlib_get_thread_index ();
  slot_table_t *sticky = dm->per_cpu[thread_index].sticky_ht;
  u32 hash0 = ip->src_address.as_u32 ^ ip->dst_address.as_u32 ^ ((udp_header_t *) (ip + 1))->src_port;
  u32 backend0;
  slot_table_get (sticky, hash0, ip->protocol, now, &backend0);
  if (backend0 != 0)
    {
      /* hit: nothing to store */
    }
  else
    {
      backend0 = (hash0 % 7) + 1;
      slot_table_put (sticky, hash0, backend0, now);
    }
  return dm->backends[backend0].address;
}
