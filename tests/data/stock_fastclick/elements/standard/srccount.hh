#ifndef STOCK_SRCCOUNT_HH
#define STOCK_SRCCOUNT_HH
#include "countbase.hh"
class SrcCount : public CountBase {
  public:
    const char *class_name() const { return "SrcCount"; }
    Packet *simple_action(Packet *p);
};
#endif
