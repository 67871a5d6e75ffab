#ifndef CLICK_TOKENGATE_HH
#define CLICK_TOKENGATE_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/multithread.hh>
#include <click/timestamp.hh>
CLICK_DECLS

/*
 * TokenGate(RATE, BURST)
 * Emits packets on output 0 while their bucket has tokens, else on output 1.
 */
class TokenGate : public BatchElement {
  public:
    TokenGate() CLICK_COLD;
    const char *class_name() const override { return "TokenGate"; }
    const char *port_count() const override { return PORTS_1_1X2; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push_batch(int port, PacketBatch *batch) override;

  private:
    struct Bucket {
        uint32_t tokens;
        int64_t refilled_us;
    };
    typedef HashTable<IPFlow5ID, Bucket> BucketTable;

    bool admit(Bucket &b, int64_t now_us);

    per_thread<BucketTable> _buckets;
    uint32_t _rate;
    uint32_t _burst;
};

CLICK_ENDDECLS
#endif
