// A symmetric per-connection table: the key is (min(addr), max(addr)).
#include <click/element.hh>
struct Conn { uint32_t last_seen; };
class SymFlow : public Element {
  public:
    const char *class_name() const { return "SymFlow"; }
    void push(int, Packet *p) {
        const click_ip *iph = p->ip_header();
        uint32_t a = iph->ip_src.s_addr;
        uint32_t b = iph->ip_dst.s_addr;
        uint64_t key = ((uint64_t)min(a, b) << 32) | max(a, b);
        if (_conns.find(key) == _conns.end())
            _conns.insert(key, Conn());
        output(0).push(p);
    }
  private:
    HashMap<uint64_t, Conn> _conns;
};
EXPORT_ELEMENT(SymFlow)
