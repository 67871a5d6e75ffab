/* Stateless: a read-only steering table indexed by the destination; a global counter. */
#include <stdint.h>
#include <netinet/ip.h>

static uint16_t port_of[256];
static uint64_t total;

int decoy_packet(const unsigned char *l3)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	total++;
	return port_of[ip->daddr & 255];
}
