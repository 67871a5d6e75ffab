#ifndef TEST_MACSWAP_HH
#define TEST_MACSWAP_HH
#include <click/element.hh>
class MacSwapImpl : public Element {
  public:
    const char *class_name() const override { return "MacSwap"; }
    Packet *simple_action(Packet *p);
};
#endif
