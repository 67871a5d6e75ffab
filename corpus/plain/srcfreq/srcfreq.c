// Heavy-hitter sketch: an array of counters indexed by a hash of the source address.
// flowmage: entry srcfreq_packet
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#define SLOTS (1u << 16)
#define SLOT_OF(a) (((a) * 2654435761u) >> 16)

static uint32_t hits[SLOTS];
static uint32_t threshold = 10000;

/* Returns 1 when the sender is a heavy hitter. */
int
srcfreq_packet(const unsigned char *l3, unsigned len)
{
	const struct iphdr *ip = (const struct iphdr *)l3;
	if (len < sizeof(*ip))
		return 0;
	uint32_t *c = &hits[SLOT_OF(ip->saddr) & (SLOTS - 1)];
	return ++*c > threshold;
}
