#ifndef CLICK_ORIGINS_HH
#define CLICK_ORIGINS_HH
#include <click/batchelement.hh>
#include <click/hashmap.hh>
#include <click/ipaddress.hh>
#include <click/multithread.hh>
CLICK_DECLS

class Origins : public BatchElement {
  public:
    Origins() CLICK_COLD {}
    const char *class_name() const override { return "Origins"; }
    const char *port_count() const override { return PORTS_1_1; }
    PacketBatch *simple_action_batch(PacketBatch *batch) override;

  protected:
    typedef HashMap<IPAddress, uint32_t> CountMap;
    per_thread<CountMap> _by_source;
};

CLICK_ENDDECLS
#endif
