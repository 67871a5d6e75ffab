// Per-thread statistics about batches: indexed by batch size, never by packet data.
// CHECK-NAME: BurstStats
// CHECK: stateful=false
#include <click/config.h>
#include "burststats.hh"
CLICK_DECLS

void BurstStats::push_batch(int port, PacketBatch *batch)
{
    Histogram &h = *_hist;
    unsigned n = batch->count();
    h.by_size[n > 256 ? 256 : n]++;
    h.batches++;
    h.packets += n;
    output_push_batch(port, batch);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(BurstStats)
