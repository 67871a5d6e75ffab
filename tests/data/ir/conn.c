/* Open-addressing connection table: the slot is written when a connection is
 * claimed (setup) and on SYN only; data packets just read it. */
#include <stdint.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

struct slot { uint8_t used; uint32_t src, dst; uint16_t sport, dport; uint32_t syns; uint32_t id; };
static struct slot table[1024];
static uint32_t next_id;

uint32_t conn_packet(const unsigned char *l3)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	const struct tcphdr *th = (const struct tcphdr *)(l3 + ip->ihl * 4);
	unsigned i = (ip->saddr ^ ip->daddr ^ th->source ^ th->dest) & 1023;
	struct slot *s = &table[i];
	if (!s->used) {
		s->used = 1;
		s->src = ip->saddr;
		s->dst = ip->daddr;
		s->sport = th->source;
		s->dport = th->dest;
		s->id = next_id++;
	}
	if (th->syn)
		s->syns++;
	return s->id;
}
