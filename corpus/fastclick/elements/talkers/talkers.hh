#ifndef CLICK_TALKERS_HH
#define CLICK_TALKERS_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipaddress.hh>
#include <click/multithread.hh>
CLICK_DECLS

/*
 * Talkers
 * Bytes received by each destination host.  Handlers sum the per-thread
 * tables, hence the read-optimised per-thread wrapper.
 */
class Talkers : public BatchElement {
  public:
    Talkers() CLICK_COLD {}
    const char *class_name() const override { return "Talkers"; }
    const char *port_count() const override { return PORTS_1_1; }
    void push_batch(int port, PacketBatch *batch) override;
    uint64_t total_for(IPAddress host) const;

  private:
    per_thread_oread<HashTable<IPAddress, uint64_t>> _received;
};

CLICK_ENDDECLS
#endif
