// Per-flow token buckets; every lcore owns its own hash table and bucket array.
// flowmage: entry meterd_handle_burst
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define METERD_ENTRIES 65536

struct meterd_key {
	uint32_t ip_src;
	uint32_t ip_dst;
	uint16_t port_src;
	uint16_t port_dst;
	uint8_t proto;
	uint8_t pad[3];
} __rte_packed;

struct meterd_bucket {
	uint64_t tokens;
	uint64_t stamp;
};

struct meterd_lcore {
	struct rte_hash *index;
	struct meterd_bucket buckets[METERD_ENTRIES];
};

static struct meterd_lcore *meterd_lcores[RTE_MAX_LCORE];
static uint64_t meterd_rate_per_cycle_q16 = 1 << 10;
static uint64_t meterd_burst = 32;

static void
meterd_key_from(struct rte_mbuf *m, struct meterd_key *k)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *l4 = (struct rte_udp_hdr *)((char *)ip + rte_ipv4_hdr_len(ip));

	memset(k, 0, sizeof(*k));
	k->ip_src = ip->src_addr;
	k->ip_dst = ip->dst_addr;
	k->port_src = l4->src_port;
	k->port_dst = l4->dst_port;
	k->proto = ip->next_proto_id;
}

/* Returns the number of packets kept at the front of pkts[]. */
uint16_t
meterd_handle_burst(struct rte_mbuf **pkts, uint16_t n)
{
	struct meterd_lcore *lc = meterd_lcores[rte_lcore_id()];
	uint64_t now = rte_rdtsc();
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct meterd_key key;
		meterd_key_from(pkts[i], &key);
		int32_t slot = rte_hash_lookup(lc->index, &key);
		if (slot < 0) {
			slot = rte_hash_add_key(lc->index, &key);
			if (slot < 0) {
				rte_pktmbuf_free(pkts[i]);
				continue;
			}
			lc->buckets[slot].tokens = meterd_burst << 16;
			lc->buckets[slot].stamp = now;
		}
		struct meterd_bucket *b = &lc->buckets[slot];
		b->tokens += (now - b->stamp) * meterd_rate_per_cycle_q16;
		if (b->tokens > meterd_burst << 16)
			b->tokens = meterd_burst << 16;
		b->stamp = now;
		if (b->tokens >= (1 << 16)) {
			b->tokens -= 1 << 16;
			pkts[kept++] = pkts[i];
		} else {
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return kept;
}

int
meterd_setup_lcore(unsigned lcore, int socket)
{
	char name[32];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = METERD_ENTRIES,
		.key_len = sizeof(struct meterd_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
	};
	snprintf(name, sizeof(name), "meterd_%u", lcore);
	meterd_lcores[lcore] = calloc(1, sizeof(struct meterd_lcore));
	if (meterd_lcores[lcore] == NULL)
		return -1;
	meterd_lcores[lcore]->index = rte_hash_create(&p);
	return meterd_lcores[lcore]->index ? 0 : -1;
}
