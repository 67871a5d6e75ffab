// Flow-manager style elements: the base owns the flow table and calls the
// subclass hooks `new_flow(state, packet)` once per flow and
// `process(state, packet)` for every packet (CRTP, no virtual call).
#ifndef CLICK_FLOW_FLOWELEMENT_HH
#define CLICK_FLOW_FLOWELEMENT_HH
#include <click/batchelement.hh>
#include <click/flow/flowtable.hh>

template <class Derived, class State> class FlowStateElement : public BatchElement {
  public:
    const char *processing() const override { return PUSH; }

    // Default hooks; a subclass hides the ones it needs.
    bool new_flow(State *, Packet *) { return true; }
    bool process(State *, Packet *) { return true; }

    void push_batch(int, PacketBatch *batch) override {
        Derived *self = static_cast<Derived *>(this);
        FOR_EACH_PACKET_SAFE(batch, p) {
            IPFlow5ID fid(p);
            bool created;
            State *state = _flows.lookup_or_create(fid, created);
            bool keep = created ? self->new_flow(state, p) : true;
            if (keep) keep = self->process(state, p);
            if (keep) output(0).push(p);
            else p->kill();
        }
    }

  protected:
    PerCoreFlowTable<State> _flows;
};

// Same hooks, but one table shared by all cores (each packet holds the write lock).
template <class Derived, class State> class SharedFlowStateElement : public BatchElement {
  public:
    const char *processing() const override { return PUSH; }
    bool process(State *, Packet *) { return true; }

    void push_batch(int, PacketBatch *batch) override {
        Derived *self = static_cast<Derived *>(this);
        FOR_EACH_PACKET_SAFE(batch, p) {
            IPFlow5ID fid(p);
            typename SharedFlowTable<State>::handle state = _flows.acquire(fid);
            if (self->process(&*state, p)) output(0).push(p);
            else p->kill();
        }
    }

  protected:
    SharedFlowTable<State> _flows;
};
#endif
