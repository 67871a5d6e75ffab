/* The source port comes from buffer metadata filled by an earlier node
 * (an anonymous struct member, as in VPP's vnet_buffer(b)->ip.reass). */
#include <stdint.h>
#include <netinet/ip.h>

struct meta { struct { struct { uint16_t l4_src_port; uint16_t l4_dst_port; } reass; } ip; };
static uint32_t per_port[65536];

void metadata_packet(const unsigned char *l3, const struct meta *m)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	per_port[(ip->saddr ^ m->ip.reass.l4_src_port) & 65535]++;
}
