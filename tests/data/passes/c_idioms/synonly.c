/* Entries written only when a connection opens (TCP SYN): per-flow. */
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_tcp.h>
static struct rte_hash *opened;
static unsigned long first_seen[8192];
void watch(const struct rte_ipv4_hdr *ip, const struct rte_tcp_hdr *th, unsigned long now)
{
	uint64_t key = (uint64_t)ip->src_addr << 32 | th->src_port;
	if (th->tcp_flags & RTE_TCP_SYN_FLAG) {
		int pos = rte_hash_add_key(opened, &key);
		if (pos >= 0)
			first_seen[pos] = now;
	}
}
