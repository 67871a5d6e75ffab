#ifndef CLICK_SEGMENTKEEPER_HH
#define CLICK_SEGMENTKEEPER_HH
#include <click/flow/flowelement.hh>
#include <click/vector.hh>
CLICK_DECLS

struct KeeperState {
    uint32_t expected_seq;
    Vector<Packet *> held;      // out-of-order segments waiting for the gap
};

class SegmentKeeper : public FlowStateElement<SegmentKeeper, KeeperState> {
  public:
    SegmentKeeper() CLICK_COLD {}
    const char *class_name() const override { return "SegmentKeeper"; }
    const char *port_count() const override { return PORTS_1_1; }

    bool new_flow(KeeperState *s, Packet *p);
    bool process(KeeperState *s, Packet *p);

  private:
    void release_in_order(KeeperState *s);
};

CLICK_ENDDECLS
#endif
