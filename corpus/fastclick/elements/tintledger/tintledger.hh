#ifndef CLICK_TINTLEDGER_HH
#define CLICK_TINTLEDGER_HH
#include <click/element.hh>
#include <click/hashtable.hh>
CLICK_DECLS

/*
 * TintLedger
 * Byte and packet totals per paint colour (set upstream by Paint/IPClassifier).
 */
class TintLedger : public Element {
  public:
    TintLedger() CLICK_COLD {}
    const char *class_name() const override { return "TintLedger"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;

  private:
    struct Ledger {
        uint64_t packets;
        uint64_t bytes;
    };
    HashTable<uint8_t, Ledger> _ledger;
};

CLICK_ENDDECLS
#endif
