#ifndef CLICK_COLORIZE_HH
#define CLICK_COLORIZE_HH
#include <click/element.hh>
CLICK_DECLS

/*
 * Colorize(COLOR)
 * Sets the paint annotation of every packet to COLOR.
 */
class Colorize : public Element {
  public:
    Colorize() CLICK_COLD : _color(0) {}
    const char *class_name() const override { return "Colorize"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;

  private:
    uint8_t _color;
};

CLICK_ENDDECLS
#endif
