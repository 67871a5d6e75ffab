#include "wrapped.hh"
void Wrapped::push(int, Packet *p)
{
    bool fresh;
    Meter *m = _meters.get_or_make(IPFlow5ID(p), fresh);
    if (fresh)
        m->last = 0;
    m->bytes += p->length();
    uint64_t &when = (*_seen)[p->ip_header()->ip_id];
    when = m->bytes;
    output(0).push(p);
}
EXPORT_ELEMENT(Wrapped)
