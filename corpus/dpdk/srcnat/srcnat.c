// Source NAT: each inside (address, port) gets a public port on its first
// packet; every packet then leaves with the public address and that port.
// The translation is written by a helper (the header pointers are its
// parameters); the checksum update is not a header field.
// flowmage: entry srcnat_outbound
// CHECK: stateful=true
// CHECK: key=src_ip,src_port
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
#include <stdint.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

static struct rte_hash *bindings;
static rte_be32_t public_addr;
static uint16_t next_port = 1024;

static void
srcnat_translate(struct rte_ipv4_hdr *ip, struct rte_udp_hdr *udp, uint16_t port)
{
	ip->src_addr = public_addr;
	udp->src_port = rte_cpu_to_be_16(port);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_cksum = 0;
}

void
srcnat_outbound(struct rte_mbuf *pkt)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(pkt, struct rte_ipv4_hdr *,
							  sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint64_t inside = ((uint64_t)ip->src_addr << 16) | udp->src_port;
	void *slot;
	uintptr_t port;

	if (rte_hash_lookup_data(bindings, &inside, &slot) >= 0) {
		port = (uintptr_t)slot;
	} else {
		port = next_port++;
		rte_hash_add_key_data(bindings, &inside, (void *)port);
	}
	srcnat_translate(ip, udp, (uint16_t)port);
}
