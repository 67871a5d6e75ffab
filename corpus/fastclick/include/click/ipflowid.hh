// Flow identifiers built from a packet's IP and transport headers.
#ifndef CLICK_IPFLOWID_HH
#define CLICK_IPFLOWID_HH
#include <click/ipaddress.hh>
#include <click/packet.hh>

// (src addr, dst addr, src port, dst port): the 4-tuple.
class IPFlowID {
  public:
    IPFlowID() : _saddr(), _daddr(), _sport(0), _dport(0) {}
    IPFlowID(IPAddress saddr, uint16_t sport, IPAddress daddr, uint16_t dport)
        : _saddr(saddr), _daddr(daddr), _sport(sport), _dport(dport) {}
    explicit IPFlowID(const Packet *p, bool reverse = false) {
        const click_ip *iph = p->ip_header();
        const click_udp *udph = p->udp_header();   // ports sit at the same offsets for TCP
        _saddr = IPAddress(iph->ip_src);
        _daddr = IPAddress(iph->ip_dst);
        _sport = udph->uh_sport;
        _dport = udph->uh_dport;
        if (reverse) *this = this->reverse();
    }

    IPAddress saddr() const { return _saddr; }
    IPAddress daddr() const { return _daddr; }
    uint16_t sport() const { return _sport; }
    uint16_t dport() const { return _dport; }
    void set_saddr(IPAddress a) { _saddr = a; }
    void set_daddr(IPAddress a) { _daddr = a; }
    void set_sport(uint16_t p) { _sport = p; }
    void set_dport(uint16_t p) { _dport = p; }

    IPFlowID reverse() const { return IPFlowID(_daddr, _dport, _saddr, _sport); }
    bool operator==(const IPFlowID &o) const {
        return _saddr == o._saddr && _daddr == o._daddr && _sport == o._sport && _dport == o._dport;
    }
    size_t hashcode() const {
        return click_hash_u32(_saddr.addr() ^ click_hash_u32(_daddr.addr()) ^ ((uint32_t)_sport << 16 | _dport));
    }

  protected:
    IPAddress _saddr;
    IPAddress _daddr;
    uint16_t _sport;
    uint16_t _dport;
};

// The 5-tuple: IPFlowID plus the IP protocol.
class IPFlow5ID : public IPFlowID {
  public:
    IPFlow5ID() : IPFlowID(), _proto(0) {}
    explicit IPFlow5ID(const Packet *p, bool reverse = false) : IPFlowID(p, reverse), _proto(p->ip_header()->ip_p) {}
    uint8_t proto() const { return _proto; }
    bool operator==(const IPFlow5ID &o) const { return IPFlowID::operator==(o) && _proto == o._proto; }
    size_t hashcode() const { return IPFlowID::hashcode() ^ _proto; }
  private:
    uint8_t _proto;
};
#endif
