// CHECK-NAME: ProtoSort
// CHECK: stateful=false
#include <click/config.h>
#include <click/args.hh>
#include "protosort.hh"
CLICK_DECLS

int ProtoSort::configure(Vector<String> &conf, ErrorHandler *)
{
    for (int i = 0; i < conf.size(); i++) {
        Range r = {(uint16_t)(i * 1000), (uint16_t)(i * 1000 + 999)};
        _ranges.push_back(r);
    }
    return 0;
}

int ProtoSort::classify(const Packet *p) const
{
    const click_ip *iph = p->ip_header();
    switch (iph->ip_p) {
    case IP_PROTO_TCP: {
        uint16_t port = ntohs(p->tcp_header()->th_dport);
        for (const Range &r : _ranges)
            if (port >= r.lo && port <= r.hi)
                return 0;
        return 1;
    }
    case IP_PROTO_UDP:
        return 2;
    default:
        return 3;
    }
}

void ProtoSort::push(int, Packet *p)
{
    output(classify(p)).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(ProtoSort)
