// Per-source packet counts, one map per worker thread.
// CHECK-NAME: Origins
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: key_other=
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "origins.hh"
CLICK_DECLS

PacketBatch *Origins::simple_action_batch(PacketBatch *batch)
{
    CountMap &counts = _by_source.get();
    FOR_EACH_PACKET(batch, p) {
        uint32_t *c = counts.findp(p->ip_header()->ip_src);
        if (c)
            (*c)++;
        else
            counts.insert(p->ip_header()->ip_src, 1);
    }
    return batch;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Origins)
