/* Counters per (src, dst) host pair in an array indexed by a hash: every packet writes. */
#include <stdint.h>
#include <netinet/ip.h>

struct pair_count { uint64_t packets; uint64_t bytes; };
static struct pair_count counts[4096];

void pairs_packet(const unsigned char *l3, unsigned len)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	uint32_t h = (ip->saddr * 2654435761u) ^ ip->daddr;
	struct pair_count *c = &counts[h & 4095];
	c->packets++;
	c->bytes += len;
}
