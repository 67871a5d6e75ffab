// Reads header fields by byte offset from the start of the IPv4 header
// (12: source address, 22: destination port), no header structs.
// flowmage: entry rawoff_seen
// CHECK: stateful=true
// CHECK: key=src_ip,dst_port
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <stdint.h>
#include <string.h>

#define LOAD32(p, off) ({ uint32_t v_; memcpy(&v_, (p) + (off), 4); v_; })
#define LOAD16(p, off) ({ uint16_t v_; memcpy(&v_, (p) + (off), 2); v_; })

#define TBL_BITS 14
#define TBL_SIZE (1u << TBL_BITS)

struct cell {
	uint32_t who;
	uint16_t what;
	uint16_t used;
	uint32_t count;
	uint32_t last;
};

static struct cell tbl[TBL_SIZE];

static inline uint32_t
mix(uint32_t a, uint16_t b)
{
	uint32_t h = a ^ ((uint32_t)b * 0x45d9f3bu);
	h ^= h >> 15;
	return (h * 0x2c1b3c6du) >> (32 - TBL_BITS);
}

/* l3 points at the IPv4 header (no options); returns how often the pair was seen. */
uint32_t
rawoff_seen(const uint8_t *l3, uint32_t tick)
{
	uint32_t who = LOAD32(l3, 12);
	uint16_t what = LOAD16(l3, 22);
	struct cell *c = &tbl[mix(who, what)];

	if (!c->used || c->who != who || c->what != what) {
		c->who = who;
		c->what = what;
		c->used = 1;
		c->count = 0;
	}
	c->count++;
	c->last = tick;
	return c->count;
}
