#include "srccounter.hh"
// CHECK-style comment that mentions push(  should not confuse the adapter
uint32_t SrcCounter::bump(uint32_t addr) {
    return ++_counts[addr % 4096];
}
void SrcCounter::push(int port, Packet *p) {
    bump(p->ip_header()->ip_src);
    output(port, p);
}
EXPORT_ELEMENT(SrcCounter)
