#include "macswap.hh"
Packet *MacSwapImpl::simple_action(Packet *p) { return p; }
EXPORT_ELEMENT(MacSwapImpl)
