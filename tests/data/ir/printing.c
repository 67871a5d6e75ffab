/* Stateless: printing a packet.  sprintf's result is a length, not a value of the
 * field it formats; a local object's buffer indexed by packet bytes is scratch. */
#include <stdint.h>
#include <stdio.h>
#include <netinet/ip.h>

struct text { char *s; int len; };
extern void text_init(struct text *t);
extern void text_flush(struct text *t);
static unsigned by_width[16];

void width_packet(const struct iphdr *ip, char *out)
{
	int n = sprintf(out, "%u", ip->saddr);
	by_width[n & 15]++;
}

void scratch_packet(const struct iphdr *ip)
{
	struct text t;
	text_init(&t);
	t.s[ip->protocol & 63] = 'x';
	t.s[ip->daddr & 63] = 'y';
	text_flush(&t);
}
