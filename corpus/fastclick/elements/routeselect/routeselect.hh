#ifndef CLICK_ROUTESELECT_HH
#define CLICK_ROUTESELECT_HH
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/ipaddress.hh>
CLICK_DECLS

/*
 * RouteSelect(ADDR PORT, ...)
 * Exact-match host routes from the configuration; unknown destinations use
 * the last output.
 */
class RouteSelect : public Element {
  public:
    RouteSelect() CLICK_COLD {}
    const char *class_name() const override { return "RouteSelect"; }
    const char *port_count() const override { return "1/-"; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push(int port, Packet *p) override;

  private:
    HashTable<IPAddress, int> _routes;
};

CLICK_ENDDECLS
#endif
