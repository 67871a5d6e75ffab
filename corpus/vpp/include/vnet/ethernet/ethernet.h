#ifndef included_ethernet_h
#define included_ethernet_h
#include <vppinfra/clib.h>

typedef struct {
  u8 dst_address[6];
  u8 src_address[6];
  u16 type;
} ethernet_header_t;

/* 802.1Q tag following the Ethernet addresses. */
typedef struct {
  u16 priority_cfi_and_id;	/* 3-bit priority, 1-bit CFI, 12-bit VLAN id */
  u16 type;
} ethernet_vlan_header_t;

#define ETHERNET_TYPE_IP4 0x0800
#define ETHERNET_TYPE_VLAN 0x8100
#endif
