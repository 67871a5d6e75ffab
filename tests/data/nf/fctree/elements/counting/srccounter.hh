#ifndef TEST_SRCCOUNTER_HH
#define TEST_SRCCOUNTER_HH
#include <click/element.hh>
class SrcCounter : public Element {
  public:
    const char *class_name() const override { return "SrcCounter"; }
    void push(int port, Packet *p) override;
  private:
    uint32_t bump(uint32_t addr);
    uint32_t _counts[4096];
};
#endif
