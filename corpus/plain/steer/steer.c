// Classifier: a static table maps well-known destination ports to queues.
// flowmage: entry steer_queue
// CHECK: stateful=false
// CHECK: key=
#include <stdint.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>

struct rule {
	uint8_t proto;
	uint16_t port;
	uint8_t queue;
};

static const struct rule rules[] = {
	{ IPPROTO_UDP, 53, 1 },
	{ IPPROTO_TCP, 80, 2 },
	{ IPPROTO_TCP, 443, 2 },
	{ IPPROTO_UDP, 4789, 3 },
};

int
steer_queue(const uint8_t *pkt)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	const struct udphdr *uh = (const struct udphdr *)(pkt + ip->ihl * 4);
	uint16_t dport = ntohs(uh->dest);
	for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].proto == ip->protocol && rules[i].port == dport)
			return rules[i].queue;
	return 0;
}
