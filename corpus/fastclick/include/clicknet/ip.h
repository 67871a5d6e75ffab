/* IPv4 header, with Click's field names. */
#ifndef CLICKNET_IP_H
#define CLICKNET_IP_H
#include <stdint.h>
#include <netinet/in.h>

struct click_ip {
    unsigned ip_hl : 4;     /* header length in 32-bit words */
    unsigned ip_v : 4;      /* version */
    uint8_t ip_tos;
    uint16_t ip_len;
    uint16_t ip_id;
    uint16_t ip_off;
#define IP_RF 0x8000
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1FFF
    uint8_t ip_ttl;
    uint8_t ip_p;
    uint16_t ip_sum;
    struct in_addr ip_src;
    struct in_addr ip_dst;
};

#define IP_PROTO_ICMP 1
#define IP_PROTO_TCP 6
#define IP_PROTO_UDP 17

#define IP_ISFRAG(iph) (((iph)->ip_off & htons(IP_MF | IP_OFFMASK)) != 0)
#define IP_FIRSTFRAG(iph) (((iph)->ip_off & htons(IP_OFFMASK)) == 0)

/* Internet checksum (RFC 1071) over len bytes. */
static inline uint16_t click_in_cksum(const unsigned char *addr, int len) {
    uint32_t sum = 0;
    const uint16_t *w = (const uint16_t *)addr;
    while (len > 1) { sum += *w++; len -= 2; }
    if (len == 1) sum += *(const uint8_t *)w;
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    return (uint16_t)~sum;
}
#endif
