#ifndef CLICK_PROBEWATCH_HH
#define CLICK_PROBEWATCH_HH
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/ipaddress.hh>
#include <click/sync.hh>
#include <click/vector.hh>
CLICK_DECLS

/*
 * ProbeWatch(LIMIT)
 * Remembers which destination ports each source has touched; once a source
 * has touched LIMIT distinct ports its packets leave on output 1.
 */
class ProbeWatch : public Element {
  public:
    ProbeWatch() CLICK_COLD;
    const char *class_name() const override { return "ProbeWatch"; }
    const char *port_count() const override { return "1/2"; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push(int port, Packet *p) override;

  private:
    struct Footprint {
        Vector<uint16_t> ports;
        uint32_t packets = 0;
    };
    static bool contains(const Vector<uint16_t> &v, uint16_t port);

    HashTable<IPAddress, Footprint> _seen;
    Spinlock _lock;
    int _limit;
};

CLICK_ENDDECLS
#endif
