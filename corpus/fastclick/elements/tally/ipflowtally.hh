#ifndef CLICK_IPFLOWTALLY_HH
#define CLICK_IPFLOWTALLY_HH
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
CLICK_DECLS

/*
 * IPFlowTally()
 * Counts packets and bytes for each (src, dst, sport, dport) it sees.
 */
class IPFlowTally : public Element {
  public:
    IPFlowTally() CLICK_COLD;

    const char *class_name() const override { return "IPFlowTally"; }
    const char *port_count() const override { return PORTS_1_1; }

    Packet *simple_action(Packet *p) override;

  private:
    struct Totals {
        uint64_t packets;
        uint64_t bytes;
        Totals() : packets(0), bytes(0) {}
    };
    HashTable<IPFlowID, Totals> _totals;
};

CLICK_ENDDECLS
#endif
