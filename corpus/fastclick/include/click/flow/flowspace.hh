// Flow control blocks: a flow manager upstream (FlowIPManager and friends)
// classifies each packet and sets `fcb_stack` to the packet's per-flow block;
// a FlowSpaceElement<T> reserves sizeof(T) bytes in every block and is handed
// its part for each batch of one flow.  The element builds no key itself.
#ifndef CLICK_FLOW_FLOWSPACE_HH
#define CLICK_FLOW_FLOWSPACE_HH
#include <click/batchelement.hh>

struct FlowControlBlock {
    uint32_t use_count;
    uint32_t flags;
    unsigned char data[1];
};

// The current packet's block, set by the flow manager (one per thread upstream).
extern FlowControlBlock *fcb_stack;

template <typename T> class FlowSpaceElement : public BatchElement {
  public:
    const char *processing() const override { return PUSH; }

    virtual void push_flow(int port, T *flowdata, PacketBatch *batch) = 0;

    void push_batch(int port, PacketBatch *batch) override {
        push_flow(port, fcb_data(), batch);
    }

  protected:
    T *fcb_data() { return reinterpret_cast<T *>(&fcb_stack->data[_flow_data_offset]); }
    int _flow_data_offset = 0;
};
#endif
