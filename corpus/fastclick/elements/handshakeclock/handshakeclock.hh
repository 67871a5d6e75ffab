#ifndef CLICK_HANDSHAKECLOCK_HH
#define CLICK_HANDSHAKECLOCK_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/multithread.hh>
#include <click/timestamp.hh>
CLICK_DECLS

/*
 * HandshakeClock
 * Stamps each TCP connection's SYN and FIN times; data segments carry the
 * connection age (ms) in the aggregate annotation.
 */
class HandshakeClock : public BatchElement {
  public:
    HandshakeClock() CLICK_COLD {}
    const char *class_name() const override { return "HandshakeClock"; }
    const char *port_count() const override { return PORTS_1_1; }
    PacketBatch *simple_action_batch(PacketBatch *batch) override;

  private:
    struct Stamps {
        Timestamp syn;
        Timestamp fin;
    };
    void on_control(HashTable<IPFlow5ID, Stamps> &t, Packet *p, uint8_t flags, Timestamp now);

    per_thread<HashTable<IPFlow5ID, Stamps>> _stamps;
};

CLICK_ENDDECLS
#endif
