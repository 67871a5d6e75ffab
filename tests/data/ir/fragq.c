/* Fragment queues: buckets indexed by the IP id hold the first fragment's header;
 * a queue is found by comparing the stored header's id, protocol and addresses
 * with the new fragment's. */
#include <stdint.h>
#include <stdlib.h>
#include <netinet/ip.h>

struct queue { struct queue *next; const struct iphdr *first; unsigned frags; };
static struct queue *buckets[256];

unsigned fragq_packet(const struct iphdr *ip)
{
	struct queue **pp = &buckets[ip->id & 255];
	struct queue *q;
	for (q = *pp; q; q = q->next) {
		const struct iphdr *qip = q->first;
		if (qip->id == ip->id && qip->protocol == ip->protocol
		    && qip->saddr == ip->saddr && qip->daddr == ip->daddr)
			break;
	}
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return 0;
		q->first = ip;
		q->next = *pp;
		*pp = q;
	}
	return ++q->frags;
}
