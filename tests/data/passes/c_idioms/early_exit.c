/* Insert on miss after an early return on hit: per-flow writes. */
#include <rte_hash.h>
#include <rte_ip.h>
static struct rte_hash *pins;
static unsigned next_q;
unsigned pin(const struct rte_ipv4_hdr *ip)
{
	uint64_t key = ip->dst_addr;
	void *slot;
	if (rte_hash_lookup_data(pins, &key, &slot) >= 0)
		return (unsigned)(uintptr_t)slot;
	unsigned q = next_q++ % 4;
	rte_hash_add_key_data(pins, &key, (void *)(uintptr_t)q);
	return q;
}
