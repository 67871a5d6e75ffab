// Focused snippet: a classic element with a HashTable keyed by IPFlowID.
// Includes are deliberately missing: libclang degrades unknown types to int.
#include <click/element.hh>
#include <click/hashtable.hh>
#include <click/ipflowid.hh>

struct FlowEntry {
    uint64_t packets;
    uint64_t bytes;
    Vector<int> sizes;       // nested container: irregular memory
};

class FlowTable : public Element {
  public:
    const char *class_name() const { return "FlowTable"; }
    void push(int port, Packet *p);
  private:
    HashTable<IPFlowID, FlowEntry> _flows;
    Spinlock _lock;
    uint32_t _max_flows;
};
