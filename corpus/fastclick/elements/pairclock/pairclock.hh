#ifndef CLICK_PAIRCLOCK_HH
#define CLICK_PAIRCLOCK_HH
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/multithread.hh>
CLICK_DECLS

// Unordered host pair: the lower address first, whatever the direction.
struct HostEdge {
    uint32_t low;
    uint32_t high;
    bool operator==(const HostEdge &o) const { return low == o.low && high == o.high; }
    size_t hashcode() const { return click_hash_u32(low * 31 + high); }
};

/*
 * PairClock
 * Packets exchanged between two hosts, both directions together, one table per thread.
 */
class PairClock : public Element {
  public:
    PairClock() CLICK_COLD {}
    const char *class_name() const override { return "PairClock"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;

  private:
    per_thread<HashTable<HostEdge, uint64_t>> _exchanged;
};

CLICK_ENDDECLS
#endif
