// Includes a header no configure of this tree generates: its IR stays unavailable.
#include <click/config.h>
#include "needsgen.hh"
#include <click/never_generated.hh>

Packet *NeedsGen::simple_action(Packet *p) { return p; }
EXPORT_ELEMENT(NeedsGen)
