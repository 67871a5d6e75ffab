// Per-lcore host-pair byte counters (RTE_PER_LCORE: one table per core).
// flowmage: entry lcoremon_count
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <stdint.h>
#include <stdio.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_per_lcore.h>

#define LM_ENTRIES 16384

struct lm_counts {
	uint64_t bytes[LM_ENTRIES];
	uint64_t pkts[LM_ENTRIES];
};

static RTE_DEFINE_PER_LCORE(struct rte_hash *, lm_index);
static RTE_DEFINE_PER_LCORE(struct lm_counts *, lm_counts);

/* Runs once on each worker lcore before its first burst: the tables it creates
 * are that lcore's own. */
int
lcoremon_init_lcore(int socket)
{
	char name[32];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = LM_ENTRIES,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_jhash,
		.socket_id = socket,
	};
	snprintf(name, sizeof(name), "lcoremon_%u", rte_lcore_id());
	RTE_PER_LCORE(lm_index) = rte_hash_create(&p);
	RTE_PER_LCORE(lm_counts) = rte_zmalloc_socket(name, sizeof(struct lm_counts),
						      RTE_CACHE_LINE_SIZE, socket);
	return RTE_PER_LCORE(lm_index) && RTE_PER_LCORE(lm_counts) ? 0 : -1;
}

void
lcoremon_count(struct rte_mbuf **pkts, uint16_t nb)
{
	struct rte_hash *h = RTE_PER_LCORE(lm_index);
	struct lm_counts *c = RTE_PER_LCORE(lm_counts);

	for (uint16_t i = 0; i < nb; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(pkts[i], const struct rte_ipv4_hdr *,
									sizeof(struct rte_ether_hdr));
		uint64_t pair = (uint64_t)ip->src_addr << 32 | ip->dst_addr;
		int32_t pos = rte_hash_lookup(h, &pair);
		if (pos < 0)
			pos = rte_hash_add_key(h, &pair);
		if (pos < 0)
			continue;
		c->bytes[pos] += pkts[i]->pkt_len;
		c->pkts[pos]++;
	}
}
