// Open-addressing (linear probing) table of connections; an entry is written
// when the connection is first seen and only read afterwards.
// flowmage: entry lpt_lookup_packet
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#define CAP 4096

struct tuple {
	uint32_t s, d;
	uint16_t sp, dp;
	uint8_t p;
};

struct slot {
	uint8_t used;
	struct tuple t;
	uint32_t conn_id;
	uint32_t first_seen;
};

static struct slot table[CAP];
static uint32_t next_id = 1;

static unsigned
tuple_hash(const struct tuple *t)
{
	uint32_t h = t->s * 31 + t->d;
	h = h * 31 + ((uint32_t)t->sp << 16 | t->dp);
	return (h * 31 + t->p) & (CAP - 1);
}

static int
tuple_eq(const struct tuple *a, const struct tuple *b)
{
	return a->s == b->s && a->d == b->d && a->sp == b->sp && a->dp == b->dp && a->p == b->p;
}

/* Returns the connection id, allocating one for a new connection. */
uint32_t
lpt_lookup_packet(const uint8_t *pkt, uint32_t now)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	const struct tcphdr *tcp = (const struct tcphdr *)(pkt + ip->ihl * 4);
	struct tuple t;
	memset(&t, 0, sizeof(t));
	t.s = ip->saddr;
	t.d = ip->daddr;
	t.sp = tcp->source;
	t.dp = tcp->dest;
	t.p = ip->protocol;

	for (unsigned i = tuple_hash(&t), n = 0; n < CAP; i = (i + 1) & (CAP - 1), n++) {
		struct slot *s = &table[i];
		if (s->used && tuple_eq(&s->t, &t))
			return s->conn_id;
		if (!s->used) {
			s->used = 1;
			s->t = t;
			s->conn_id = next_id++;
			s->first_seen = now;
			return s->conn_id;
		}
	}
	return 0;
}
