#ifndef CLICK_REFLECT_HH
#define CLICK_REFLECT_HH
#include <click/batchelement.hh>
CLICK_DECLS

class Reflect : public BatchElement {
  public:
    Reflect() CLICK_COLD {}
    const char *class_name() const override { return "Reflect"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;
};

CLICK_ENDDECLS
#endif
