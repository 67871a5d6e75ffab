/* Compares the generated dispatcher with DPDK's rte_softrss on random tuples.
 *
 * For each of N pseudo-random IPv4/IPv6 TCP/UDP tuples it builds an Ethernet
 * frame, hashes it with flowmage_rss_hash(), and hashes the same tuple with
 * rte_softrss() over the dispatcher's own key.  The dispatcher must be
 * generated for hash input src_ip,dst_ip[,src_port,dst_port] (WITH_PORTS=1/0).
 * Prints "tuples mismatches" and exits 1 on any mismatch. */
#define _GNU_SOURCE /* DPDK headers need POSIX/GNU declarations hidden by -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_thash.h>

#include "dispatch.h"

#ifndef WITH_PORTS
#define WITH_PORTS 1
#endif

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng32(void)                      /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* rte_softrss reads the key as 32-bit words: give it an aligned copy. */
static union { uint8_t b[64]; uint32_t w[16]; } key;

static int check_ipv4(uint8_t *frame)
{
    uint32_t src = rng32(), dst = rng32();
    uint16_t sport = (uint16_t)rng32(), dport = (uint16_t)rng32();
    struct rte_ipv4_tuple tuple;
    uint32_t want, got;

    memset(frame, 0, 64);
    put16(frame + 12, 0x0800);
    frame[14] = 0x45;
    frame[23] = (rng32() & 1) ? 6 : 17;
    put32(frame + 26, src);
    put32(frame + 30, dst);
    put16(frame + 34, sport);
    put16(frame + 36, dport);
    tuple.src_addr = src;
    tuple.dst_addr = dst;
    tuple.sport = sport;
    tuple.dport = dport;
    want = rte_softrss((uint32_t *)&tuple, WITH_PORTS ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN,
                       key.b);
    got = flowmage_rss_hash(frame, 64);
    return want != got;
}

static int check_ipv6(uint8_t *frame)
{
    union rte_thash_tuple tuple;
    uint32_t words[8], want, got;
    uint16_t sport = (uint16_t)rng32(), dport = (uint16_t)rng32();
    unsigned i;

    memset(frame, 0, 78);
    put16(frame + 12, 0x86dd);
    frame[14] = 0x60;
    frame[20] = (rng32() & 1) ? 6 : 17;
    for (i = 0; i < 8; i++) {
        words[i] = rng32();
        put32(frame + 22 + 4 * i, words[i]);
    }
    put16(frame + 54, sport);
    put16(frame + 56, dport);
    /* rte_softrss wants CPU-order 32-bit words: addresses converted word by word. */
    memset(&tuple, 0, sizeof tuple);
    {
        uint32_t *w = (uint32_t *)&tuple.v6;
        for (i = 0; i < 8; i++)
            w[i] = words[i];
        tuple.v6.sport = sport;
        tuple.v6.dport = dport;
    }
    want = rte_softrss((uint32_t *)&tuple, WITH_PORTS ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN,
                       key.b);
    got = flowmage_rss_hash(frame, 78);
    return want != got;
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, i, bad = 0;
    uint8_t frame[78];

    memcpy(key.b, flowmage_rss_key, flowmage_rss_key_len);
    for (i = 0; i < n; i++)
        bad += (unsigned long)((i & 1) ? check_ipv6(frame) : check_ipv4(frame));
    printf("%lu %lu\n", n, bad);
    return bad != 0;
}
