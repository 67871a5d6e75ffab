// A flow-manager style element: the base class looks the flow up and hands
// the per-flow block to process(); new flows are set up under a condition.
#include <click/batchelement.hh>
#include <rte_hash.h>

template <class S> class BlockBase : public BatchElement {
  public:
    void push_batch(int, PacketBatch *batch) {
        FOR_EACH_PACKET_SAFE(batch, p) {
            _keys[0] = key_of(p);
            int idx = rte_hash_lookup(_hash, &_keys[0]);
            if (idx < 0) {
                idx = rte_hash_add_key(_hash, &_keys[0]);
                setup(&_blocks[idx], p);
            }
            process(&_blocks[idx], p);
        }
        output_push_batch(0, batch);
    }
    virtual uint32_t key_of(Packet *p) { return 0; }
    virtual void setup(S *s, Packet *p) {}
    virtual void process(S *s, Packet *p) {}
  protected:
    rte_hash *_hash;
    S *_blocks;
    uint32_t _keys[32];
};

struct OpaqueState {
    lib_handle_t *handle;    // library handle, only passed to calls
    uint32_t *history;       // indexed by the element
    uint32_t chosen;
};

class BlockEl : public BlockBase<OpaqueState> {
  public:
    const char *class_name() const { return "BlockEl"; }
    uint32_t key_of(Packet *p) override {
        return p->ip_header()->ip_dst.s_addr ^ p->udp_header()->uh_dport;
    }
    void setup(OpaqueState *s, Packet *p) override {
        s->chosen = 3;
        s->handle = lib_open();
    }
    void process(OpaqueState *s, Packet *p) override {
        if (s->history[0] > 10)
            p->kill();
    }
};
EXPORT_ELEMENT(BlockEl)
