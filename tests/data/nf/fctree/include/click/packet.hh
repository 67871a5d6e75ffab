#ifndef TEST_CLICK_PACKET_HH
#define TEST_CLICK_PACKET_HH
#include <stdint.h>
struct click_ip { uint8_t ip_vhl; uint8_t ip_tos; uint16_t ip_len; uint16_t ip_id; uint16_t ip_off;
                  uint8_t ip_ttl; uint8_t ip_p; uint16_t ip_sum; uint32_t ip_src; uint32_t ip_dst; };
class Packet {
  public:
    const click_ip *ip_header() const { return (const click_ip *)(_data + 14); }
    unsigned char *_data;
};
#endif
