#include <click/element.hh>
#include "table.hh"
struct Meter { uint64_t bytes; uint64_t last; };
class Wrapped : public Element {
  public:
    const char *class_name() const { return "Wrapped"; }
    void push(int, Packet *p);
  private:
    CoreTable<Meter> _meters;
    per_thread<HashTable<uint64_t, uint64_t>> _seen;
};
