#ifndef CLICK_FLOWTRACKER_HH
#define CLICK_FLOWTRACKER_HH
#include <click/batchelement.hh>
#include <click/atomic.hh>
#include <click/ipflowid.hh>
CLICK_DECLS

/*
 * FlowTracker
 * Despite the name: tags each packet with a hash of its flow identifier
 * (aggregate annotation) and counts packets in total.  Keeps nothing per flow.
 */
class FlowTracker : public BatchElement {
  public:
    FlowTracker() CLICK_COLD {}
    const char *class_name() const override { return "FlowTracker"; }
    const char *port_count() const override { return PORTS_1_1; }
    PacketBatch *simple_action_batch(PacketBatch *batch) override;
    uint32_t seen() const { return _seen.value(); }

  private:
    atomic_uint32_t _seen;
    atomic_uint64_t _bytes;
};

CLICK_ENDDECLS
#endif
