#include <click/config.h>
#include "srcbytes.hh"
CLICK_DECLS

void SrcBytes::push_batch(int port, PacketBatch *batch)
{
    FOR_EACH_PACKET(batch, p)
        _sent[IPAddress(p->ip_header()->ip_src)] += p->length();
    output_push_batch(port, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(SrcBytes)
