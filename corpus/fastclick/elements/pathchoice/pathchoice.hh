#ifndef CLICK_PATHCHOICE_HH
#define CLICK_PATHCHOICE_HH
#include <click/flow/flowelement.hh>
CLICK_DECLS

struct Choice {
    uint8_t output;
    uint8_t weight_class;
};

/*
 * PathChoice(N)
 * Picks one of N outputs when a connection starts; the connection's later
 * packets follow the same output.
 */
class PathChoice : public FlowStateElement<PathChoice, Choice> {
  public:
    PathChoice() CLICK_COLD : _n(2), _rr(0) {}
    const char *class_name() const override { return "PathChoice"; }
    const char *port_count() const override { return "1/-"; }

    bool new_flow(Choice *c, Packet *p);
    bool process(Choice *c, Packet *p);

  private:
    int _n;
    unsigned _rr;
};

CLICK_ENDDECLS
#endif
