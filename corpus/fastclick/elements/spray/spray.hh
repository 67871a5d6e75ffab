#ifndef CLICK_SPRAY_HH
#define CLICK_SPRAY_HH
#include <click/element.hh>
CLICK_DECLS

/*
 * Spray
 * Chooses an output from a hash of the addresses and ports, so packets of one
 * connection always take the same output.  Nothing is remembered.
 */
class Spray : public Element {
  public:
    Spray() CLICK_COLD {}
    const char *class_name() const override { return "Spray"; }
    const char *port_count() const override { return "1/1-"; }
    const char *processing() const override { return PUSH; }
    void push(int port, Packet *p) override;

  private:
    static uint32_t mix(const click_ip *iph, const click_udp *uh);
};

CLICK_ENDDECLS
#endif
