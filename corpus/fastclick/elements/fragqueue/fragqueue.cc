// Keyed by the datagram identity (src, dst, protocol, IP id): fragments of a
// reply datagram are another entry, so the key is not symmetric.
// CHECK-NAME: FragQueue
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,protocol
// CHECK: key_other=ip_id
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=unsafe
#include <click/config.h>
#include "fragqueue.hh"
CLICK_DECLS

void FragQueue::push(int, Packet *p)
{
    const click_ip *iph = p->ip_header();
    DatagramId id;
    id.src = iph->ip_src.s_addr;
    id.dst = iph->ip_dst.s_addr;
    id.id = iph->ip_id;
    id.proto = iph->ip_p;
    DatagramProgress &d = _datagrams[id];
    d.fragments++;
    d.bytes += ntohs(iph->ip_len) - (iph->ip_hl << 2);
    if (!(ntohs(iph->ip_off) & IP_MF))
        d.have_last = true;
    output(d.have_last ? 1 : 0).push(p);
}

CLICK_ENDDECLS
EXPORT_ELEMENT(FragQueue)
