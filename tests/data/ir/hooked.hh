// A flow-manager style element whose members are all inline: its own object
// file has no vtable, so the base's push_batch (which looks the flow up and
// calls the hooks) is only emitted where the framework creates the element.
#include <stdint.h>

struct Packet {
    const uint8_t *_data; uint32_t len; Packet *next;
    const uint8_t *data() const { return _data; }
};
struct FlowKey { uint32_t src, dst; bool operator==(const FlowKey &o) const { return src == o.src && dst == o.dst; } };

void drop(Packet *p);

struct Element { virtual ~Element() {} virtual void push_batch(int port, Packet *batch) = 0; };

template <class State> struct FlowTable {
    struct Node { FlowKey key; State value; Node *next; };
    Node *buckets[1024] = {};
    static unsigned hash(const FlowKey &k) { return (k.src * 31 + k.dst) & 1023; }
    State *find(const FlowKey &k) {
        for (Node *n = buckets[hash(k)]; n; n = n->next)
            if (n->key == k)
                return &n->value;
        return nullptr;
    }
    State *insert(const FlowKey &k) {
        Node *n = new Node{k, State(), buckets[hash(k)]};
        buckets[hash(k)] = n;
        return &n->value;
    }
};

template <class Derived, class State> struct FlowStateElement : Element {
    bool new_flow(State *, Packet *) { return true; }
    bool process(State *, Packet *) { return true; }
    void push_batch(int, Packet *batch) override {
        Derived *self = static_cast<Derived *>(this);
        for (Packet *p = batch; p; p = p->next) {
            const uint8_t *ip = p->data() + 14;
            FlowKey k{*(const uint32_t *)(ip + 12), *(const uint32_t *)(ip + 16)};
            State *s = _flows.find(k);
            bool created = !s;
            if (created)
                s = _flows.insert(k);
            bool keep = created ? self->new_flow(s, p) : true;
            if (keep)
                keep = self->process(s, p);
            if (!keep)
                drop(p);
        }
    }
    FlowTable<State> _flows;
};

struct Volume { uint64_t bytes; uint64_t first; };

class VolumeHooks : public FlowStateElement<VolumeHooks, Volume> {
  public:
    bool new_flow(Volume *state, Packet *p);
    bool process(Volume *state, Packet *p);
};
