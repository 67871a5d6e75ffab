// min/max of the two addresses: both directions of a conversation reach one entry.
// CHECK-NAME: PairClock
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: symmetric=true
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "pairclock.hh"
CLICK_DECLS

Packet *PairClock::simple_action(Packet *p)
{
    const click_ip *iph = p->ip_header();
    uint32_t a = iph->ip_src.s_addr, b = iph->ip_dst.s_addr;
    HostEdge e;
    e.low = min(a, b);
    e.high = max(a, b);
    uint64_t &n = (*_exchanged)[e];
    n++;
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(PairClock)
