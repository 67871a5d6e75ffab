// Minimal element API of the stock test tree (written for flowmagec's tests).
#ifndef STOCK_CLICK_ELEMENT_HH
#define STOCK_CLICK_ELEMENT_HH
#include <click/config.h>
#ifndef HAVE_STOCK_CONFIG
# error "run configure first: click/config.h is generated"
#endif
#include <stdint.h>
struct Packet { uint32_t src; uint32_t dst; };
class Element {
  public:
    virtual ~Element() {}
    virtual const char *class_name() const = 0;
    virtual Packet *simple_action(Packet *p) { return p; }
};
#define EXPORT_ELEMENT(name)
#endif
