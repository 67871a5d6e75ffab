/* Timeout refreshed on every packet, in every arm of a protocol switch;
 * the SYN branch only sets the entry up. */
#include <netinet/ip.h>
#include <netinet/tcp.h>
struct sess { unsigned expire; unsigned char state; };
static struct sess sessions[4096];
static void refresh(struct sess *s, unsigned char proto, unsigned now)
{
	switch (proto) {
	case IPPROTO_TCP: s->expire = now + 300; break;
	case IPPROTO_UDP: s->expire = now + 30; break;
	default: s->expire = now + 10; break;
	}
}
void track(const struct iphdr *ip, const struct tcphdr *th, unsigned now)
{
	struct sess *s = &sessions[(ip->saddr ^ ip->daddr ^ th->source) & 4095];
	if (th->syn)
		s->state = 1;
	refresh(s, ip->protocol, now);
}
