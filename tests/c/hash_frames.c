/* Test harness: reads one frame per stdin line (hex, empty line = empty frame)
 * and prints "rc hash queue" for the NIC stage, then "hash queue" for stage 2
 * when the dispatcher has one.  Each frame is copied into a buffer of exactly
 * its length, so sanitizers catch any read past it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int main(void)
{
    static char line[1 << 16];

    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t hex_len = strcspn(line, "\r\n"), len = hex_len / 2, i;
        uint8_t *frame = malloc(len ? len : 1);
        struct flowmage_tuple t;
        int rc;

        if (frame == NULL)
            return 2;
        for (i = 0; i < len; i++) {
            int hi = hex_value(line[2 * i]), lo = hex_value(line[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return 3;
            frame[i] = (uint8_t)(hi << 4 | lo);
        }
        rc = flowmage_parse(frame, len, &t);
        printf("%d %08x %u", rc, (unsigned)flowmage_rss_hash(frame, len), flowmage_queue(frame, len));
#ifdef FLOWMAGE_HAS_STAGE2
        printf(" %08x %u", (unsigned)flowmage_stage2_hash(frame, len), flowmage_stage2_queue(frame, len));
#endif
        printf("\n");
        free(frame);
    }
    return 0;
}
