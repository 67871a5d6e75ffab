#include <stdint.h>
// flowmage: entry handle_packet
static uint64_t per_dst[256];
struct pkt { uint32_t src, dst; };
static void account (uint32_t dst) { per_dst[dst & 255]++; }
void handle_packet (struct pkt *p) { account (p->dst); }
void unrelated (void) {}
