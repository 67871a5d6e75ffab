// CHECK-NAME: EchoSuppress
// CHECK: stateful=true
// CHECK: key=src_ip
// CHECK: key_other=ip_id
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "echosuppress.hh"
CLICK_DECLS

void EchoSuppress::push_batch(int, PacketBatch *batch)
{
    HashTable<uint64_t, uint64_t> &seen = *_last_seen;
    FOR_EACH_PACKET_SAFE(batch, p) {
        uint64_t now = ++*_tick;
        uint64_t &last = seen[ident(p->ip_header())];
        bool duplicate = last != 0 && now - last < _window;
        last = now;
        if (duplicate)
            p->kill();
        else
            output(0).push(p);
    }
}

CLICK_ENDDECLS
EXPORT_ELEMENT(EchoSuppress)
