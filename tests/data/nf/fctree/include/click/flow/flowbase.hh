// A flow-manager-style base: finds the per-flow block and calls process(state, packet).
#ifndef TEST_CLICK_FLOWBASE_HH
#define TEST_CLICK_FLOWBASE_HH
#include <click/element.hh>
template <class State> class FlowTableBase : public Element {
  public:
    void push(int port, Packet *p) override {
        State *s = &_states[flow_index(p)];
        process(s, p);
        output(port, p);
    }
    virtual uint32_t flow_index(Packet *p) { return p->ip_header()->ip_src & 1023; }
    virtual void process(State *, Packet *) {}
  protected:
    State _states[1024];
};
#endif
