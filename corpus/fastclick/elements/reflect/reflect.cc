// Sends each packet back where it came from: swaps MAC, IP and port fields.
// CHECK-NAME: Reflect
// CHECK: stateful=false
#include <click/config.h>
#include "reflect.hh"
CLICK_DECLS

template <typename T> static inline void swap_fields(T &a, T &b)
{
    T t = a;
    a = b;
    b = t;
}

Packet *Reflect::simple_action(Packet *p)
{
    WritablePacket *q = p->uniqueify();
    click_ether *eh = q->ether_header();
    uint8_t tmp[6];
    memcpy(tmp, eh->ether_shost, 6);
    memcpy(eh->ether_shost, eh->ether_dhost, 6);
    memcpy(eh->ether_dhost, tmp, 6);

    click_ip *iph = q->ip_header();
    swap_fields(iph->ip_src, iph->ip_dst);
    if (iph->ip_p == IP_PROTO_UDP || iph->ip_p == IP_PROTO_TCP) {
        click_udp *uh = q->udp_header();
        swap_fields(uh->uh_sport, uh->uh_dport);
    }
    return q;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Reflect)
