#ifndef CLICK_SPREADCOUNT_HH
#define CLICK_SPREADCOUNT_HH
#include <click/batchelement.hh>
#include <click/atomic.hh>
CLICK_DECLS

/*
 * SpreadCount
 * Approximate per-sender packet counts in a fixed array of atomic cells.
 */
class SpreadCount : public BatchElement {
  public:
    enum { NCELLS = 1 << 14 };
    SpreadCount() CLICK_COLD {}
    const char *class_name() const override { return "SpreadCount"; }
    const char *port_count() const override { return PORTS_1_1; }
    PacketBatch *simple_action_batch(PacketBatch *batch) override;

  private:
    atomic_uint32_t _cells[NCELLS];
};

CLICK_ENDDECLS
#endif
