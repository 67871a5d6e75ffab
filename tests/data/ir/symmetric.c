/* Direction-free key: min/max of the two addresses; a hashed mix is not symmetric. */
#include <stdint.h>
#include <netinet/ip.h>

static uint32_t conv[1024];
static uint32_t mixed[1024];

void sym_packet(const unsigned char *l3)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	uint32_t lo = ip->saddr < ip->daddr ? ip->saddr : ip->daddr;
	uint32_t hi = ip->saddr < ip->daddr ? ip->daddr : ip->saddr;
	conv[(lo * 31 + hi) & 1023]++;
	mixed[(ip->saddr * 31 + ip->daddr) & 1023]++;
}
