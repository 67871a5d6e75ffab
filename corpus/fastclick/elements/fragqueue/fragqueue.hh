#ifndef CLICK_FRAGQUEUE_HH
#define CLICK_FRAGQUEUE_HH
#include <click/element.hh>
#include <click/hashtable.hh>
CLICK_DECLS

// One datagram being reassembled: RFC 791 identifies it by (src, dst, protocol, id).
struct DatagramId {
    uint32_t src;
    uint32_t dst;
    uint16_t id;
    uint8_t proto;
    bool operator==(const DatagramId &o) const {
        return src == o.src && dst == o.dst && id == o.id && proto == o.proto;
    }
    size_t hashcode() const { return click_hash_u32(src ^ (dst * 7) ^ (uint32_t(id) << 8) ^ proto); }
};

struct DatagramProgress {
    uint32_t bytes;
    uint16_t fragments;
    bool have_last;
};

/*
 * FragQueue
 * Counts the fragments of each datagram and emits a datagram's last fragment
 * on output 1 once every byte has been seen.
 */
class FragQueue : public Element {
  public:
    FragQueue() CLICK_COLD {}
    const char *class_name() const override { return "FragQueue"; }
    const char *port_count() const override { return "1/2"; }
    const char *processing() const override { return PUSH; }
    void push(int port, Packet *p) override;

  private:
    HashTable<DatagramId, DatagramProgress> _datagrams;
};

CLICK_ENDDECLS
#endif
