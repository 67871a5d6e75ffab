#ifndef CLICK_COMMONLEDGER_HH
#define CLICK_COMMONLEDGER_HH
#include <click/flow/flowelement.hh>
CLICK_DECLS

struct LedgerLine {
    uint32_t packets;
    uint16_t max_len;
};

class CommonLedger : public SharedFlowStateElement<CommonLedger, LedgerLine> {
  public:
    CommonLedger() CLICK_COLD {}
    const char *class_name() const override { return "CommonLedger"; }
    const char *port_count() const override { return PORTS_1_1; }
    bool process(LedgerLine *line, Packet *p);
};

CLICK_ENDDECLS
#endif
