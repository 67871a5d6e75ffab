"""Key synthesis: Z3-proven independence and symmetry, RETA spread vs a Maestro-style key."""
import random

import pytest

from flowmagec.solver.keys import (KeyRequestError, clustered_traffic, key_spec, key_specs,
                                   maestro_style_key, prove_key, reta_indices, reta_spread,
                                   spread_report, synthesize, synthesize_key, uniform_traffic,
                                   zero_key_bits)
from flowmagec.solver.toeplitz import DEFAULT_KEY, LAYOUTS, Flow, flow, pack, toeplitz_hash

CASES = [
    # fields, symmetric, reta, key bytes, input
    (["src_ip"], False, 128, 40, "ipv4-l4"),
    (["src_ip"], False, 512, 52, "ipv4-l4"),
    (["dst_ip"], False, 512, 40, "ipv4-l4"),
    (["dst_ip", "dst_port"], False, 128, 40, "ipv4-l4"),
    (["src_port"], False, 512, 40, "ipv4-l4"),
    (["src_ip", "dst_ip"], True, 128, 40, "ipv4-l4"),
    (["src_ip", "dst_ip"], True, 512, 52, "ipv4"),
    (["src_ip", "dst_ip", "src_port", "dst_port"], True, 512, 40, "ipv4-l4"),
    (["src_ip"], False, 512, 40, "ipv6-l4"),
    (["src_ip", "dst_ip"], True, 128, 40, "ipv6-l4"),
]


@pytest.mark.parametrize("fields,symmetric,reta,key_bytes,input", CASES)
def test_synthesised_key_is_proven_and_spreads(fields, symmetric, reta, key_bytes, input):
    result = synthesize(fields, key_bytes, reta, symmetric, input)
    assert len(result.key) == key_bytes
    assert result.proof.holds, result.proof.to_dict()
    names = {p.name for p in result.proof.properties}
    assert "reaches_all_entries" in names
    assert ("symmetric" in names) == symmetric
    assert ("independent" in names) == (len(fields) < len(LAYOUTS[input].fields))
    spread = spread_report(result.key, key_spec(fields, key_bytes, reta, symmetric, input))
    assert all(v >= 0.95 for v in spread.values()), spread


@pytest.mark.parametrize("reta", [128, 512])
def test_sources_from_one_slash16_cover_the_reta_unlike_maestro(reta):
    rng = random.Random(11)
    traffic = [flow(f"10.1.{rng.randrange(256)}.{rng.randrange(256)}", rng.getrandbits(32),
                    rng.getrandbits(16), rng.getrandbits(16)) for _ in range(16 * reta)]
    ours = synthesize_key(["src_ip"], reta_size=reta)
    maestro = maestro_style_key(["src_ip"], reta_size=reta)
    assert reta_spread(ours, traffic, reta) >= 0.95
    assert reta_spread(maestro, traffic, reta) == 1 / reta      # the lesson: one entry
    uniform = uniform_traffic(16 * reta)
    assert reta_spread(ours, uniform, reta) >= 0.95
    assert reta_spread(maestro, uniform, reta) >= 0.95
    assert prove_key(maestro, ["src_ip"], reta).holds          # correct, just badly spread


def test_index_empirically_ignores_excluded_fields():
    key = synthesize_key(["dst_ip", "src_port"], reta_size=512)
    rng = random.Random(2)
    flows = uniform_traffic(500, seed=4)
    moved = [Flow(rng.getrandbits(32), f.dst, f.sport, rng.getrandbits(16)) for f in flows]
    assert reta_indices(key, flows, 512) == reta_indices(key, moved, 512)
    # but the full 32-bit hash still depends on them (only the RETA bits are constrained)
    lay = LAYOUTS["ipv4-l4"]
    assert any(toeplitz_hash(key, pack(lay, a)) != toeplitz_hash(key, pack(lay, b))
               for a, b in zip(flows, moved))


def test_symmetric_key_sends_both_directions_to_one_entry():
    key = synthesize_key(["src_ip", "dst_ip", "src_port", "dst_port"], symmetric=True, reta_size=512)
    flows = uniform_traffic(500, seed=9)
    assert reta_indices(key, flows, 512) == reta_indices(key, [f.swapped() for f in flows], 512)


def test_l3_key_also_dispatches_two_tuple_packets_alike():
    """NICs hash non-TCP/UDP packets over src ‖ dst only: a key built for ipv4-l4 on L3
    fields must give those packets the same entry (the 2-tuple input is a prefix)."""
    key = synthesize_key(["src_ip"], reta_size=128)
    assert prove_key(key, ["src_ip"], 128, input="ipv4").holds
    flows = uniform_traffic(300, seed=6)
    assert reta_indices(key, flows, 128) == reta_indices(key, flows, 128, fields=["src_ip", "dst_ip"])


def test_proof_rejects_default_key_with_a_real_counterexample():
    proof = prove_key(DEFAULT_KEY, ["src_ip"], 128)
    assert not proof.holds
    bad = proof.failed()[0]
    assert bad.name == "independent"
    a, b = bad.counterexample["packet_a"], bad.counterexample["packet_b"]
    assert a["src_ip"] == b["src_ip"]
    lay = LAYOUTS["ipv4-l4"]
    fa = flow(a["src_ip"], a["dst_ip"], a["src_port"], a["dst_port"])
    fb = flow(b["src_ip"], b["dst_ip"], b["src_port"], b["dst_port"])
    assert toeplitz_hash(DEFAULT_KEY, pack(lay, fa)) & 127 != toeplitz_hash(DEFAULT_KEY, pack(lay, fb)) & 127


def test_proof_knows_the_classic_symmetric_key():
    sym = bytes.fromhex("6d5a" * 20)          # known symmetric for all 32 bits
    assert prove_key(sym, ["src_ip", "dst_ip", "src_port", "dst_port"], 512, symmetric=True).holds
    proof = prove_key(DEFAULT_KEY, ["src_ip", "dst_ip", "src_port", "dst_port"], 512, symmetric=True)
    cex = next(p for p in proof.failed() if p.name == "symmetric").counterexample["packet"]
    f = flow(cex["src_ip"], cex["dst_ip"], cex["src_port"], cex["dst_port"])
    assert reta_indices(DEFAULT_KEY, [f], 512) != reta_indices(DEFAULT_KEY, [f.swapped()], 512)


def test_degenerate_key_fails_reach_property():
    zero = bytes(40)
    proof = prove_key(zero, ["src_ip"], 128)
    assert [p.name for p in proof.failed()] == ["reaches_all_entries"]


def test_only_reta_bits_are_constrained():
    spec = key_spec(["src_ip"], 40, 128)
    ours, maestro = zero_key_bits(spec, 7), zero_key_bits(spec, 32)
    assert ours < maestro
    assert min(ours) == 32 + 32 - 7        # first excluded input bit (dst MSB) + offset 25


def test_seed_picks_another_proven_key():
    a = synthesize(["src_ip"], seed=0)
    b = synthesize(["src_ip"], seed=1)
    assert a.key != b.key and a.proof.holds and b.proof.holds


@pytest.mark.parametrize("kwargs,message", [
    (dict(fields=["src_ip"], symmetric=True), "add dst_ip"),
    (dict(fields=["protocol"]), "not part of the Toeplitz"),
    (dict(fields=[]), "at least one field"),
    (dict(fields=["src_ip"], reta_size=100), "power of two"),
    (dict(fields=["src_ip"], key_bytes=36, input="ipv6-l4"), "too short"),
    (dict(fields=["src_port"], input="ipv4"), "not in the ipv4 hash input"),
    (dict(fields=["src_ip"], input="ipv7"), "unknown hash input"),
])
def test_bad_requests_are_explained(kwargs, message):
    with pytest.raises(KeyRequestError, match=message):
        key_spec(**kwargs)


def test_clustered_traffic_varies_only_low_bits():
    flows = clustered_traffic(200, "src_ip", fixed=["dst_ip"], seed=3)
    assert len({f.src >> 16 for f in flows}) == 1
    assert len({f.dst for f in flows}) == 1
    assert len({f.sport for f in flows}) > 100


def test_key_for_a_larger_reta_serves_smaller_ones():
    key = synthesize_key(["src_ip"], reta_size=512)
    assert prove_key(key, ["src_ip"], 128).holds
    spec = key_spec(["src_ip"], 40, 128)
    assert min(spread_report(key, spec).values()) >= 0.95


def test_dual_stack_key_serves_ipv4_and_ipv6():
    result = synthesize(["src_ip"], 40, 512, input="ipv4-l4,ipv6-l4")
    assert result.proof.holds
    assert {p.input for p in result.proof.properties} == {"ipv4-l4", "ipv6-l4"}
    specs = key_specs(["src_ip"], 40, 512, input="ipv4-l4,ipv6-l4")
    spread = spread_report(result.key, specs)
    assert set(spread) == {"ipv4-l4:uniform", "ipv4-l4:clustered_src_ip",
                           "ipv6-l4:uniform", "ipv6-l4:clustered_src_ip"}
    assert min(spread.values()) >= 0.95
    # an IPv4-only key is not independent of dst_ip for IPv6 packets
    v4_only = synthesize_key(["src_ip"], 40, 512)
    assert not prove_key(v4_only, ["src_ip"], 512, input="ipv6-l4").holds


def test_dual_stack_dst_key_is_impossible_and_says_why():
    with pytest.raises(KeyRequestError, match="zero the same key bits"):
        synthesize(["dst_ip"], 40, 128, input="ipv4-l4,ipv6-l4")


def test_a_key_exists_for_every_field_set_of_one_input():
    """rss.hashable relies on this to answer without synthesising."""
    from itertools import combinations
    fields = ["src_ip", "dst_ip", "src_port", "dst_port"]
    for n in range(1, 5):
        for chosen in combinations(fields, n):
            assert synthesize(list(chosen), 40, 512).proof.holds
