#ifndef CLICK_IPADDRESS_HH
#define CLICK_IPADDRESS_HH
#include <click/glue.hh>
#include <netinet/in.h>

class IPAddress {
  public:
    IPAddress() : _addr(0) {}
    IPAddress(uint32_t a) : _addr(a) {}
    IPAddress(struct in_addr a) : _addr(a.s_addr) {}
    uint32_t addr() const { return _addr; }
    operator uint32_t() const { return _addr; }
    struct in_addr in_addr() const { struct in_addr a; a.s_addr = _addr; return a; }
    bool operator==(const IPAddress &o) const { return _addr == o._addr; }
    bool operator!=(const IPAddress &o) const { return _addr != o._addr; }
    IPAddress operator&(const IPAddress &m) const { return IPAddress(_addr & m._addr); }
    size_t hashcode() const { return click_hash_u32(_addr); }
  private:
    uint32_t _addr;
};
#endif
