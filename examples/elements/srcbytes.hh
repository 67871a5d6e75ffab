#ifndef EXAMPLE_SRCBYTES_HH
#define EXAMPLE_SRCBYTES_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipaddress.hh>
CLICK_DECLS

/* SrcBytes: bytes sent by each source host (one table shared by the threads). */
class SrcBytes : public BatchElement {
  public:
    SrcBytes() CLICK_COLD {}
    const char *class_name() const override { return "SrcBytes"; }
    const char *port_count() const override { return PORTS_1_1; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    HashTable<IPAddress, uint64_t> _sent;
};

CLICK_ENDDECLS
#endif
