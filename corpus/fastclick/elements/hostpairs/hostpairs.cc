// CHECK-NAME: HostPairs
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <click/config.h>
#include "hostpairs.hh"
CLICK_DECLS

void HostPairs::push(int, Packet *p)
{
    const click_ip *iph = p->ip_header();
    HostPair pair = {iph->ip_src.s_addr, iph->ip_dst.s_addr};

    _rw.write_begin();
    uint32_t n = ++_packets[pair];
    _rw.write_end();

    output(n > _max ? 1 : 0).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(HostPairs)
