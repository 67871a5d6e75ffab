// process() only reads the state; it is written in new_flow() only.
// CHECK-NAME: PathChoice
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "pathchoice.hh"
CLICK_DECLS

bool PathChoice::new_flow(Choice *c, Packet *p)
{
    c->output = (uint8_t)(_rr++ % _n);
    c->weight_class = p->length() > 1000 ? 1 : 0;
    return true;
}

bool PathChoice::process(Choice *c, Packet *p)
{
    SET_PAINT_ANNO(p, c->output);
    return true;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(PathChoice)
