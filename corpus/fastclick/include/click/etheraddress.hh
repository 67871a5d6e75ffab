#ifndef CLICK_ETHERADDRESS_HH
#define CLICK_ETHERADDRESS_HH
#include <click/glue.hh>

class EtherAddress {
  public:
    EtherAddress() { memset(_data, 0, 6); }
    explicit EtherAddress(const unsigned char *d) { memcpy(_data, d, 6); }
    const unsigned char *data() const { return _data; }
    bool is_broadcast() const { return (_data[0] & _data[1] & _data[2] & _data[3] & _data[4] & _data[5]) == 0xff; }
    bool is_group() const { return _data[0] & 1; }
    bool operator==(const EtherAddress &o) const { return memcmp(_data, o._data, 6) == 0; }
    size_t hashcode() const {
        uint32_t a, b;
        memcpy(&a, _data, 4);
        b = (uint32_t)_data[4] << 8 | _data[5];
        return click_hash_u32(a ^ (b * 0x9e3779b1U));
    }
  private:
    unsigned char _data[6];
};
#endif
