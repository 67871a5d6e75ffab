#ifndef CLICK_OUTSIDEMAP_HH
#define CLICK_OUTSIDEMAP_HH
#include <click/element.hh>
#include <click/hashmap.hh>
#include <click/multithread.hh>
CLICK_DECLS

/*
 * OutsideMap(PUBLIC_ADDR)
 * Endpoint-independent source translation: every inside (address, port)
 * gets one public port, used for all its destinations.
 */
class OutsideMap : public Element {
  public:
    OutsideMap() CLICK_COLD : _public_addr(0), _next_port(1024) {}
    const char *class_name() const override { return "OutsideMap"; }
    const char *port_count() const override { return PORTS_1_1; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    Packet *simple_action(Packet *p) override;

  private:
    struct Binding {
        uint16_t public_port;
        uint16_t inside_port;
    };
    not_per_thread<HashMap<uint64_t, Binding>> _bindings;
    uint32_t _public_addr;
    uint16_t _next_port;
};

CLICK_ENDDECLS
#endif
