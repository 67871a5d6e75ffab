#ifndef CLICK_DIALOGS_HH
#define CLICK_DIALOGS_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/multithread.hh>
CLICK_DECLS

/*
 * Dialogs
 * TCP state per conversation; both directions share one record, so replies
 * of an established exchange pass and unsolicited segments go to output 1.
 */
class Dialogs : public BatchElement {
  public:
    Dialogs() CLICK_COLD {}
    const char *class_name() const override { return "Dialogs"; }
    const char *port_count() const override { return "1/2"; }
    const char *processing() const override { return PUSH; }
    void push_batch(int port, PacketBatch *batch) override;

  private:
    enum Phase : uint8_t { OPENING, OPEN, CLOSING };
    struct Conversation {
        Phase phase;
        uint8_t fins;
        uint32_t segments;
        uint32_t last_ack;
    };
    static IPFlowID canonical(const Packet *p);

    per_thread<HashTable<IPFlowID, Conversation>> _conversations;
};

CLICK_ENDDECLS
#endif
