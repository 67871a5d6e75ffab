#ifndef CLICKNET_ETHER_H
#define CLICKNET_ETHER_H
#include <stdint.h>

struct click_ether {
    uint8_t ether_dhost[6];
    uint8_t ether_shost[6];
    uint16_t ether_type;
};

#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_8021Q 0x8100
#endif
