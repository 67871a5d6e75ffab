#ifndef CLICK_CONNECTIONCACHE_HH
#define CLICK_CONNECTIONCACHE_HH
#include <click/batchelement.hh>
#include <click/ipflowid.hh>
CLICK_DECLS

/*
 * ConnectionCache
 * Despite the name: remembers only the flow of the previous packet, to count
 * how long runs of back-to-back packets of one flow are (a batching metric).
 * One slot, overwritten by every packet: no per-flow table.
 */
class ConnectionCache : public BatchElement {
  public:
    ConnectionCache() CLICK_COLD : _run(0), _longest(0), _runs(0) {}
    const char *class_name() const override { return "ConnectionCache"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;

  private:
    IPFlowID _previous;
    uint32_t _run;
    uint32_t _longest;
    uint64_t _runs;
};

CLICK_ENDDECLS
#endif
