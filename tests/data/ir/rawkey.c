/* Keys read at raw byte offsets (no header struct).  From the IPv4 header:
 * 16 destination, 9 protocol, 20 source port; from the Ethernet frame: 14 more.
 * A written table indexed by them is per-flow state; a read-only one is configuration. */
#include <stdint.h>
#include <string.h>

static inline uint32_t rd32(const uint8_t *p, int off) { uint32_t v; memcpy(&v, p + off, 4); return v; }
static inline uint16_t rd16(const uint8_t *p, int off) { uint16_t v; memcpy(&v, p + off, 2); return v; }

struct slot { uint32_t dst; uint32_t packets; };
static struct slot slots[1024];
static struct slot frames[1024];
uint8_t weight[256];            /* filled by the control plane, read per packet */

uint32_t rawkey_packet(const uint8_t *l3)
{
	uint32_t dst = rd32(l3, 16);
	uint8_t proto = l3[9];
	struct slot *s = &slots[(dst ^ proto) & 1023];
	s->dst = dst;
	s->packets++;
	return s->packets + weight[rd16(l3, 20) & 255];
}

uint32_t rawframe_packet(const uint8_t *frame)
{
	uint32_t src = rd32(frame, 26);
	uint16_t dport = rd16(frame, 36);
	struct slot *s = &frames[(src * 31 + dport) & 1023];
	return ++s->packets;
}

uint32_t rawconfig_packet(const uint8_t *l3)
{
	return weight[l3[19]] + weight[rd32(l3, 12) & 255];
}
