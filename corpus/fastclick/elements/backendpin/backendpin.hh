#ifndef CLICK_BACKENDPIN_HH
#define CLICK_BACKENDPIN_HH
#include <click/batchelement.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>
#include <click/sync.hh>
#include <click/vector.hh>
CLICK_DECLS

/*
 * BackendPin(DST1, DST2, ...)
 * Sends each new connection to the next server in turn and keeps it there.
 */
class BackendPin : public BatchElement {
  public:
    BackendPin() CLICK_COLD : _next(0) {}
    const char *class_name() const override { return "BackendPin"; }
    const char *port_count() const override { return PORTS_1_1; }
    const char *processing() const override { return PUSH; }
    int configure(Vector<String> &conf, ErrorHandler *errh) override CLICK_COLD;
    void push_batch(int port, PacketBatch *batch) override;

  private:
    struct Assignment {
        uint32_t server;     // network order
        uint16_t slot;
    };
    Assignment assign();

    HashTable<IPFlow5ID, Assignment> _assignments;
    Spinlock _lock;
    Vector<uint32_t> _servers;     // configuration
    uint32_t _next;
};

CLICK_ENDDECLS
#endif
