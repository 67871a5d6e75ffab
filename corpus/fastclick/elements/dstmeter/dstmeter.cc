// CHECK-NAME: DstMeter
// CHECK: stateful=true
// CHECK: key=dst_ip
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=thread-safe
#include <click/config.h>
#include <click/args.hh>
#include "dstmeter.hh"
CLICK_DECLS

DstMeter::DstMeter() : _cir(1250000), _cbs(15000) {}

int DstMeter::configure(Vector<String> &conf, ErrorHandler *errh)
{
    return Args(conf, this, errh).read_mp("CIR", _cir).read_mp("CBS", _cbs).complete();
}

void DstMeter::push_batch(int, PacketBatch *batch)
{
    int64_t now = Timestamp::now_steady().nsecval();
    FOR_EACH_PACKET_SAFE(batch, p) {
        IPAddress host(p->ip_header()->ip_dst);
        auto meter = _meters.find_insert(host, Meter());
        meter->credit += (now - meter->last_ns) * _cir / 1000000000;
        if (meter->credit > _cbs)
            meter->credit = _cbs;
        meter->last_ns = now;
        bool conform = meter->credit >= (int64_t)p->length();
        if (conform)
            meter->credit -= p->length();
        checked_output_push(conform ? 0 : 1, p);
    }
}

CLICK_ENDDECLS
EXPORT_ELEMENT(DstMeter)
