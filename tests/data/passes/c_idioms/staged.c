/* One stage fills a per-worker buffer of keys, a later stage looks them up. */
#include <netinet/ip.h>
#include <rte_hash.h>
struct key4 { unsigned s, d; };
struct worker { struct key4 *keys; };
struct worker_main { struct worker *workers; struct rte_hash *flows; };
static struct worker_main wm;
static void fill(struct key4 *out, const struct iphdr *ip) { out->s = ip->saddr; out->d = ip->daddr; }
static void stage1(struct worker *w, const struct iphdr *ip)
{
	struct key4 *keys = w->keys;
	fill(&keys[0], ip);
}
static int stage2(struct worker *w)
{
	struct key4 *keys = w->keys;
	return rte_hash_lookup(wm.flows, &keys[0]);
}
int node(const struct iphdr *ip, unsigned thread)
{
	struct worker *w = &wm.workers[thread];
	stage1(w, ip);
	int pos = stage2(w);
	if (pos < 0)
		pos = rte_hash_add_key(wm.flows, &w->keys[0]);
	return pos;
}
