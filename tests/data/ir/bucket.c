/* Token bucket per source: the refill and the spend depend on the entry's own
 * contents, so the entry is read-modified-written on (nearly) every packet. */
#include <stdint.h>
#include <netinet/ip.h>

struct bucket { uint32_t tokens; uint64_t stamp; };
static struct bucket buckets[4096];

int bucket_packet(const unsigned char *l3, uint64_t now)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	struct bucket *b = &buckets[(ip->saddr * 2654435761u) >> 20];
	if (now - b->stamp > 1000) {
		b->tokens = 64;
		b->stamp = now;
	}
	if (b->tokens == 0)
		return 0;
	b->tokens--;
	return 1;
}
