#ifndef STOCK_NEEDSGEN_HH
#define STOCK_NEEDSGEN_HH
#include <click/element.hh>
class NeedsGen : public Element {
  public:
    const char *class_name() const { return "NeedsGen"; }
    Packet *simple_action(Packet *p);
};
#endif
