// Stateless: sets an annotation that elements downstream may key on.
// CHECK-NAME: Colorize
// CHECK: stateful=false
#include <click/config.h>
#include "colorize.hh"
CLICK_DECLS

Packet *Colorize::simple_action(Packet *p)
{
    SET_PAINT_ANNO(p, _color);
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(Colorize)
