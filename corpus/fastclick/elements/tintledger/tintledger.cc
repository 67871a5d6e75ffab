// Entries are selected by the paint annotation, not by header fields.
// CHECK-NAME: TintLedger
// CHECK: stateful=true
// CHECK: key=
// CHECK: key_other=anno:paint
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include <click/config.h>
#include "tintledger.hh"
CLICK_DECLS

Packet *TintLedger::simple_action(Packet *p)
{
    Ledger &l = _ledger[PAINT_ANNO(p)];
    l.packets += 1;
    l.bytes += p->length();
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(TintLedger)
