#include <click/config.h>
#include "dstpackets.hh"
CLICK_DECLS

void DstPackets::push_batch(int port, PacketBatch *batch)
{
    HashTable<IPAddress, uint64_t> &mine = *_seen;
    FOR_EACH_PACKET(batch, p)
        mine[IPAddress(p->ip_header()->ip_dst)]++;
    output_push_batch(port, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(DstPackets)
