#ifndef CLICK_BURSTSTATS_HH
#define CLICK_BURSTSTATS_HH
#include <click/batchelement.hh>
#include <click/multithread.hh>
CLICK_DECLS

class BurstStats : public BatchElement {
  public:
    BurstStats() CLICK_COLD {}
    const char *class_name() const override { return "BurstStats"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    struct Histogram {
        uint64_t by_size[257];
        uint64_t batches;
        uint64_t packets;
    };
    per_thread<Histogram> _hist;
};

CLICK_ENDDECLS
#endif
