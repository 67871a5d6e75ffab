// CHECK-NAME: Spray
// CHECK: stateful=false
// CHECK: key=
#include <click/config.h>
#include "spray.hh"
CLICK_DECLS

uint32_t Spray::mix(const click_ip *iph, const click_udp *uh)
{
    uint32_t h = iph->ip_src.s_addr ^ iph->ip_dst.s_addr;
    h ^= ((uint32_t)uh->uh_sport << 16) | uh->uh_dport;
    return click_hash_u32(h ^ iph->ip_p);
}

void Spray::push(int, Packet *p)
{
    output(mix(p->ip_header(), p->udp_header()) % noutputs()).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Spray)
