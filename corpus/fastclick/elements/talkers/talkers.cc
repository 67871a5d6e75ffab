// CHECK-NAME: Talkers
// CHECK: stateful=true
// CHECK: key=dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "talkers.hh"
CLICK_DECLS

void Talkers::push_batch(int port, PacketBatch *batch)
{
    HashTable<IPAddress, uint64_t> &mine = *_received;
    FOR_EACH_PACKET(batch, p)
        mine[IPAddress(p->ip_header()->ip_dst)] += p->length();
    output_push_batch(port, batch);
}

uint64_t Talkers::total_for(IPAddress host) const
{
    uint64_t sum = 0;
    for (unsigned t = 0; t < _received.weight(); t++)
        sum += _received.get_value_for_thread(t).get(host);
    return sum;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Talkers)
