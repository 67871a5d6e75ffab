#include "decoy.hh"
Packet *Decoy::simple_action(Packet *p)
{
    _count++;
    *_bytes += p->length();
    int out = _port_of_proto[0];
    if (p->ip_header()->ip_src.s_addr == 0)
        out = 1;
    SET_PAINT_ANNO(p, out);
    return p;
}
EXPORT_ELEMENT(Decoy)
