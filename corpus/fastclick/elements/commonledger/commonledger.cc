// The shared base keeps one HashTableMP for all cores.
// CHECK-NAME: CommonLedger
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <click/config.h>
#include "commonledger.hh"
CLICK_DECLS

bool CommonLedger::process(LedgerLine *line, Packet *p)
{
    line->packets++;
    if (p->length() > line->max_len)
        line->max_len = (uint16_t)p->length();
    return true;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(CommonLedger)
