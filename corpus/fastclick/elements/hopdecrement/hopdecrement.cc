// Header rewriting with an incremental checksum update (RFC 1624).
// CHECK-NAME: HopDecrement
// CHECK: stateful=false
// CHECK: key=
#include <click/config.h>
#include "hopdecrement.hh"
CLICK_DECLS

void HopDecrement::push(int, Packet *p)
{
    const click_ip *iph = p->ip_header();
    if (iph->ip_ttl <= 1) {
        checked_output_push(1, p);
        return;
    }
    WritablePacket *q = p->uniqueify();
    click_ip *wh = q->ip_header();
    wh->ip_ttl--;
    uint32_t sum = (~ntohs(wh->ip_sum) & 0xFFFF) + 0xFEFF;
    wh->ip_sum = htons(~(sum + (sum >> 16)));
    output(0).push(q);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(HopDecrement)
