// not_per_thread<> is one shared instance: nothing serialises the writers.
// CHECK-NAME: OutsideMap
// CHECK: stateful=true
// CHECK: key=src_ip,src_port
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include <click/config.h>
#include <click/args.hh>
#include "outsidemap.hh"
CLICK_DECLS

int OutsideMap::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read_mp("PUBLIC_ADDR", _public_addr).complete();
}

#define ENDPOINT(ip, port) (((uint64_t)(ip) << 16) | (uint64_t)(port))

Packet *OutsideMap::simple_action(Packet *p)
{
    WritablePacket *q = p->uniqueify();
    click_ip *iph = q->ip_header();
    click_udp *uh = q->udp_header();

    uint64_t inside = ENDPOINT(iph->ip_src.s_addr, uh->uh_sport);
    Binding *b = _bindings->findp(inside);
    if (!b) {
        Binding fresh = {htons(_next_port++), uh->uh_sport};
        _bindings->insert(inside, fresh);
        b = _bindings->findp(inside);
    }
    iph->ip_src.s_addr = _public_addr;
    uh->uh_sport = b->public_port;
    return q;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(OutsideMap)
