/* Per-lcore tables (DPDK): per-core state; pool index pointer in the entry. */
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_per_lcore.h>
struct peer { unsigned long bytes; };
struct conn { unsigned long pkts; unsigned peer_index; };
static RTE_DEFINE_PER_LCORE(struct rte_hash *, conns_h);
static struct conn conns[4096];
static struct peer peers[4096];
void account(const struct rte_ipv4_hdr *ip, unsigned len)
{
	struct rte_hash *h = RTE_PER_LCORE(conns_h);
	uint64_t key = (uint64_t)ip->src_addr << 32 | ip->dst_addr;
	int pos = rte_hash_lookup(h, &key);
	if (pos < 0)
		pos = rte_hash_add_key(h, &key);
	if (pos < 0)
		return;
	struct conn *c = &conns[pos];
	c->pkts++;
	peers[c->peer_index].bytes += len;
}
