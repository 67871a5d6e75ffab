// CHECK-NAME: Dialogs
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port
// CHECK: symmetric=true
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "dialogs.hh"
CLICK_DECLS

// Order the two endpoints so A->B and B->A build the same identifier.
IPFlowID Dialogs::canonical(const Packet *p)
{
    IPFlowID id(p);
    if (id.saddr().addr() > id.daddr().addr() ||
        (id.saddr() == id.daddr() && id.sport() > id.dport()))
        return id.reverse();
    return id;
}

void Dialogs::push_batch(int, PacketBatch *batch)
{
    HashTable<IPFlowID, Conversation> &table = *_conversations;
    FOR_EACH_PACKET_SAFE(batch, p) {
        const click_tcp *th = p->tcp_header();
        Conversation *c = table.get_pointer(canonical(p));
        if (!c) {
            if (!(th->th_flags & TH_SYN)) {
                output(1).push(p);
                continue;
            }
            Conversation fresh = {OPENING, 0, 0, 0};
            c = &table.find_insert(canonical(p), fresh)->second;
        }
        c->segments++;
        c->last_ack = th->th_ack;
        if ((th->th_flags & TH_ACK) && c->phase == OPENING)
            c->phase = OPEN;
        if (th->th_flags & TH_FIN) {
            c->fins++;
            c->phase = CLOSING;
        }
        output(0).push(p);
    }
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Dialogs)
