/* Deterministic fuzzer for the generated frame parser; build it with
 * -fsanitize=address,undefined.  Valid seed frames of every shape the parser
 * knows are mutated (bytes flipped, with a bias towards header fields) and cut
 * at random lengths, then copied into a heap buffer of exactly that length so
 * that any read past the frame is an ASan error.  Also checks the contract:
 * queues are in range, rejected frames get hash 0 / queue 0, and the parsed
 * tuple points inside the frame.  -DFLOWMAGE_LIBFUZZER builds a libFuzzer
 * target instead (clang -fsanitize=fuzzer,address,undefined). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

static void check_frame(const uint8_t *frame, size_t len)
{
    struct flowmage_tuple t;
    int rc = flowmage_parse(frame, len, &t);
    uint32_t hash = flowmage_rss_hash(frame, len);
    unsigned queue = flowmage_queue(frame, len);

    if (queue >= flowmage_nb_queues)
        abort();
    if (rc != 0 && (hash != 0 || queue != 0))
        abort();
    if (rc == 0) {
        size_t addr = t.ip_version == 4 ? 4 : 16;
        if (t.src < frame || t.src + addr > frame + len || t.dst + addr > frame + len)
            abort();
        if (t.ports != NULL && (t.fragment || t.ports < frame || t.ports + 4 > frame + len))
            abort();
        if (queue != flowmage_reta[hash & (flowmage_reta_size - 1)])
            abort();
    }
#ifdef FLOWMAGE_HAS_STAGE2
    if (flowmage_stage2_queue(frame, len) >= flowmage_nb_queues)
        abort();
    if (rc != 0 && flowmage_stage2_hash(frame, len) != 0)
        abort();
#endif
}

#ifdef FLOWMAGE_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_frame(data, size);
    return 0;
}
#else
static uint64_t rng_state = 0x243f6a8885a308d3u;

static uint32_t rng32(void)                      /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545f4914f6cdd1du) >> 32);
}

#define MAX_FRAME 256

/* Seed frames: offsets of their interesting header bytes get most mutations. */
struct seed {
    uint8_t bytes[MAX_FRAME];
    size_t len;
};

static size_t put_eth(uint8_t *f, unsigned tags, uint16_t type)
{
    size_t off = 12;
    unsigned i;

    memset(f, 0xa5, 12);
    for (i = 0; i < tags; i++) {
        f[off] = i == 0 && tags == 2 ? 0x88 : 0x81;
        f[off + 1] = i == 0 && tags == 2 ? 0xa8 : 0x00;
        f[off + 2] = 0x00;
        f[off + 3] = (uint8_t)(i + 1);
        off += 4;
    }
    f[off] = (uint8_t)(type >> 8);
    f[off + 1] = (uint8_t)type;
    return off + 2;
}

static size_t make_ipv4(uint8_t *f, unsigned tags, unsigned ihl_words, uint8_t proto, uint16_t frag)
{
    size_t off = put_eth(f, tags, 0x0800), i;

    memset(f + off, 0, ihl_words * 4 + 8);
    f[off] = (uint8_t)(0x40 | ihl_words);
    f[off + 6] = (uint8_t)(frag >> 8);
    f[off + 7] = (uint8_t)frag;
    f[off + 9] = proto;
    for (i = 12; i < 20; i++)
        f[off + i] = (uint8_t)rng32();
    off += ihl_words * 4;
    for (i = 0; i < 8; i++)
        f[off + i] = (uint8_t)rng32();
    return off + 8;
}

static size_t make_ipv6(uint8_t *f, unsigned tags, const uint8_t *chain, unsigned chain_len, uint8_t proto)
{
    size_t off = put_eth(f, tags, 0x86dd), ip = off, i;

    memset(f + off, 0, 40);
    f[off] = 0x60;
    f[off + 6] = chain_len ? chain[0] : proto;
    for (i = 8; i < 40; i++)
        f[off + i] = (uint8_t)rng32();
    off += 40;
    for (i = 0; i < chain_len; i++) {
        uint8_t next = i + 1 < chain_len ? chain[i + 1] : proto;
        memset(f + off, 0, 8);
        f[off] = next;
        if (chain[i] == 44)
            f[off + 3] = (uint8_t)(rng32() & 1);   /* M flag sometimes */
        off += 8;
    }
    for (i = 0; i < 8; i++)
        f[off + i] = (uint8_t)rng32();
    (void)ip;
    return off + 8;
}

static size_t make_seed(struct seed *s, unsigned kind)
{
    static const uint8_t ext_chain[] = {0, 43, 60, 44};
    unsigned tags = kind % 3;

    switch ((kind / 3) % 6) {
    case 0: return s->len = make_ipv4(s->bytes, tags, 5, 6, 0);
    case 1: return s->len = make_ipv4(s->bytes, tags, 15, 17, 0);
    case 2: return s->len = make_ipv4(s->bytes, tags, 5, 17, 0x2000);   /* first fragment */
    case 3: return s->len = make_ipv6(s->bytes, tags, NULL, 0, 6);
    case 4: return s->len = make_ipv6(s->bytes, tags, ext_chain, 4, 17);
    default: return s->len = make_ipv6(s->bytes, tags, ext_chain, 3, 1);
    }
}

static void mutate(struct seed *s)
{
    unsigned flips = rng32() % 4, i;

    for (i = 0; i < flips; i++) {
        /* most flips land in the first 80 bytes: Ethernet, VLAN, IP, ext headers */
        size_t at = (rng32() & 3) ? rng32() % 80 : rng32() % MAX_FRAME;
        s->bytes[at] = (rng32() & 1) ? (uint8_t)rng32() : (uint8_t)(s->bytes[at] ^ (1u << (rng32() % 8)));
    }
    if (rng32() & 1)
        s->len = rng32() % (s->len + 1);            /* truncate */
    else if (rng32() % 4 == 0)
        s->len += rng32() % (MAX_FRAME - s->len + 1);   /* trailing bytes */
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000, i, parsed = 0;

    check_frame(NULL, 0);

    for (i = 0; i < n; i++) {
        struct seed s;
        uint8_t *frame;
        struct flowmage_tuple t;

        memset(&s, 0, sizeof s);
        make_seed(&s, (unsigned)(i % 18));
        if (i % 8 != 0)                  /* keep 1/8 of frames intact */
            mutate(&s);
        frame = malloc(s.len ? s.len : 1);
        if (frame == NULL)
            return 2;
        memcpy(frame, s.bytes, s.len);
        check_frame(frame, s.len);
        parsed += flowmage_parse(frame, s.len, &t) == 0;
        free(frame);
    }
    printf("%lu %lu\n", n, parsed);
    return 0;
}
#endif
