// The table is written once per connection; later packets only read it.
// CHECK-NAME: BackendPin
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-flow
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <click/config.h>
#include <click/args.hh>
#include "backendpin.hh"
CLICK_DECLS

int BackendPin::configure(Vector<String> &conf, ErrorHandler *errh)
{
    for (int i = 0; i < conf.size(); i++)
        _servers.push_back((uint32_t)i);
    return _servers.empty() ? errh->error("no servers") : 0;
}

BackendPin::Assignment BackendPin::assign()
{
    Assignment a;
    a.slot = (uint16_t)(_next++ % _servers.size());
    a.server = _servers[a.slot];
    return a;
}

void BackendPin::push_batch(int, PacketBatch *batch)
{
    FOR_EACH_PACKET_SAFE(batch, p) {
        IPFlow5ID conn(p);
        _lock.acquire();
        Assignment *a = _assignments.get_pointer(conn);
        if (!a)
            a = &_assignments.find_insert(conn, assign())->second;
        uint32_t server = a->server;
        _lock.release();

        WritablePacket *q = p->uniqueify();
        q->ip_header()->ip_dst.s_addr = server;
        output(0).push(q);
    }
}

CLICK_ENDDECLS
EXPORT_ELEMENT(BackendPin)
