// CHECK-NAME: TokenGate
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include <click/args.hh>
#include "tokengate.hh"
CLICK_DECLS

TokenGate::TokenGate() : _rate(1000), _burst(64) {}

int TokenGate::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read_mp("RATE", _rate).read("BURST", _burst).complete();
}

bool TokenGate::admit(Bucket &b, int64_t now_us)
{
    int64_t elapsed = now_us - b.refilled_us;
    uint64_t fresh = (uint64_t)elapsed * _rate / 1000000;
    if (fresh) {
        b.tokens = (uint32_t)(b.tokens + fresh > _burst ? _burst : b.tokens + fresh);
        b.refilled_us = now_us;
    }
    if (b.tokens == 0)
        return false;
    b.tokens--;
    return true;
}

void TokenGate::push_batch(int, PacketBatch *batch)
{
    int64_t now = Timestamp::now_steady().usecval();
    BucketTable &table = *_buckets;
    FOR_EACH_PACKET_SAFE(batch, p) {
        BucketTable::iterator it = table.find(IPFlow5ID(p));
        if (!it) {
            Bucket fresh = {_burst, now};
            it = table.find_insert(IPFlow5ID(p), fresh);
        }
        checked_output_push(admit(it->second, now) ? 0 : 1, p);
    }
}

CLICK_ENDDECLS
EXPORT_ELEMENT(TokenGate)
