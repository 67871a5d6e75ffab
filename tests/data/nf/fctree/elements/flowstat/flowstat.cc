#include "flowstat.hh"
void FlowStat::process(FlowStatState *s, Packet *p) {
    s->packets++;
    s->bytes += p->ip_header()->ip_len;
}
EXPORT_ELEMENT(FlowStat)
