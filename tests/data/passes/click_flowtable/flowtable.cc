#include <click/config.h>
#include "flowtable.hh"

void FlowTable::push(int port, Packet *p)
{
    _lock.acquire();
    FlowEntry *e = _flows.find(IPFlowID(p));
    if (!e) {
        _flows.set(IPFlowID(p), FlowEntry());
        e = _flows.find(IPFlowID(p));
    }
    e->packets++;
    e->bytes += p->length();
    _lock.release();
    output(0).push(p);
}
EXPORT_ELEMENT(FlowTable)
