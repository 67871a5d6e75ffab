// Bidirectional UDP flow counters: (min endpoint, max endpoint) identifies a
// flow in both directions.
// flowmage: entry biflow_update
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port
// CHECK: symmetric=true
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

#define BF_SIZE 8192

struct endpoint {
	uint32_t addr;
	uint16_t port;
};

struct biflow {
	struct endpoint lo, hi;
	uint64_t packets[2];	/* [0] lo->hi, [1] hi->lo */
	uint8_t in_use;
};

static struct biflow flows[BF_SIZE];

static int
endpoint_less(struct endpoint a, struct endpoint b)
{
	return a.addr < b.addr || (a.addr == b.addr && a.port < b.port);
}

static unsigned
slot_for(struct endpoint lo, struct endpoint hi)
{
	uint32_t h = lo.addr * 0x9e3779b1u ^ hi.addr;
	h ^= (uint32_t)lo.port << 16 | hi.port;
	return h % BF_SIZE;
}

void
biflow_update(const struct iphdr *ip, const struct udphdr *uh)
{
	struct endpoint src = { ip->saddr, uh->source }, dst = { ip->daddr, uh->dest };
	int reverse = endpoint_less(dst, src);
	struct endpoint lo = reverse ? dst : src, hi = reverse ? src : dst;
	unsigned i = slot_for(lo, hi);

	for (unsigned n = 0; n < BF_SIZE; n++, i = (i + 1) % BF_SIZE) {
		struct biflow *f = &flows[i];
		if (!f->in_use) {
			f->in_use = 1;
			f->lo = lo;
			f->hi = hi;
		} else if (f->lo.addr != lo.addr || f->lo.port != lo.port ||
			   f->hi.addr != hi.addr || f->hi.port != hi.port) {
			continue;
		}
		f->packets[reverse]++;
		return;
	}
}
