// Swap MAC addresses and send back; recompute the IPv4 checksum after a TTL update.
// flowmage: entry macswap_burst
// CHECK: stateful=false
// CHECK: key=
#include <stdint.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

static uint64_t macswap_total;	/* global counter: statistics only */

void
macswap_burst(struct rte_mbuf **pkts, uint16_t nb)
{
	for (uint16_t i = 0; i < nb; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		rte_ether_addr_copy(&eth->src_addr, &tmp);
		rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
		rte_ether_addr_copy(&tmp, &eth->dst_addr);
		ip->time_to_live--;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	macswap_total += nb;
}
