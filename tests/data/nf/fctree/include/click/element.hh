// Minimal element API for flowmagec's adapter tests (written for these tests).
#ifndef TEST_CLICK_ELEMENT_HH
#define TEST_CLICK_ELEMENT_HH
#include <stdint.h>
#include <click/packet.hh>
class Element {
  public:
    virtual ~Element() {}
    virtual const char *class_name() const = 0;
    virtual void push(int port, Packet *p) { output(0, p); }
    void output(int port, Packet *p) { (void)port; (void)p; }
};
#define EXPORT_ELEMENT(name)
#endif
