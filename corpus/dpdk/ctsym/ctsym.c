// Connection tracker: the key orders the endpoints, so a reply finds the
// entry its request created.
// flowmage: entry ctsym_process
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=true
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <stdint.h>
#include <string.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#define CT_MAX 262144

enum ct_state { CT_NEW, CT_ESTABLISHED, CT_CLOSED };

union ct_key {
	struct {
		uint32_t addr_a, addr_b;
		uint16_t port_a, port_b;
		uint32_t proto;
	};
	uint8_t raw[16];
};

struct ct_entry {
	uint8_t state;
	uint8_t seen_reply;
	uint32_t packets;
	uint64_t last_tsc;
};

static struct rte_hash *ct_table;
static struct ct_entry ct_entries[CT_MAX];

int
ctsym_init(int socket)
{
	struct rte_hash_parameters p = {
		.name = "ctsym",
		.entries = CT_MAX,
		.key_len = sizeof(union ct_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
	};
	ct_table = rte_hash_create(&p);
	return ct_table ? 0 : -1;
}

static inline void
ct_make_key(const struct rte_ipv4_hdr *ip, const struct rte_tcp_hdr *tcp, union ct_key *k, int *is_reply)
{
	*is_reply = rte_be_to_cpu_32(ip->src_addr) > rte_be_to_cpu_32(ip->dst_addr);
	memset(k, 0, sizeof(*k));
	if (!*is_reply) {
		k->addr_a = ip->src_addr;  k->port_a = tcp->src_port;
		k->addr_b = ip->dst_addr;  k->port_b = tcp->dst_port;
	} else {
		k->addr_a = ip->dst_addr;  k->port_a = tcp->dst_port;
		k->addr_b = ip->src_addr;  k->port_b = tcp->src_port;
	}
	k->proto = ip->next_proto_id;
}

int
ctsym_process(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	union ct_key key;
	int reply;

	ct_make_key(ip, tcp, &key, &reply);
	int32_t pos = rte_hash_lookup(ct_table, &key);
	if (pos < 0) {
		if (!(tcp->tcp_flags & RTE_TCP_SYN_FLAG))
			return -1;		/* drop: not part of a known connection */
		pos = rte_hash_add_key(ct_table, &key);
		if (pos < 0)
			return -1;
		ct_entries[pos].state = CT_NEW;
	}
	struct ct_entry *e = &ct_entries[pos];
	e->packets++;
	e->last_tsc = rte_rdtsc();
	if (reply)
		e->seen_reply = 1;
	if (e->state == CT_NEW && e->seen_reply && (tcp->tcp_flags & RTE_TCP_ACK_FLAG))
		e->state = CT_ESTABLISHED;
	if (tcp->tcp_flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		e->state = CT_CLOSED;
	return 0;
}
