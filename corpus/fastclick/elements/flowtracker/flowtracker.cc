// CHECK-NAME: FlowTracker
// CHECK: stateful=false
// CHECK: key=
#include <click/config.h>
#include "flowtracker.hh"
CLICK_DECLS

PacketBatch *FlowTracker::simple_action_batch(PacketBatch *batch)
{
    FOR_EACH_PACKET(batch, p) {
        IPFlowID id(p);
        p->set_anno_u32(AGGREGATE_ANNO_OFFSET, (uint32_t)id.hashcode());
        _seen++;
        _bytes += p->length();
    }
    return batch;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(FlowTracker)
