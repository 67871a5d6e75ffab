// Verifies the IPv4 header checksum; counts good and bad packets globally.
// flowmage: entry inetsum_verify
// CHECK: stateful=false
// CHECK: key=
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/ip.h>

static unsigned long good, bad;

static uint16_t
fold(const uint16_t *w, size_t words)
{
	uint32_t sum = 0;
	while (words--)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
inetsum_verify(const struct iphdr *ip)
{
	int ok = fold((const uint16_t *)ip, ip->ihl * 2u) == 0;
	if (ok)
		good++;
	else
		bad++;
	return ok;
}
