// A C++ element-like class with a keyed table method (not inlined: declared only)
// and a packet accessor; the entry is written only when the lookup missed.
#include <stdint.h>

struct click_ip { uint8_t ip_vhl, ip_tos; uint16_t ip_len, ip_id, ip_off; uint8_t ip_ttl, ip_p;
                  uint16_t ip_sum; uint32_t ip_src, ip_dst; };
struct Packet { const click_ip *ip_header() const; };
struct Backend { uint32_t addr; uint32_t conns; };
template <class K, class V> struct Table { V *find(const K &k); V *insert(const K &k); };

class Balancer {
  public:
    uint32_t simple_action(Packet *p);
  private:
    Table<uint64_t, Backend> _map;
    uint32_t _next;
};

uint32_t Balancer::simple_action(Packet *p)
{
    const click_ip *ip = p->ip_header();
    uint64_t key = (uint64_t)ip->ip_src << 32 | ip->ip_dst;
    Backend *b = _map.find(key);
    if (!b) {
        b = _map.insert(key);
        b->addr = _next++;
    }
    return b->addr;
}
