/* GTP-U header (3GPP TS 29.281), as VPP's gtpu plugin spells it. */
#ifndef included_gtpu_packet_h
#define included_gtpu_packet_h
#include <vppinfra/clib.h>

typedef struct
{
  u8 ver_flags;
  u8 type;
  u16 length;			/* length in octets of the payload */
  u32 teid;			/* tunnel endpoint id */
} gtpu_header_t;

#endif
