// CHECK-NAME: Anchor
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
// CHECK: sharing=per-core
#include <click/config.h>
#include "anchor.hh"
CLICK_DECLS

Session *Anchor::session_for(const Packet *p)
{
    HashTable<IPFlow5ID, Session *> &table = *_sessions;
    IPFlow5ID id(p);
    Session *s = table.get(id);
    if (!s) {
        s = new Session();
        s->peer = table.get(IPFlow5ID(p, true));
        table.set(id, s);
    }
    return s;
}

void Anchor::push_batch(int port, PacketBatch *batch)
{
    Timestamp now = Timestamp::now_steady();
    FOR_EACH_PACKET(batch, p) {
        Session *s = session_for(p);
        s->last_seen = now;
        s->bytes += p->length();
        Segment *seg = new Segment{p->length(), s->history};
        s->history = seg;
    }
    output_push_batch(port, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Anchor)
