// The flow table lives in the base class (include/click/flow/): one per core.
// CHECK-NAME: VolumeClock
// CHECK: stateful=true
// CHECK: key=src_ip,dst_ip,src_port,dst_port,protocol
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
// CHECK: sharing=per-core
#include <click/config.h>
#include "volumeclock.hh"
CLICK_DECLS

bool VolumeClock::new_flow(VolumeState *state, Packet *)
{
    state->first_ns = Timestamp::now_steady().nsecval();
    return true;
}

bool VolumeClock::process(VolumeState *state, Packet *p)
{
    state->packets++;
    state->bytes += p->length();
    return true;
}

CLICK_ENDDECLS
EXPORT_ELEMENT(VolumeClock)
