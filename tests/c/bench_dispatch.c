/* Dispatch-rate benchmark: the generated table-driven Toeplitz against a
 * bit-by-bit Toeplitz in the style of DPDK's rte_softrss (one shift/XOR pair
 * per set input bit), on the same pre-generated frames, in one run.
 *
 *   bench_dispatch FRAMES REPS
 *
 * Builds FRAMES random IPv4/IPv6 TCP/UDP frames (1 in 8 IPv6), checks that all
 * methods agree on every frame, then times each method REPS times over all
 * frames and prints its best rate as JSON lines:
 *   {"method": ..., "mpps": ..., "ns_per_frame": ...}
 * Methods: "table" = flowmage_rss_hash (parse + table hash), "bitwise" = same
 * parser + bitwise hash; "table_hash_only" / "bitwise_hash_only" hash pre-parsed
 * tuples.  With -DWITH_RTE_SOFTRSS also "rte_softrss_hash_only" (DPDK's own).
 * The hash input follows FLOWMAGE_HASH_FIELDS (ports dropped as the dispatcher
 * does), so the comparison holds for any plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef WITH_RTE_SOFTRSS
#include <rte_thash.h>
#endif

#include "dispatch.h"

#define STRIDE 96
#define MAX_HASH_INPUT 40

static uint64_t rng_state = 0x853c49e6748fea9bu;

static uint32_t rng32(void)                      /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

static size_t make_frame(uint8_t *f)
{
    size_t i, l3 = 14, l4;
    int v6 = rng32() % 8 == 0;

    memset(f, 0, STRIDE);
    f[12] = v6 ? 0x86 : 0x08;
    f[13] = v6 ? 0xdd : 0x00;
    if (v6) {
        f[l3] = 0x60;
        f[l3 + 6] = (rng32() & 1) ? 6 : 17;
        for (i = 8; i < 40; i++)
            f[l3 + i] = (uint8_t)rng32();
        l4 = l3 + 40;
    } else {
        f[l3] = 0x45;
        f[l3 + 9] = (rng32() & 1) ? 6 : 17;
        for (i = 12; i < 20; i++)
            f[l3 + i] = (uint8_t)rng32();
        l4 = l3 + 20;
    }
    for (i = 0; i < 4; i++)
        f[l4 + i] = (uint8_t)rng32();
    return l4 + 20;
}

/* ------------------------------------------------ bit-by-bit Toeplitz */

enum field { F_SRC_IP, F_DST_IP, F_SRC_PORT, F_DST_PORT, F_PROTOCOL };
static enum field fields[5];
static unsigned nb_fields;
static uint32_t key_words[MAX_HASH_INPUT / 4 + 2];  /* key as big-endian 32-bit words, zero-extended */

static void load_plan(void)
{
    static const char *names[] = {"src_ip", "dst_ip", "src_port", "dst_port", "protocol"};
    const char *p = FLOWMAGE_HASH_FIELDS;
    unsigned i;

    while (*p) {
        size_t n = strcspn(p, ",");
        for (i = 0; i < 5; i++)
            if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0)
                fields[nb_fields++] = (enum field)i;
        p += n + (p[n] == ',');
    }
    for (i = 0; i < flowmage_rss_key_len && i / 4 < sizeof key_words / 4; i++)
        key_words[i / 4] |= (uint32_t)flowmage_rss_key[i] << (24 - 8 * (i % 4));
}

/* The hash input as big-endian 32-bit words (zero-padded); returns the word count. */
static unsigned input_words(const struct flowmage_tuple *t, uint32_t *words)
{
    uint8_t bytes[MAX_HASH_INPUT + 4];
    size_t n = 0, addr = t->ip_version == 4 ? 4 : 16, i;
    unsigned f;

    for (f = 0; f < nb_fields; f++) {
        switch (fields[f]) {
        case F_SRC_IP: memcpy(bytes + n, t->src, addr); n += addr; break;
        case F_DST_IP: memcpy(bytes + n, t->dst, addr); n += addr; break;
        case F_SRC_PORT: if (t->ports) { memcpy(bytes + n, t->ports, 2); n += 2; } break;
        case F_DST_PORT: if (t->ports) { memcpy(bytes + n, t->ports + 2, 2); n += 2; } break;
        case F_PROTOCOL: bytes[n++] = t->protocol; break;
        }
    }
    memset(bytes + n, 0, 4);
    for (i = 0; i < (n + 3) / 4; i++)
        words[i] = (uint32_t)bytes[4 * i] << 24 | (uint32_t)bytes[4 * i + 1] << 16 |
                   (uint32_t)bytes[4 * i + 2] << 8 | bytes[4 * i + 3];
    return (unsigned)((n + 3) / 4);
}

/* rte_softrss's loop: for each set bit b (LSB = 0) of word j, XOR the key
 * window starting at bit 32 j + 31 - b. */
static uint32_t toeplitz_bitwise(const uint32_t *words, unsigned nb_words)
{
    uint32_t hash = 0, map;
    unsigned j, b;

    for (j = 0; j < nb_words; j++)
        for (map = words[j]; map; map &= map - 1) {
            b = (unsigned)__builtin_ctz(map);
            hash ^= key_words[j] << (31 - b) | (uint32_t)((uint64_t)key_words[j + 1] >> (b + 1));
        }
    return hash;
}

static uint32_t bitwise_frame_hash(const uint8_t *frame, size_t len)
{
    struct flowmage_tuple t;
    uint32_t words[MAX_HASH_INPUT / 4 + 1];

    if (flowmage_parse(frame, len, &t) != 0)
        return 0;
    return toeplitz_bitwise(words, input_words(&t, words));
}

/* ------------------------------------------------ timing */

static double now_ns(void)
{
    struct timespec ts;

    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint32_t sink;

static void report(const char *method, double best_ns, unsigned long frames)
{
    printf("{\"method\": \"%s\", \"mpps\": %.2f, \"ns_per_frame\": %.2f}\n", method,
           frames / best_ns * 1e3, best_ns / frames);
}

#define TIME_LOOP(method, frames, reps, body)                          \
    do {                                                               \
        double best = 1e300;                                           \
        unsigned r_;                                                   \
        for (r_ = 0; r_ < (reps); r_++) {                              \
            uint32_t acc = 0;                                          \
            unsigned long i;                                           \
            double t0 = now_ns(), dt;                                  \
            for (i = 0; i < (frames); i++)                             \
                acc ^= (body);                                         \
            dt = now_ns() - t0;                                        \
            sink ^= acc;                                               \
            if (dt < best)                                             \
                best = dt;                                             \
        }                                                              \
        report(method, best, frames);                                  \
    } while (0)

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, i;
    unsigned reps = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 5;
    uint8_t *frames = malloc(n * STRIDE);
    size_t *lens = malloc(n * sizeof *lens);
    struct flowmage_tuple *tuples = malloc(n * sizeof *tuples);
    uint32_t (*words)[MAX_HASH_INPUT / 4 + 1] = malloc(n * sizeof *words);
    unsigned *nb_words = malloc(n * sizeof *nb_words);

    if (!frames || !lens || !tuples || !words || !nb_words)
        return 2;
    load_plan();
    for (i = 0; i < n; i++) {
        lens[i] = make_frame(frames + i * STRIDE);
        if (flowmage_parse(frames + i * STRIDE, lens[i], &tuples[i]) != 0)
            return 3;
        nb_words[i] = input_words(&tuples[i], words[i]);
        if (flowmage_rss_hash(frames + i * STRIDE, lens[i]) != bitwise_frame_hash(frames + i * STRIDE, lens[i])) {
            fprintf(stderr, "hash mismatch on frame %lu\n", i);
            return 1;
        }
    }
    TIME_LOOP("table", n, reps, flowmage_rss_hash(frames + i * STRIDE, lens[i]));
    TIME_LOOP("bitwise", n, reps, bitwise_frame_hash(frames + i * STRIDE, lens[i]));
    TIME_LOOP("table_hash_only", n, reps, flowmage_hash_tuple(&tuples[i]));
    TIME_LOOP("bitwise_hash_only", n, reps, toeplitz_bitwise(words[i], nb_words[i]));
#ifdef WITH_RTE_SOFTRSS
    {
        /* rte_softrss wants CPU-order words and reads the key as words: aligned copy. */
        static union { uint8_t b[64]; uint32_t w[16]; } key;
        memcpy(key.b, flowmage_rss_key, flowmage_rss_key_len);
        TIME_LOOP("rte_softrss_hash_only", n, reps,
                  rte_softrss(words[i], nb_words[i], key.b));
    }
#endif
    free(frames);
    free(lens);
    free(tuples);
    free(words);
    free(nb_words);
    return 0;
}
