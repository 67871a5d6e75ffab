/* The lower address always goes first: both directions share one slot. */
#include <netinet/ip.h>
struct pair { unsigned lo, hi; };
struct cnt { unsigned long n; };
static struct cnt table[1024];
static unsigned slot_of(const struct pair *k) { return (k->lo * 31 + k->hi) & 1023; }
void count(const struct iphdr *ip)
{
	struct pair k;
	if (ip->saddr < ip->daddr) {
		k.lo = ip->saddr;
		k.hi = ip->daddr;
	} else {
		k.lo = ip->daddr;
		k.hi = ip->saddr;
	}
	table[slot_of(&k)].n++;
}
