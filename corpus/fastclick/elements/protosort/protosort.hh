#ifndef CLICK_PROTOSORT_HH
#define CLICK_PROTOSORT_HH
#include <click/batchelement.hh>
#include <click/vector.hh>
CLICK_DECLS

/*
 * ProtoSort(PORT_LO PORT_HI, ...)
 * Output 0: TCP to a configured port range; 1: other TCP; 2: UDP; 3: the rest.
 */
class ProtoSort : public BatchElement {
  public:
    ProtoSort() CLICK_COLD {}
    const char *class_name() const override { return "ProtoSort"; }
    const char *port_count() const override { return "1/4"; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push(int port, Packet *p) override;

  private:
    int classify(const Packet *p) const;
    struct Range {
        uint16_t lo, hi;
    };
    Vector<Range> _ranges;
};

CLICK_ENDDECLS
#endif
