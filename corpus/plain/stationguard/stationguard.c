// Port security: remembers the ingress port of each source MAC address and
// drops frames whose source shows up on another port.  Keyed on the source MAC only.
// flowmage: entry stationguard_frame
// CHECK: stateful=true
// CHECK: key=
// CHECK: key_other=src_mac
// CHECK: symmetric=false
// CHECK: intensity=per-packet
// CHECK: pointer=false
#include <stdint.h>
#include <string.h>
#include <net/ethernet.h>

#define STATIONS 4096

struct station {
	uint8_t mac[ETH_ALEN];
	uint16_t port;
	uint32_t frames;
};

static struct station stations[STATIONS];

static unsigned
mac_slot(const uint8_t *mac)
{
	unsigned h = 0;
	for (int i = 0; i < ETH_ALEN; i++)
		h = h * 131 + mac[i];
	return h % STATIONS;
}

/* Returns 1 to forward, 0 to drop. */
int
stationguard_frame(const unsigned char *frame, unsigned len, uint16_t in_port)
{
	const struct ether_header *eh = (const struct ether_header *)frame;
	if (len < sizeof(*eh))
		return 0;
	struct station *s = &stations[mac_slot(eh->ether_shost)];
	if (s->frames == 0 || memcmp(s->mac, eh->ether_shost, ETH_ALEN) != 0) {
		memcpy(s->mac, eh->ether_shost, ETH_ALEN);
		s->port = in_port;
	}
	s->frames++;
	return s->port == in_port;
}
