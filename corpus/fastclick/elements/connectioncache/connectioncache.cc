// CHECK-NAME: ConnectionCache
// CHECK: stateful=false
// CHECK: key=
#include <click/config.h>
#include "connectioncache.hh"
CLICK_DECLS

Packet *ConnectionCache::simple_action(Packet *p)
{
    IPFlowID id(p);
    if (id == _previous)
        _run++;
    else {
        if (_run > _longest)
            _longest = _run;
        _runs++;
        _run = 1;
        _previous = id;
    }
    return p;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(ConnectionCache)
