// A C++ base class whose code is out of line in countbase.cc (another file of the NF).
#ifndef STOCK_COUNTBASE_HH
#define STOCK_COUNTBASE_HH
#include <click/element.hh>
class CountBase : public Element {
  public:
    void count_source(uint32_t src);
  protected:
    uint64_t _per_src[STOCK_TABLE_SIZE];
};
#endif
