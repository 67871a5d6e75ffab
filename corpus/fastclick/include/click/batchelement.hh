// Batch processing: a PacketBatch is a linked list of packets.
#ifndef CLICK_BATCHELEMENT_HH
#define CLICK_BATCHELEMENT_HH
#include <click/element.hh>

class PacketBatch : public WritablePacket {
  public:
    Packet *first() { return this; }
    unsigned count() const { return _count; }
    void set_count(unsigned c) { _count = c; }
    void kill();
  private:
    unsigned _count;
};

#define FOR_EACH_PACKET(batch, p) for (Packet *p = (batch)->first(); p != 0; p = p->next())
#define FOR_EACH_PACKET_SAFE(batch, p) \
    for (Packet *p = (batch)->first(), *_next_##p = p ? p->next() : 0; p != 0; \
         p = _next_##p, _next_##p = p ? p->next() : 0)

class BatchElement : public Element {
  public:
    virtual void push_batch(int port, PacketBatch *batch) {
        FOR_EACH_PACKET_SAFE(batch, p) push(port, p);
    }
    virtual PacketBatch *simple_action_batch(PacketBatch *batch) { return batch; }
    virtual PacketBatch *pull_batch(int port, unsigned max) { (void)port; (void)max; return 0; }

    void output_push_batch(int port, PacketBatch *batch) const;
    void checked_output_push_batch(int port, PacketBatch *batch) const {
        if (port < noutputs()) output_push_batch(port, batch);
        else batch->kill();
    }
};
#endif
