// Entries are written by SYN and FIN segments only; data segments read them.
// CHECK-NAME: HandshakeClock
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "handshakeclock.hh"
CLICK_DECLS

void HandshakeClock::on_control(HashTable<IPFlow5ID, Stamps> &t, Packet *p, uint8_t flags, Timestamp now)
{
    if (flags & TH_SYN) {
        Stamps s;
        s.syn = now;
        t.set(IPFlow5ID(p), s);
    } else if (Stamps *s = t.get_pointer(IPFlow5ID(p))) {
        s->fin = now;
    }
}

PacketBatch *HandshakeClock::simple_action_batch(PacketBatch *batch)
{
    HashTable<IPFlow5ID, Stamps> &t = *_stamps;
    Timestamp now = Timestamp::now_steady();
    FOR_EACH_PACKET(batch, p) {
        uint8_t flags = p->tcp_header()->th_flags;
        if (flags & (TH_SYN | TH_FIN | TH_RST)) {
            on_control(t, p, flags, now);
            continue;
        }
        const Stamps *s = t.get_pointer(IPFlow5ID(p));
        uint32_t age = s ? (uint32_t)(now - s->syn).msecval() : 0;
        p->set_anno_u32(AGGREGATE_ANNO_OFFSET, age);
    }
    return batch;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(HandshakeClock)
