// An array indexed by a hash of the source address is per-source state.
// CHECK-NAME: SpreadCount
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <click/config.h>
#include "spreadcount.hh"
CLICK_DECLS

static inline unsigned cell_of(uint32_t addr)
{
    return click_hash_u32(addr) & (SpreadCount::NCELLS - 1);
}

PacketBatch *SpreadCount::simple_action_batch(PacketBatch *batch)
{
    FOR_EACH_PACKET(batch, p) {
        const click_ip *iph = p->ip_header();
        _cells[cell_of(iph->ip_src.s_addr)]++;
    }
    return batch;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(SpreadCount)
