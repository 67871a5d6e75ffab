// A plain member table: every thread that runs this element touches the same
// HashTable without any lock.
// CHECK-NAME: IPFlowTally
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port
// CHECK: key_other=
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include <click/config.h>
#include "ipflowtally.hh"
CLICK_DECLS

IPFlowTally::IPFlowTally() {}

Packet *IPFlowTally::simple_action(Packet *p)
{
    Totals &t = _totals[IPFlowID(p)];
    t.packets++;
    t.bytes += p->length();
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(IPFlowTally)
