// Per-lcore host-pair byte counters (RTE_PER_LCORE: one table per core).
// flowmage: entry lcoremon_count
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <stdint.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_per_lcore.h>

#define LM_ENTRIES 16384

struct lm_counts {
	uint64_t bytes[LM_ENTRIES];
	uint64_t pkts[LM_ENTRIES];
};

static RTE_DEFINE_PER_LCORE(struct rte_hash *, lm_index);
static RTE_DEFINE_PER_LCORE(struct lm_counts *, lm_counts);

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
