#include <click/config.h>
#include "countbase.hh"
#include <stockvendor/ring.hh>

void CountBase::count_source(uint32_t src)
{
    _per_src[stock_ring_slot(src)]++;
}
