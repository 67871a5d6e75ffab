#ifndef TEST_MACSWAP_HH
#define TEST_MACSWAP_HH
#include <click/batchelement.hh>
class MacSwapImpl : public BatchElement {
  public:
    const char *class_name() const override { return "MacSwap"; }
    Packet *simple_action(Packet *p);
};
#endif
