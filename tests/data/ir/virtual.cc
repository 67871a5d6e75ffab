// The key comes from a virtual hook called on this (devirtualised through the
// class's own vtable); the entry is updated on every packet.
#include <stdint.h>

struct click_ip { uint8_t ip_vhl, ip_tos; uint16_t ip_len, ip_id, ip_off; uint8_t ip_ttl, ip_p;
                  uint16_t ip_sum; uint32_t ip_src, ip_dst; };
struct Packet { const click_ip *ip_header() const; };
template <class K, class V> struct Table { V *find_insert(const K &k); };

class Manager {
  public:
    virtual ~Manager() {}
    virtual uint32_t key_of(Packet *p) = 0;
    void push(Packet *p);
  protected:
    Table<uint32_t, uint64_t> _counts;
};

class SourceCount : public Manager {
  public:
    uint32_t key_of(Packet *p) override;
};

void Manager::push(Packet *p)
{
    uint64_t *n = _counts.find_insert(key_of(p));
    (*n)++;
}

uint32_t SourceCount::key_of(Packet *p) { return p->ip_header()->ip_src; }

SourceCount instance;
