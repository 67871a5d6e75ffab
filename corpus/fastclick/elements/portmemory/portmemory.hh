#ifndef CLICK_PORTMEMORY_HH
#define CLICK_PORTMEMORY_HH
#include <click/element.hh>
#include <click/etheraddress.hh>
#include <click/hashtable.hh>
#include <click/timestamp.hh>
CLICK_DECLS

/*
 * PortMemory
 * Remembers, for every station address, the input port it was last heard on.
 */
class PortMemory : public Element {
  public:
    PortMemory() CLICK_COLD {}
    const char *class_name() const override { return "PortMemory"; }
    const char *port_count() const override { return "-/="; }
    const char *processing() const override { return PUSH; }
    void push(int port, Packet *p) override;

  private:
    struct Station {
        int port;
        Timestamp heard;
    };
    HashTable<EtherAddress, Station> _stations;
};

CLICK_ENDDECLS
#endif
