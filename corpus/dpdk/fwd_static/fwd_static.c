// Exact-match routes loaded at start-up; the data path only looks them up.
// A table keyed by destination address that is never written per packet is
// configuration, not per-flow state.
// flowmage: entry fwd_static_port
// CHECK: stateful=false
// CHECK: key=
#include <stdint.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

struct route {
	uint32_t prefix;
	uint16_t port;
};

static struct rte_hash *routes;
static uint16_t route_port[1024];
static const uint16_t default_port = 0;

int
fwd_static_load(const struct route *table, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int32_t pos = rte_hash_add_key(routes, &table[i].prefix);
		if (pos < 0 || pos >= 1024)
			return -1;
		route_port[pos] = table[i].port;
	}
	return 0;
}

uint16_t
fwd_static_port(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));
	uint32_t dst = ip->dst_addr;
	int32_t pos = rte_hash_lookup(routes, &dst);
	return pos < 0 ? default_port : route_port[pos];
}
