// Packet: a buffer with header pointers and an annotation area.
#ifndef CLICK_PACKET_HH
#define CLICK_PACKET_HH
#include <click/glue.hh>
#include <clicknet/ip.h>
#include <clicknet/tcp.h>
#include <clicknet/udp.h>
#include <clicknet/ether.h>

class WritablePacket;

class Packet {
  public:
    enum { anno_size = 48 };

    const unsigned char *data() const { return _data; }
    uint32_t length() const { return _length; }

    const unsigned char *mac_header() const { return _mac; }
    const unsigned char *network_header() const { return _nh; }
    const unsigned char *transport_header() const { return _h; }
    const click_ether *ether_header() const { return (const click_ether *)_mac; }
    const click_ip *ip_header() const { return (const click_ip *)_nh; }
    const click_tcp *tcp_header() const { return (const click_tcp *)_h; }
    const click_udp *udp_header() const { return (const click_udp *)_h; }
    bool has_network_header() const { return _nh != 0; }
    int network_header_offset() const { return (int)(_nh - _data); }

    // Annotations (Click's anno area).
    uint8_t anno_u8(int off) const { return _anno[off]; }
    void set_anno_u8(int off, uint8_t v) { _anno[off] = v; }
    uint32_t anno_u32(int off) const { uint32_t v; memcpy(&v, _anno + off, 4); return v; }
    void set_anno_u32(int off, uint32_t v) { memcpy(_anno + off, &v, 4); }

    Packet *next() const { return _next; }
    void set_next(Packet *p) { _next = p; }

    WritablePacket *uniqueify();
    void kill();

  protected:
    unsigned char *_data;
    unsigned char *_mac;
    unsigned char *_nh;
    unsigned char *_h;
    uint32_t _length;
    unsigned char _anno[anno_size];
    Packet *_next;
};

class WritablePacket : public Packet {
  public:
    unsigned char *data() const { return _data; }
    click_ether *ether_header() const { return (click_ether *)_mac; }
    click_ip *ip_header() const { return (click_ip *)_nh; }
    click_tcp *tcp_header() const { return (click_tcp *)_h; }
    click_udp *udp_header() const { return (click_udp *)_h; }
};

inline WritablePacket *Packet::uniqueify() { return static_cast<WritablePacket *>(this); }

// Annotation offsets and accessors (as in click/packet_anno.hh).
#define PAINT_ANNO_OFFSET 0
#define DST_IP_ANNO_OFFSET 4
#define AGGREGATE_ANNO_OFFSET 8
#define PAINT_ANNO(p) ((p)->anno_u8(PAINT_ANNO_OFFSET))
#define SET_PAINT_ANNO(p, v) ((p)->set_anno_u8(PAINT_ANNO_OFFSET, (v)))
#define AGGREGATE_ANNO(p) ((p)->anno_u32(AGGREGATE_ANNO_OFFSET))
#endif
