// Framework core next to Element: its push_batch is plumbing to the next element.
#ifndef TEST_CLICK_BATCHELEMENT_HH
#define TEST_CLICK_BATCHELEMENT_HH
#include <click/element.hh>
class BatchElement : public Element {
  public:
    virtual Packet *simple_action(Packet *p) { return p; }
    virtual void push_batch(int port, Packet *p) { output_push_batch(port, simple_action(p)); }
    void output_push_batch(int port, Packet *p) { output(port, p); }
};
#endif
