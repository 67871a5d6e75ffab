#ifndef CLICK_BLOCKMETER_HH
#define CLICK_BLOCKMETER_HH
#include <click/flow/flowspace.hh>
CLICK_DECLS

struct BlockUsage {
    uint64_t bytes;
    uint32_t packets;
};

/*
 * BlockMeter(LIMIT)
 * Byte budget per flow, kept in the flow control block the flow manager in
 * front of it hands over.  Flows over LIMIT go to output 1.
 */
class BlockMeter : public FlowSpaceElement<BlockUsage> {
  public:
    BlockMeter() CLICK_COLD : _limit(1 << 20) {}
    const char *class_name() const override { return "BlockMeter"; }
    const char *port_count() const override { return "1/2"; }
    void push_flow(int port, BlockUsage *usage, PacketBatch *batch) override;

  private:
    uint64_t _limit;
};

CLICK_ENDDECLS
#endif
