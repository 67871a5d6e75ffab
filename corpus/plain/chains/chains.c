// Separate chaining keyed on the host pair; each entry keeps a heap list of
// the packet sizes it saw.
// flowmage: entry chains_account
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
#include <stdint.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#define NBUCKETS 1024

struct sample {
	uint16_t size;
	struct sample *next;
};

struct pair_entry {
	uint32_t src, dst;
	uint32_t count;
	struct sample *samples;
	struct pair_entry *chain;
};

static struct pair_entry *buckets[NBUCKETS];

static struct pair_entry *
find_or_add(uint32_t src, uint32_t dst)
{
	unsigned b = (src ^ (dst >> 7) ^ (dst << 3)) % NBUCKETS;
	struct pair_entry *e;
	for (e = buckets[b]; e; e = e->chain)
		if (e->src == src && e->dst == dst)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->src = src;
	e->dst = dst;
	e->chain = buckets[b];
	buckets[b] = e;
	return e;
}

void
chains_account(const struct iphdr *ip)
{
	struct pair_entry *e = find_or_add(ip->saddr, ip->daddr);
	if (!e)
		return;
	struct sample *s = malloc(sizeof(*s));
	if (!s)
		return;
	s->size = ntohs(ip->tot_len);
	s->next = e->samples;
	e->samples = s;
	e->count++;
}
