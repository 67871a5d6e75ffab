/* A routing table read per packet and never written by it: not flow state. */
#include <netinet/ip.h>
static unsigned char next_hop[65536];
static unsigned long forwarded;
int route(const struct iphdr *ip)
{
	forwarded++;
	return next_hop[ip->daddr & 0xffff];
}
