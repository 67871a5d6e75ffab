// CHECK-NAME: ProbeWatch
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
// CHECK: sharing=thread-safe
#include <click/config.h>
#include <click/args.hh>
#include "probewatch.hh"
CLICK_DECLS

ProbeWatch::ProbeWatch() : _limit(20) {}

int ProbeWatch::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read("LIMIT", _limit).complete();
}

bool ProbeWatch::contains(const Vector<uint16_t> &v, uint16_t port)
{
    for (const uint16_t *it = v.begin(); it != v.end(); ++it)
        if (*it == port)
            return true;
    return false;
}

void ProbeWatch::push(int, Packet *p)
{
    const click_ip *iph = p->ip_header();
    uint16_t dport = p->tcp_header()->th_dport;

    _lock.acquire();
    Footprint &fp = _seen[IPAddress(iph->ip_src)];
    fp.packets++;
    if (!contains(fp.ports, dport))
        fp.ports.push_back(dport);
    bool scanning = fp.ports.size() >= _limit;
    _lock.release();

    output(scanning ? 1 : 0).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(ProbeWatch)
