// Keyed on the Ethernet source address: no 5-tuple field identifies the entry.
// CHECK-NAME: PortMemory
// CHECK: stateful=true
// CHECK: key=
// CHECK: key_other=src_mac
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <click/config.h>
#include "portmemory.hh"
CLICK_DECLS

void PortMemory::push(int port, Packet *p)
{
    const click_ether *eh = p->ether_header();
    EtherAddress station(eh->ether_shost);
    if (!station.is_group()) {
        Station &s = _stations[station];
        s.port = port;
        s.heard = Timestamp::now_steady();
    }
    output(port).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(PortMemory)
