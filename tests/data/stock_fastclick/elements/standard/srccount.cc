// Counts packets per source address; the counting itself is the base's code.
#include <click/config.h>
#include "srccount.hh"

Packet *SrcCount::simple_action(Packet *p)
{
    count_source(p->src);
    return p;
}
EXPORT_ELEMENT(SrcCount)
