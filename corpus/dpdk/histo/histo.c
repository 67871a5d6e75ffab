// Flow records reached through rte_hash_lookup_data; each record owns a
// heap-allocated ring of recent packet sizes.
// flowmage: entry histo_rx
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
// CHECK: sharing=thread-safe
#include <stdint.h>
#include <stdlib.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>
#include <rte_udp.h>

#define HISTO_RING 64

struct size_ring {
	uint16_t len[HISTO_RING];
	uint32_t head;
};

struct flow_rec {
	uint64_t bytes;
	struct size_ring *ring;
	struct flow_rec *next_idle;	/* idle-list link for expiry */
};

struct four_tuple {
	rte_be32_t saddr, daddr;
	rte_be16_t sport, dport;
};

static struct rte_hash *histo_flows;
static rte_spinlock_t histo_lock = RTE_SPINLOCK_INITIALIZER;

static struct flow_rec *
histo_new_rec(const struct four_tuple *t)
{
	struct flow_rec *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->ring = calloc(1, sizeof(*r->ring));
	if (rte_hash_add_key_data(histo_flows, t, r) < 0) {
		free(r->ring);
		free(r);
		return NULL;
	}
	return r;
}

void
histo_rx(struct rte_mbuf **bufs, uint16_t nb)
{
	for (uint16_t i = 0; i < nb; i++) {
		struct rte_ipv4_hdr *ip4 = rte_pktmbuf_mtod_offset(bufs[i], struct rte_ipv4_hdr *,
								   sizeof(struct rte_ether_hdr));
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)ip4 + rte_ipv4_hdr_len(ip4));
		struct four_tuple t = { ip4->src_addr, ip4->dst_addr, udp->src_port, udp->dst_port };
		struct flow_rec *r = NULL;

		rte_spinlock_lock(&histo_lock);
		if (rte_hash_lookup_data(histo_flows, &t, (void **)&r) < 0)
			r = histo_new_rec(&t);
		if (r != NULL) {
			r->bytes += bufs[i]->pkt_len;
			r->ring->len[r->ring->head++ % HISTO_RING] = (uint16_t)bufs[i]->pkt_len;
		}
		rte_spinlock_unlock(&histo_lock);
	}
}
