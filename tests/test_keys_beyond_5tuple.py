"""Keys beyond the 5-tuple: annotations, flow control blocks resolved in the
chain, and symmetry from what the key computation does (not from which
fields it reads).  The corpus NFs themselves are checked by test_corpus.py;
here: the chain-level resolution on a parsed chain, and small NFs written
for one idiom each."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowmagec import adapters, analysis, frontends, fusion
from flowmagec.artifacts import KEY_FIELDS, Evidence, NFFeatures
from flowmagec.chain_features import resolve_upstream_keys
from flowmagec.passes import header_fields as hf

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FASTCLICK = CORPUS / "fastclick"


def _features(framework: str, root: Path, paths: list[Path]) -> dict[str, NFFeatures]:
    units = adapters.discover_paths([str(p) for p in paths], framework=framework,
                                    src_dirs=[str(root)])
    return {f.name: f for f in fusion.fuse(analysis.analyze(units), units).nfs}


@pytest.fixture(scope="module")
def corpus_features():
    names = ("flowclassifier", "colorize", "blockmeter", "tintledger")
    return _features("fastclick", FASTCLICK, [FASTCLICK / "elements" / n for n in names])


def _chain(tmp_path, text: str):
    path = tmp_path / "chain.click"
    path.write_text(text)
    return frontends.load(str(path))


def _by_element(chain, by_class):
    return {e.name: by_class[e.cls] for e in chain.elements if e.cls in by_class}


def test_nf_level_features_say_what_is_upstream(corpus_features):
    meter = corpus_features["BlockMeter"]
    assert meter.stateful and meter.key_other == ["upstream:flow-manager"]
    # alone, the stock flow managers' key, said to be a default the chain replaces
    assert meter.key == list(KEY_FIELDS)
    assert meter.evidence["key"][0].detail.startswith("no chain: the key of FastClick's stock")
    provides = {e.detail for e in corpus_features["FlowClassifier"].evidence["provides"]}
    assert provides == {"flow-manager"}
    assert {e.detail for e in corpus_features["Colorize"].evidence["provides"]} == {"anno:paint"}
    assert corpus_features["TintLedger"].key_other == ["anno:paint"]


def test_chain_resolves_block_key_from_the_flow_manager(tmp_path, corpus_features):
    chain = _chain(tmp_path, "src :: FromDevice(eth0)\n"
                             "  -> fm0 :: FlowClassifier\n  -> col :: Colorize\n"
                             "  -> Queue -> meter :: BlockMeter\n"
                             "  -> ledger :: TintLedger -> Discard;\n")
    given = _by_element(chain, corpus_features)
    out = resolve_upstream_keys(chain, given)
    meter = out["meter"]
    assert meter.key == list(KEY_FIELDS) and meter.key_other == []
    assert any(e.detail == "key from upstream flow manager fm0: 5-tuple"
               for e in meter.evidence["key"])
    assert any(e.detail.startswith("anno:paint set upstream by col")
               for e in out["ledger"].evidence["key_other"])
    assert given["meter"].key_other == ["upstream:flow-manager"]     # input not changed


def test_without_a_flow_manager_upstream_the_key_stays_upstream(tmp_path, corpus_features):
    # the manager is downstream of the element here: it does not classify its packets
    chain = _chain(tmp_path, "FromDevice(eth0) -> meter :: BlockMeter "
                             "-> fm0 :: FlowClassifier -> Discard;\n")
    meter = resolve_upstream_keys(chain, _by_element(chain, corpus_features))["meter"]
    assert meter.key == [] and meter.key_other == ["upstream:flow-manager"]
    assert any("no flow manager upstream" in d for d in meter.disagreements)


def test_nearest_flow_manager_wins(tmp_path):
    def manager(key):
        return NFFeatures(name="M", stateful=True, key=key,
                          evidence={"provides": [Evidence("m.cc", 1, "t", "flow-manager")]})
    chain = _chain(tmp_path, "FromDevice(eth0) -> far :: M1 -> near :: M2 -> e :: E -> Discard;\n")
    feats = {"far": manager(list(KEY_FIELDS)), "near": manager(["src_ip", "dst_ip"]),
             "e": NFFeatures(name="E", stateful=True, key_other=["upstream:flow-manager"])}
    out = resolve_upstream_keys(chain, feats)
    assert out["e"].key == ["src_ip", "dst_ip"]
    assert out["e"].evidence["key"][0].detail == "key from upstream flow manager near: src_ip,dst_ip"


def test_annotation_keys_come_from_the_knowledge_rows():
    assert hf.ANNOTATION_FIELDS["PAINT_ANNO"] == "anno:paint"
    assert hf.ANNOTATION_FIELDS["AGGREGATE_ANNO"] == "anno:aggregate"
    assert hf.ANNOTATION_FIELDS["VLAN_TCI_ANNO"] == "vlan"       # a header field keeps its name
    assert hf.ANNOTATION_SETTERS["SET_PAINT_ANNO"] == "anno:paint"


def _plain_nf(tmp_path, name: str, body: str) -> NFFeatures:
    nf = tmp_path / name
    nf.mkdir()
    (nf / f"{name}.c").write_text(f"// flowmage: entry {name}_packet\n" + body)
    return next(iter(_features("plain", tmp_path, [nf]).values()))


TRACKER = """#include <stdint.h>
#include <netinet/ip.h>
struct slot { uint32_t a, b; uint64_t packets; };
static struct slot table[1024];
void %s_packet(const unsigned char *l3) {
    const struct iphdr *ip = (const struct iphdr *)l3;
    uint32_t a, b;
%s
    struct slot *s = &table[(a * 31 + b) & 1023];
    s->a = a; s->b = b;
    s->packets++;
}
"""


def test_swap_by_compare_is_symmetric(tmp_path):
    f = _plain_nf(tmp_path, "swapcmp", TRACKER % ("swapcmp", """
    if (ip->saddr < ip->daddr) { a = ip->saddr; b = ip->daddr; }
    else { a = ip->daddr; b = ip->saddr; }"""))
    assert f.stateful and f.key == ["src_ip", "dst_ip"] and f.symmetric


def test_one_direction_key_is_not_symmetric(tmp_path):
    f = _plain_nf(tmp_path, "onedir", TRACKER % ("onedir", """
    a = ip->saddr;
    b = ip->daddr;"""))
    assert f.stateful and f.key == ["src_ip", "dst_ip"] and not f.symmetric


def test_two_slots_of_one_key_array_are_not_a_swap(tmp_path):
    """``k[0] = src; k[1] = dst``: two slots of one array, one direction (VPP
    reassembly keys look like this)."""
    f = _plain_nf(tmp_path, "slots", """#include <stdint.h>
#include <netinet/ip.h>
struct key { uint64_t w[2]; };
struct entry { struct key k; uint32_t frags; };
static struct entry table[256];
void slots_packet(const unsigned char *l3) {
    const struct iphdr *ip = (const struct iphdr *)l3;
    struct key k;
    k.w[0] = ip->saddr;
    k.w[1] = (uint64_t)ip->daddr << 16 | ip->id;
    struct entry *e = &table[(k.w[0] ^ k.w[1]) & 255];
    e->k = k;
    e->frags++;
}
""")
    assert f.stateful and f.key == ["src_ip", "dst_ip"] and f.key_other == ["ip_id"]
    assert not f.symmetric


def test_table_of_packet_queues_is_state(tmp_path):
    """An array of packet lists (fragments waiting for their datagram) indexed
    through a helper of the IP id is per-flow state, though a packet pointer
    member alone is not a container."""
    nf = tmp_path / "fragments"
    nf.mkdir()
    (nf / "fragments.hh").write_text("""#include <click/element.hh>
CLICK_DECLS
class Fragments : public Element {
  public:
    const char *class_name() const override { return "Fragments"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;
  private:
    static unsigned bucket_of(const click_ip *h) { return h->ip_id % 64; }
    Packet *_queues[64];
    Packet *_last;
};
CLICK_ENDDECLS
""")
    (nf / "fragments.cc").write_text("""#include <click/config.h>
#include "fragments.hh"
CLICK_DECLS
Packet *Fragments::simple_action(Packet *p) {
    unsigned b = bucket_of(p->ip_header());
    _queues[b] = p;
    _last = p;
    return 0;
}
CLICK_ENDDECLS
EXPORT_ELEMENT(Fragments)
""")
    f = _features("fastclick", FASTCLICK, [nf])["Fragments"]
    assert f.stateful and f.key == [] and f.key_other == ["ip_id"]
    assert "_queues" in f.evidence["stateful"][0].detail


def test_session_context_of_the_element_itself(tmp_path):
    """A flow element's declared session context gives its key; another class's
    context in the same header, or a commented-out one, does not."""
    from flowmagec.passes.source_key import _session_context
    hh = tmp_path / "x.hh"
    hh.write_text('class A : public FlowSpaceElement<S> {\n'
                  '    // FLOW_ELEMENT_DEFINE_SESSION_CONTEXT("9/0/ff:HASH-3", FLOW_TCP);\n'
                  '    int x;\n'
                  '};\n'
                  'class B : public FlowSpaceElement<S> {\n'
                  '    FLOW_ELEMENT_DEFINE_SESSION_CONTEXT("12/0/ffffffff:HASH-3 '
                  '16/0/ffffffff:HASH-3 22/0/ffff 20/0/ffff:ARRAY", FLOW_TCP);\n'
                  '};\n')
    assert _session_context(str(hh), 1) is None
    assert _session_context(str(hh), 5) == (6, ["src_ip", "dst_ip", "src_port", "dst_port"])


def test_key_built_by_the_nfs_own_constructor(tmp_path):
    """``ConnKey k (p)``: the key's fields are what the constructor stores."""
    nf = tmp_path / "ctorkey"
    nf.mkdir()
    (nf / "ctorkey.hh").write_text("""#include <click/element.hh>
#include <click/hashtable.hh>
CLICK_DECLS
struct ConnKey {
    uint32_t a, b;
    ConnKey(const Packet *p) {
        a = p->ip_header()->ip_src.s_addr;
        b = p->ip_header()->ip_dst.s_addr;
    }
    bool operator==(const ConnKey &o) const { return a == o.a && b == o.b; }
    size_t hashcode() const { return click_hash_u32(a * 31 + b); }
};
class CtorKey : public Element {
  public:
    const char *class_name() const override { return "CtorKey"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;
  private:
    HashTable<ConnKey, uint32_t> _seen;
};
CLICK_ENDDECLS
""")
    (nf / "ctorkey.cc").write_text("""#include <click/config.h>
#include "ctorkey.hh"
CLICK_DECLS
Packet *CtorKey::simple_action(Packet *p) {
    ConnKey k(p);
    _seen[k] += 1;
    return p;
}
CLICK_ENDDECLS
EXPORT_ELEMENT(CtorKey)
""")
    f = _features("fastclick", FASTCLICK, [nf])["CtorKey"]
    assert f.stateful and f.key == ["src_ip", "dst_ip"] and not f.symmetric


REFILL = """#include <stdint.h>
#include <netinet/ip.h>
struct key { uint32_t addr; uint32_t id; };
struct entry { struct key k; uint64_t n; };
static struct entry table[1024];
static struct entry *find(const struct key *k) { return &table[(k->addr * 31 + k->id) & 1023]; }
void refill_packet(const unsigned char *l3) {
    const struct iphdr *ip = (const struct iphdr *)l3;
    struct key k;
    k.addr = ip->saddr;
    k.id = ip->id;
    struct entry *e = find(&k);
    e->n++;
    if ((ip->daddr & 0xf0) == 0xe0) {      /* a second lookup, by the group address */
        k.addr = ip->daddr;
        e = find(&k);
        e->n++;
    }
}
"""


def test_refilled_key_slot_is_not_a_swap_at_either_level(tmp_path):
    """A slot refilled with the destination for a second lookup after the first
    (gtpu's unicast then multicast tunnel check) keeps one direction per lookup:
    neither the source nor the IR pass says symmetric."""
    from flowmagec import compile as compile_stage
    nf = tmp_path / "refill"
    nf.mkdir()
    (nf / "refill.c").write_text("// flowmage: entry refill_packet\n" + REFILL)
    units = adapters.discover_paths([str(nf)], framework="plain")
    units = compile_stage.compile_units(units, cache_dir=str(tmp_path / "cache"))
    facts = analysis.analyze(units)
    (f,) = fusion.fuse(facts, units).nfs
    assert f.stateful and not f.symmetric, [str(x.evidence) for x in facts[0].of("symmetric")]
    assert facts[0].stages["ir"].startswith("ok")
    assert not facts[0].of("symmetric")


def test_table_chosen_by_a_packet_field_adds_it_to_the_key(tmp_path):
    """``Map &m = ip_p == TCP ? _tcp : _udp``: one table per protocol is a table
    keyed by the protocol too."""
    nf = tmp_path / "perproto"
    nf.mkdir()
    (nf / "perproto.hh").write_text("""#include <click/element.hh>
#include <click/hashtable.hh>
CLICK_DECLS
class PerProto : public Element {
  public:
    const char *class_name() const override { return "PerProto"; }
    const char *port_count() const override { return PORTS_1_1; }
    Packet *simple_action(Packet *p) override;
  private:
    HashTable<uint32_t, uint32_t> _tcp, _udp;
};
CLICK_ENDDECLS
""")
    (nf / "perproto.cc").write_text("""#include <click/config.h>
#include "perproto.hh"
CLICK_DECLS
Packet *PerProto::simple_action(Packet *p) {
    const click_ip *iph = p->ip_header();
    HashTable<uint32_t, uint32_t> &m = iph->ip_p == IP_PROTO_TCP ? _tcp : _udp;
    m[iph->ip_src.s_addr] += 1;
    return p;
}
CLICK_ENDDECLS
EXPORT_ELEMENT(PerProto)
""")
    f = _features("fastclick", FASTCLICK, [nf])["PerProto"]
    assert f.stateful and f.key == ["src_ip", "protocol"]
