// Each (destination address, destination port) service is pinned to a worker
// queue on first sight; afterwards the assignment is only read.
// flowmage: entry pinning_classify
// CHECK: stateful=true
// CHECK: key=dst_ip,dst_port
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
#include <stdint.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

static struct rte_hash *service_map;
static uint16_t n_queues = 4;
static uint16_t next_queue;

static inline uint64_t
service_of(const struct rte_ipv4_hdr *ip, const struct rte_tcp_hdr *th)
{
	return ((uint64_t)ip->dst_addr << 16) | th->dst_port;
}

uint16_t
pinning_classify(struct rte_mbuf *pkt)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(pkt, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(ip + 1);
	uint64_t svc = service_of(ip, th);
	void *slot;

	if (rte_hash_lookup_data(service_map, &svc, &slot) >= 0)
		return (uint16_t)(uintptr_t)slot;
	uintptr_t q = next_queue++ % n_queues;
	rte_hash_add_key_data(service_map, &svc, (void *)q);
	return (uint16_t)q;
}
