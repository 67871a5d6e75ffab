/* Both directions of a connection share one entry: the key's slots receive
 * either address depending on their order (stores on two branches). */
#include <stdint.h>
#include <netinet/ip.h>

struct ckey { uint32_t lo, hi; };
int rte_hash_lookup(const void *h, const void *key);
int rte_hash_add_key(const void *h, const void *key);
extern void *conns;
static uint64_t seen[65536];

void canonical_packet(const unsigned char *l3)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	struct ckey k;
	if (ip->saddr < ip->daddr) {
		k.lo = ip->saddr;
		k.hi = ip->daddr;
	} else {
		k.lo = ip->daddr;
		k.hi = ip->saddr;
	}
	int pos = rte_hash_lookup(conns, &k);
	if (pos < 0)
		pos = rte_hash_add_key(conns, &k);
	if (pos >= 0)
		seen[pos & 65535]++;
}
