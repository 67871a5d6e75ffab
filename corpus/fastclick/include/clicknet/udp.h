#ifndef CLICKNET_UDP_H
#define CLICKNET_UDP_H
#include <stdint.h>

struct click_udp {
    uint16_t uh_sport;
    uint16_t uh_dport;
    uint16_t uh_ulen;
    uint16_t uh_sum;
};
#endif
