#ifndef CLICK_ECHOSUPPRESS_HH
#define CLICK_ECHOSUPPRESS_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/multithread.hh>
CLICK_DECLS

/*
 * EchoSuppress(WINDOW)
 * Drops a packet when the same sender reused the same IP identification
 * value less than WINDOW packets ago (retransmitted duplicates from a tap).
 */
class EchoSuppress : public BatchElement {
  public:
    EchoSuppress() CLICK_COLD : _window(1024), _tick() {}
    const char *class_name() const override { return "EchoSuppress"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    static inline uint64_t ident(const click_ip *iph) {
        return ((uint64_t)iph->ip_src.s_addr << 16) | iph->ip_id;
    }
    per_thread<HashTable<uint64_t, uint64_t>> _last_seen;   // ident -> tick
    uint64_t _window;
    per_thread<uint64_t> _tick;
};

CLICK_ENDDECLS
#endif
