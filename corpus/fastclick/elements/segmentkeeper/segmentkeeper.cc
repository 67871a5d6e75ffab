// CHECK-NAME: SegmentKeeper
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=true
// CHECK: sharing=per-core
#include <click/config.h>
#include "segmentkeeper.hh"
CLICK_DECLS

static inline uint32_t seq_of(const Packet *p) { return ntohl(p->tcp_header()->th_seq); }

bool SegmentKeeper::new_flow(KeeperState *s, Packet *p)
{
    s->expected_seq = seq_of(p);
    return true;
}

void SegmentKeeper::release_in_order(KeeperState *s)
{
    for (int i = 0; i < s->held.size(); ) {
        Packet *q = s->held[i];
        if (seq_of(q) == s->expected_seq) {
            s->expected_seq += q->length();
            s->held.erase(s->held.begin() + i);
            output(0).push(q);
            i = 0;
        } else
            i++;
    }
}

bool SegmentKeeper::process(KeeperState *s, Packet *p)
{
    if (seq_of(p) != s->expected_seq) {
        s->held.push_back(p);
        return false;      // held, not forwarded now
    }
    s->expected_seq += p->length();
    output(0).push(p);
    release_in_order(s);
    return false;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(SegmentKeeper)
