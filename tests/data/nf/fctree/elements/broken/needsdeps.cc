#include "needsdeps.hh"
Packet *NeedsDeps::simple_action(Packet *p) { return p; }
EXPORT_ELEMENT(NeedsDeps)
