#ifndef CLICK_VOLUMECLOCK_HH
#define CLICK_VOLUMECLOCK_HH
#include <click/flow/flowelement.hh>
#include <click/timestamp.hh>
CLICK_DECLS

struct VolumeState {
    uint64_t bytes;
    uint32_t packets;
    int64_t first_ns;
};

/*
 * VolumeClock
 * Per-connection byte and packet totals, with the time the connection began.
 */
class VolumeClock : public FlowStateElement<VolumeClock, VolumeState> {
  public:
    VolumeClock() CLICK_COLD {}
    const char *class_name() const override { return "VolumeClock"; }
    const char *port_count() const override { return PORTS_1_1; }

    bool new_flow(VolumeState *state, Packet *p);
    bool process(VolumeState *state, Packet *p);
};

CLICK_ENDDECLS
#endif
