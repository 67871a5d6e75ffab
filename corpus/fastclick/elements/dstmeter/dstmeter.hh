#ifndef CLICK_DSTMETER_HH
#define CLICK_DSTMETER_HH
#include <click/batchelement.hh>
#include <click/hashtablemp.hh>
#include <click/ipaddress.hh>
#include <click/timestamp.hh>
CLICK_DECLS

/*
 * DstMeter(CIR, CBS)
 * Single-rate meter per destination host; out-of-profile packets go to output 1.
 */
class DstMeter : public BatchElement {
  public:
    DstMeter() CLICK_COLD;
    const char *class_name() const override { return "DstMeter"; }
    const char *port_count() const override { return "1/2"; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push_batch(int port, PacketBatch *batch) override;

  private:
    struct Meter {
        int64_t credit;        // bytes
        int64_t last_ns;
        Meter() : credit(0), last_ns(0) {}
    };
    HashTableMP<IPAddress, Meter> _meters;
    int64_t _cir;   // bytes per second
    int64_t _cbs;   // bytes
};

CLICK_ENDDECLS
#endif
