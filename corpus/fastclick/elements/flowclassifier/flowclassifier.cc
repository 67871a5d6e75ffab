// The flow manager in front of FlowSpaceElement elements: one block per
// 5-tuple, created on the first packet, then only handed over.
// CHECK-NAME: FlowClassifier
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "flowclassifier.hh"
CLICK_DECLS

FlowControlBlock *fcb_stack;

void FlowClassifier::push_batch(int, PacketBatch *batch)
{
    FOR_EACH_PACKET(batch, p) {
        IPFlow5ID id(p);
        FlowControlBlock *block = _blocks->get_pointer(id);
        if (!block)
            block = &_blocks->find_insert(id, FlowControlBlock())->second;
        fcb_stack = block;
    }
    output_push_batch(0, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(FlowClassifier)
