#ifndef CLICK_HOSTPAIRS_HH
#define CLICK_HOSTPAIRS_HH
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/sync.hh>
CLICK_DECLS

// Key: one ordered (source, destination) host pair.
struct HostPair {
    uint32_t a;
    uint32_t b;
    bool operator==(const HostPair &o) const { return a == o.a && b == o.b; }
    size_t hashcode() const { return click_hash_u32(a * 31 + b); }
};

/*
 * HostPairs(MAX)
 * Caps the number of packets exchanged from one host to another.
 */
class HostPairs : public Element {
  public:
    HostPairs() CLICK_COLD : _max(100000) {}
    const char *class_name() const override { return "HostPairs"; }
    const char *port_count() const override { return "1/2"; }
    const char *processing() const override { return PUSH; }
    void push(int port, Packet *p) override;

  private:
    HashTable<HostPair, uint32_t> _packets;
    RWLock _rw;
    uint32_t _max;
};

CLICK_ENDDECLS
#endif
