// The table keyed by destination address is only written while configuring:
// on the packet path it is read-only configuration, not per-flow state.
// CHECK-NAME: RouteSelect
// CHECK: stateful=false
// CHECK: key=
#include <click/config.h>
#include <click/args.hh>
#include "routeselect.hh"
CLICK_DECLS

int RouteSelect::configure(Vector<String> &conf, ErrorHandler *errh)
{
    for (int i = 0; i < conf.size(); i++) {
        uint32_t addr = (uint32_t)strtoul(conf[i].c_str(), 0, 0);
        _routes.set(IPAddress(addr), i);
    }
    return conf.empty() ? errh->error("no routes") : 0;
}

void RouteSelect::push(int, Packet *p)
{
    IPAddress dst(p->ip_header()->ip_dst);
    HashTable<IPAddress, int>::iterator it = _routes.find(dst);
    checked_output_push(it ? it->second : noutputs() - 1, p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(RouteSelect)
