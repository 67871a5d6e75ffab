#ifndef EXAMPLE_DSTPACKETS_HH
#define EXAMPLE_DSTPACKETS_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipaddress.hh>
#include <click/multithread.hh>
CLICK_DECLS

/* DstPackets: packets received by each destination host, one table per thread. */
class DstPackets : public BatchElement {
  public:
    DstPackets() CLICK_COLD {}
    const char *class_name() const override { return "DstPackets"; }
    const char *port_count() const override { return PORTS_1_1; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    per_thread<HashTable<IPAddress, uint64_t>> _seen;
};

CLICK_ENDDECLS
#endif
