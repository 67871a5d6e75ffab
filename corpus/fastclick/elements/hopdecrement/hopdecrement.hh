#ifndef CLICK_HOPDECREMENT_HH
#define CLICK_HOPDECREMENT_HH
#include <click/element.hh>
CLICK_DECLS

class HopDecrement : public Element {
  public:
    HopDecrement() CLICK_COLD {}
    const char *class_name() const override { return "HopDecrement"; }
    const char *port_count() const override { return PORTS_1_1X2; }
    const char *processing() const override { return PUSH; }
    void push(int port, Packet *p) override;
};

CLICK_ENDDECLS
#endif
