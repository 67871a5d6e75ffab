#ifndef CLICK_ANCHOR_HH
#define CLICK_ANCHOR_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/multithread.hh>
#include <click/timestamp.hh>
CLICK_DECLS

struct Segment;

// Heap-allocated record; the table only stores the pointer.
struct Session {
    Timestamp last_seen;
    uint64_t bytes;
    Segment *history;        // singly linked list of recent segment sizes
    Session *peer;           // the other direction, once seen
};

struct Segment {
    uint32_t length;
    Segment *next;
};

class Anchor : public BatchElement {
  public:
    Anchor() CLICK_COLD {}
    const char *class_name() const override { return "Anchor"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    Session *session_for(const Packet *p);
    per_thread<HashTable<IPFlow5ID, Session *>> _sessions;
};

CLICK_ENDDECLS
#endif
