// Per-flow state in the flow control block: the key is whatever the upstream
// flow manager classifies on: alone, the element gets the stock managers' 5-tuple (and
// key_other=upstream), in a chain the key of its upstream manager.
// CHECK-NAME: BlockMeter
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: key_other=upstream:flow-manager
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <click/config.h>
#include "blockmeter.hh"
CLICK_DECLS

void BlockMeter::push_flow(int, BlockUsage *usage, PacketBatch *batch)
{
    FOR_EACH_PACKET(batch, p) {
        usage->packets++;
        usage->bytes += p->length();
    }
    output_push_batch(usage->bytes > _limit ? 1 : 0, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(BlockMeter)
