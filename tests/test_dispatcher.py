"""The generated C dispatcher: tables, hashes (Microsoft vectors, bitwise oracle),
frame parsing, RETA, stages, and the emitter's API.  Compiles real C with gcc/clang."""
from __future__ import annotations

import ipaddress
import random
import subprocess

import pytest

from flowmagec.artifacts import Plan, Stage
from flowmagec.emitters.dispatcher import (DEFAULT_RSS_KEY, SYMMETRIC_RSS_KEY, HashStage,
                                           dispatch_spec, parse_key, render_dispatcher,
                                           toeplitz_tables, write_dispatcher)
from flowmagec.errors import AnalysisError, InputError
from flowmagec.outputs import OutputSet

from test_dispatcher_support import (STRICT_CFLAGS, build, ether, ext_header, frag_header,
                                     hash_input, have, ipv4, ipv6, ports, run_frames, tcp_frame,
                                     toeplitz_bitwise, write_dispatcher_sources)

FOUR_TUPLE = ["src_ip", "dst_ip", "src_port", "dst_port"]
TWO_TUPLE = ["src_ip", "dst_ip"]
# Microsoft's verification key, spelled out here so the test does not trust the code's copy.
MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                       "6a42b73bbeac01fa")

# Microsoft RSS verification suite: (src, sport, dst, dport, hash IP-only, hash with ports).
MS_VECTORS = [
    ("66.9.149.187", 2794, "161.142.100.80", 1766, 0x323E8FC2, 0x51CCC178),
    ("199.92.111.2", 14230, "65.69.140.83", 4739, 0xD718262A, 0xC626B0EA),
    ("24.19.198.95", 12898, "12.22.207.184", 38024, 0xD2D0A5DE, 0x5C2B394A),
    ("38.27.205.30", 48228, "209.142.163.6", 2217, 0x82989176, 0xAFC7327F),
    ("153.39.163.191", 44251, "202.188.127.2", 1303, 0x5D1809C5, 0x10E828A2),
    ("3ffe:2501:200:1fff::7", 2794, "3ffe:2501:200:3::1", 1766, 0x2CC18CD5, 0x40207D3D),
    ("3ffe:501:8::260:97ff:fe40:efab", 14230, "ff02::1", 4739, 0x0F0C461C, 0xDDE51BBF),
    ("3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, "fe80::200:f8ff:fe21:67cf", 38024,
     0x4B61E985, 0x02D1FEEF),
]

needs_gcc = pytest.mark.skipif(not have("gcc"), reason="gcc not on PATH")
COMPILERS = [pytest.param(cc, marks=pytest.mark.skipif(not have(cc), reason=f"{cc} not on PATH"))
             for cc in ("gcc", "clang")]


def plan_for(fields, **kw) -> Plan:
    kw.setdefault("cores", 4)
    return Plan(fields=list(fields), **kw)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    counter = iter(range(1000))
    return lambda: tmp_path_factory.mktemp(f"dispatch{next(counter)}")


# ---------------------------------------------------------------- Python side

def test_tables_equal_bitwise_toeplitz_for_random_keys_and_inputs():
    rng = random.Random(5)
    for key_len in (40, 52, 16):
        key = rng.randbytes(key_len)
        stage = HashStage.build("rss", FOUR_TUPLE + ["protocol"], key, "nic")
        for n in (1, 4, 12, 36, 37):
            data = rng.randbytes(n)
            assert stage.hash_bytes(data) == toeplitz_bitwise(key, data)


def test_tables_reproduce_microsoft_vectors():
    stage = HashStage.build("rss", FOUR_TUPLE, MS_KEY, "nic")
    for src, sport, dst, dport, h_ip, h_ports in MS_VECTORS:
        assert stage.hash_bytes(hash_input(TWO_TUPLE, src, dst)) == h_ip
        assert stage.hash_bytes(hash_input(FOUR_TUPLE, src, dst, sport, dport)) == h_ports


def test_tables_agree_with_solver_toeplitz():
    from flowmagec.solver.toeplitz import toeplitz_hash
    rng = random.Random(9)
    key = rng.randbytes(40)
    stage = HashStage.build("rss", FOUR_TUPLE, key, "nic")
    for _ in range(50):
        data = rng.randbytes(12)
        assert stage.hash_bytes(data) == toeplitz_hash(key, data)


def test_table_row_is_linear_in_the_byte_value():
    rows = toeplitz_tables(MS_KEY, 2)
    for a, b in [(0x80, 0x01), (0x12, 0x34), (0xF0, 0x0F)]:
        assert rows[1][a ^ b] == rows[1][a] ^ rows[1][b]
    assert rows[0][0] == 0 and rows[0][0x80] == int.from_bytes(MS_KEY[:4], "big")


def test_defaults_key_reta_and_fields():
    assert DEFAULT_RSS_KEY == MS_KEY.hex()
    spec = dispatch_spec(Plan(fields=TWO_TUPLE, cores=3))
    assert spec.rss.key == MS_KEY
    assert spec.reta == [i % 3 for i in range(128)]
    assert spec.rss.fields == TWO_TUPLE
    order = ["dst_ip", "src_ip", "dst_port", "src_port"]
    spec = dispatch_spec(Plan(fields=FOUR_TUPLE, hash_input=order, cores=2, symmetric=True))
    assert spec.rss.fields == order
    assert spec.rss.key == bytes.fromhex(SYMMETRIC_RSS_KEY)


def test_rss_types_follow_the_hash_input():
    assert "l3-src-only" in dispatch_spec(plan_for(["src_ip"])).rss_types
    four = dispatch_spec(plan_for(FOUR_TUPLE))
    assert "ipv4-tcp" in four.rss_types and "RTE_ETH_RSS_NONFRAG_IPV6_UDP" in four.rss_hf
    assert not any(t.endswith("-only") for t in four.rss_types)
    two = dispatch_spec(plan_for(TWO_TUPLE))
    assert "ipv4-tcp" not in two.rss_types
    given = dispatch_spec(plan_for(["src_ip"], rss_types=["ipv4", "l3-src-only"]))
    assert given.rss_hf == ["RTE_ETH_RSS_IPV4", "RTE_ETH_RSS_L3_SRC_ONLY"]


@pytest.mark.parametrize("plan, message", [
    (Plan(fields=["src_mac"], cores=2), "unknown field"),
    (Plan(fields=[], cores=2), "no fields"),
    (Plan(fields=TWO_TUPLE, cores=2, reta=[0, 1, 0]), "power of two"),
    (Plan(fields=TWO_TUPLE, cores=2, reta=[0, 2]), "queue 2"),
    (Plan(fields=TWO_TUPLE, cores=2, rss_key="zz"), "not hex"),
    (Plan(fields=TWO_TUPLE, cores=0), "cores"),
    (Plan(fields=["src_ip"], cores=2, rss_types=["ipv4", "l3-dst-only"]), "needs"),
    (Plan(fields=TWO_TUPLE, cores=2, rss_types=["ipv9"]), "unknown type"),
    (Plan(fields=TWO_TUPLE, cores=2, hash_function="crc32"), "not one the dispatcher computes"),
    (Plan(fields=["src_ip"], hash_input=FOUR_TUPLE, cores=2), "dst_ip, src_port, dst_port"),
])
def test_bad_plans_are_rejected_with_a_reason(plan, message):
    with pytest.raises(AnalysisError, match=message):
        dispatch_spec(plan)


def test_symmetry_is_checked_on_the_key_and_layout():
    sym = dict(cores=2, symmetric=True)
    assert dispatch_spec(plan_for(FOUR_TUPLE, **sym)).symmetric     # 0x6d5a key: fine
    assert HashStage.build("rss", FOUR_TUPLE, MS_KEY, "nic").asymmetric_shapes()   # MS key: not
    with pytest.raises(AnalysisError, match="different RETA entries"):
        dispatch_spec(plan_for(FOUR_TUPLE, rss_key=DEFAULT_RSS_KEY, **sym))
    with pytest.raises(AnalysisError, match=r"\(v4_l4, v4 frames\)"):  # src only: never symmetric
        dispatch_spec(plan_for(["src_ip", "src_port"], **sym))
    # ports then addresses still mirrors at 16-bit period
    assert dispatch_spec(plan_for(["src_port", "dst_port", "src_ip", "dst_ip"], **sym))


def src_only_key(rng: random.Random, families=(4, 6)) -> bytes:
    """A 40-byte key whose low 7 hash bits ignore dst_ip and the ports in the
    IPv4 (and IPv6) 4-tuple layouts: output bit j (MSB first) of input bit i uses
    key bit i + j, so zero key bits [i + 25, i + 31] for every such input bit."""
    bits = [rng.randrange(2) for _ in range(320)]
    spans = {4: (32, 95), 6: (128, 287)}               # dst + ports input bits
    for first, last in (spans[f] for f in families):
        for i in range(first + 25, last + 32):
            bits[i] = 0
    return int("".join(map(str, bits)), 2).to_bytes(40, "big")


def test_ipv4_only_key_warns_about_ipv6_and_the_warning_reaches_the_plan(tmp_path):
    key = src_only_key(random.Random(1), families=(4,))
    plan = Plan(fields=["src_ip"], hash_input=FOUR_TUPLE, rss_key=key.hex(), cores=4)
    spec = dispatch_spec(plan)
    assert len(spec.warnings) == 1 and "IPv6 frames also depends on dst_ip" in spec.warnings[0]
    with OutputSet() as outs:
        write_dispatcher(plan, str(tmp_path / "d.c"), outs)
    assert plan.warnings == spec.warnings
    assert "Note: plan dispatches on ['src_ip']" in (tmp_path / "d.h").read_text()
    # a plan whose rss types leave IPv6 unhashed has nothing to warn about
    plan.rss_types = ["ipv4", "ipv4-tcp", "ipv4-udp"]
    assert dispatch_spec(plan).warnings == []


def test_synthesised_key_keeps_queue_on_plan_fields():
    key = src_only_key(random.Random(1))
    stage = HashStage.build("rss", FOUR_TUPLE, key, "nic")
    assert stage.fields_reaching(7) == {"src_ip"}
    assert stage.fields_reaching(32) == {"src_ip", "dst_ip"}   # ports: key windows all zero
    assert dispatch_spec(Plan(fields=["src_ip"], hash_input=FOUR_TUPLE, rss_key=key.hex(),
                              cores=4)).rss.fields == FOUR_TUPLE
    with pytest.raises(AnalysisError, match="low 9 hash bits"):   # 512-entry RETA: 2 bits more
        dispatch_spec(Plan(fields=["src_ip"], hash_input=FOUR_TUPLE, rss_key=key.hex(),
                           cores=4, reta=[i % 4 for i in range(512)]))


def test_software_stage_key_follows_symmetry_only_when_its_fields_allow():
    stages = [Stage(0, TWO_TUPLE), Stage(1, ["dst_ip"], dispatch="software"),
              Stage(2, FOUR_TUPLE, dispatch="software")]
    spec = dispatch_spec(plan_for(TWO_TUPLE, symmetric=True, stages=stages))
    assert [s.name for s in spec.software_stages] == ["stage2", "stage3"]
    assert spec.software_stages[0].key == MS_KEY                          # dst only: spread
    assert spec.software_stages[1].key == bytes.fromhex(SYMMETRIC_RSS_KEY)
    assert spec.software_stages[1].asymmetric_shapes() == []


def test_key_accepts_separators():
    assert parse_key("6d:5a:56:da") == bytes.fromhex("6d5a56da")
    assert parse_key("0x6d5a 0x56da") == bytes.fromhex("6d5a56da")


def test_header_exposes_the_contract():
    source, header = render_dispatcher(plan_for(FOUR_TUPLE, stages=[
        Stage(0, FOUR_TUPLE), Stage(1, ["dst_ip"], dispatch="software")]), header_name="out/x-y.h")
    for decl in ("uint32_t flowmage_rss_hash(const uint8_t *frame, size_t len);",
                 "unsigned flowmage_queue(const uint8_t *frame, size_t len);",
                 "extern const uint8_t flowmage_rss_key[FLOWMAGE_RSS_KEY_LEN];",
                 "extern const size_t flowmage_rss_key_len;",
                 "extern const unsigned flowmage_nb_queues;",
                 "unsigned flowmage_stage2_queue(const uint8_t *frame, size_t len);",
                 "int flowmage_dpdk_configure(uint16_t port_id, struct rte_eth_conf *conf);",
                 "int flowmage_dpdk_set_reta(uint16_t port_id);"):
        assert decl in header
    assert "#ifndef FLOWMAGE_X_Y_H" in header
    assert '#include "x-y.h"' in source


def test_write_dispatcher_writes_c_and_h_all_or_nothing(tmp_path):
    plan = plan_for(TWO_TUPLE)
    with OutputSet() as outs:
        written = write_dispatcher(plan, str(tmp_path / "d.c"), outs)
        assert not (tmp_path / "d.c").exists()          # staged until commit
    assert written == [str(tmp_path / "d.c"), str(tmp_path / "d.h")]
    assert '#include "d.h"' in (tmp_path / "d.c").read_text()
    with pytest.raises(InputError, match="exists"):
        write_dispatcher(plan, str(tmp_path / "d.c"), OutputSet())
    with pytest.raises(InputError, match=r"'\.c'"):
        write_dispatcher(plan, str(tmp_path / "d.txt"), OutputSet())


# ---------------------------------------------------------------- compiled C

PLANS_TO_COMPILE = {
    "four_tuple_two_stage": plan_for(FOUR_TUPLE, stages=[
        Stage(0, FOUR_TUPLE), Stage(1, ["dst_ip", "protocol"], dispatch="software")]),
    "src_only": plan_for(["src_ip"], cores=2),
    "ports_only": plan_for(["dst_port"], cores=8),
    "ipv6_37_bytes": plan_for(FOUR_TUPLE + ["protocol"], symmetric=True),
    "symmetric_toeplitz_partial_types": plan_for(FOUR_TUPLE, hash_function="symmetric_toeplitz",
                                                 rss_types=["ipv4-tcp", "ipv6"]),
    "one_core": plan_for(TWO_TUPLE, cores=1, reta=[0]),
}


@pytest.mark.parametrize("cc", COMPILERS)
@pytest.mark.parametrize("name", PLANS_TO_COMPILE)
def test_generated_c_compiles_warning_free(cc, name, tmp_path):
    dispatch_c = write_dispatcher_sources(PLANS_TO_COMPILE[name], tmp_path)
    proc = subprocess.run([cc, *STRICT_CFLAGS, "-pedantic", "-O2", "-c", str(dispatch_c),
                           "-o", str(tmp_path / "d.o")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(not have("g++"), reason="g++ not on PATH")
def test_header_is_usable_from_cpp(tmp_path):
    write_dispatcher_sources(PLANS_TO_COMPILE["four_tuple_two_stage"], tmp_path)
    main = tmp_path / "use.cc"
    main.write_text('#include "dispatch.h"\n'
                    "int main() { return (int)flowmage_queue(nullptr, 0); }\n")
    proc = subprocess.run(["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", str(tmp_path),
                           "-fsyntax-only", str(main)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("cc", COMPILERS)
def test_c_matches_microsoft_vectors(cc, build_dir):
    with_ports = build(plan_for(FOUR_TUPLE), "hash_frames.c", build_dir(), cc=cc)
    ip_only = build(plan_for(TWO_TUPLE), "hash_frames.c", build_dir(), cc=cc)
    frames = [tcp_frame(src, dst, sport, dport) for src, sport, dst, dport, _, _ in MS_VECTORS]
    got_ports = [int(r[1], 16) for r in run_frames(with_ports, frames)]
    got_ip = [int(r[1], 16) for r in run_frames(ip_only, frames)]
    assert got_ports == [v[5] for v in MS_VECTORS]
    assert got_ip == [v[4] for v in MS_VECTORS]


@needs_gcc
def test_c_matches_oracle_on_random_plans_and_tuples(build_dir):
    """Random field orders and keys (40 and 52 bytes), random IPv4/IPv6 tuples."""
    rng = random.Random(7)
    for trial in range(3):
        fields = rng.sample(FOUR_TUPLE + ["protocol"], rng.randint(1, 5))
        key = rng.randbytes(rng.choice((40, 52)))
        exe = build(plan_for(fields, rss_key=key.hex(), cores=5), "hash_frames.c", build_dir())
        tuples, frames = [], []
        for i in range(200):
            if i % 2:
                src, dst = (str(ipaddress.IPv6Address(rng.randbytes(16))) for _ in range(2))
            else:
                src, dst = (".".join(str(b) for b in rng.randbytes(4)) for _ in range(2))
            proto = rng.choice((6, 17))
            sport, dport = rng.randrange(65536), rng.randrange(65536)
            tuples.append((src, dst, sport, dport, proto))
            frames.append(tcp_frame(src, dst, sport, dport, proto=proto))
        for (src, dst, sport, dport, proto), row in zip(tuples, run_frames(exe, frames)):
            want = toeplitz_bitwise(key, hash_input(fields, src, dst, sport, dport, proto))
            assert int(row[1], 16) == want, (fields, src, dst)
            assert int(row[2]) == (want & 127) % 5


@pytest.fixture(scope="module")
def four_tuple_exe(build_dir):
    if not have("gcc"):
        pytest.skip("gcc not on PATH")
    return build(plan_for(FOUR_TUPLE), "hash_frames.c", build_dir())


def oracle(fields, src, dst, sport=None, dport=None, proto=6):
    return toeplitz_bitwise(MS_KEY, hash_input(fields, src, dst, sport, dport, proto))


V4, V6 = ("10.0.0.1", "192.168.7.9"), ("2001:db8::1", "2001:db8:ffff::42")

FRAME_CASES = {
    # name: (frame, expected hash with the 4-tuple plan)
    "vlan": (tcp_frame(*V4, 1000, 80, vlans=(0x8100,)), oracle(FOUR_TUPLE, *V4, 1000, 80)),
    "qinq": (tcp_frame(*V4, 1000, 80, vlans=(0x88A8, 0x8100)), oracle(FOUR_TUPLE, *V4, 1000, 80)),
    "ipv4_options": (ether(ipv4(*V4, 17, ports(5, 6), options=bytes(40)), 0x0800),
                     oracle(FOUR_TUPLE, *V4, 5, 6)),
    "ipv4_icmp": (ether(ipv4(*V4, 1, bytes(8)), 0x0800), oracle(FOUR_TUPLE, *V4)),
    "ipv4_first_fragment": (ether(ipv4(*V4, 6, ports(1, 2), frag=0x2000), 0x0800),
                            oracle(FOUR_TUPLE, *V4)),
    "ipv4_later_fragment": (ether(ipv4(*V4, 6, bytes(8), frag=0x0010), 0x0800),
                            oracle(FOUR_TUPLE, *V4)),
    "ipv4_fragment_without_l4_bytes": (ether(ipv4(*V4, 6, b"", frag=0x0020), 0x0800),
                                       oracle(FOUR_TUPLE, *V4)),
    "ipv6_udp": (tcp_frame(*V6, 53, 5353, proto=17), oracle(FOUR_TUPLE, *V6, 53, 5353)),
    "ipv6_ext_chain": (ether(ipv6(*V6, 0, ext_header(43, 1) + ext_header(60) + ext_header(6)
                                       + ports(7, 8)),
                             0x86DD), oracle(FOUR_TUPLE, *V6, 7, 8)),
    "ipv6_atomic_fragment": (ether(ipv6(*V6, 44, frag_header(6) + ports(7, 8)), 0x86DD),
                             oracle(FOUR_TUPLE, *V6, 7, 8)),
    "ipv6_fragment": (ether(ipv6(*V6, 44, frag_header(6, more=True) + ports(7, 8)), 0x86DD),
                      oracle(FOUR_TUPLE, *V6)),
    "ipv6_later_fragment": (ether(ipv6(*V6, 44, frag_header(17, offset=3) + bytes(8)), 0x86DD),
                            oracle(FOUR_TUPLE, *V6)),
    "ipv6_esp": (ether(ipv6(*V6, 50, bytes(16)), 0x86DD), oracle(FOUR_TUPLE, *V6)),
}


@pytest.mark.parametrize("name", FRAME_CASES)
def test_frame_shapes_hash_as_documented(name, four_tuple_exe):
    frame, want = FRAME_CASES[name]
    rc, hash_hex, queue = run_frames(four_tuple_exe, [frame])[0]
    assert (rc, int(hash_hex, 16), int(queue)) == ("0", want, (want & 127) % 4)


REJECTED = {
    "arp": ether(bytes(28), 0x0806),
    "three_vlan_tags": tcp_frame(*V4, 1, 2, vlans=(0x88A8, 0x8100, 0x8100)),
    "ipv4_bad_version": ether(b"\x65" + ipv4(*V4, 6, ports(1, 2))[1:], 0x0800),
    "ipv4_ihl_too_small": ether(b"\x44" + ipv4(*V4, 6, ports(1, 2))[1:], 0x0800),
    "ipv4_ihl_past_end": ether(b"\x4f" + ipv4(*V4, 6, b"")[1:], 0x0800),   # 60-byte IHL
    "ipv6_claims_ipv4": ether(ipv4(*V4, 6, ports(1, 2)), 0x86DD),
    "ipv6_ext_past_end": ether(ipv6(*V6, 0, bytes([6, 200]) + bytes(6)), 0x86DD),
    "ipv6_too_many_ext": ether(ipv6(*V6, 60, b"".join(ext_header(60) for _ in range(9))), 0x86DD),
    "empty": b"",
}


@pytest.mark.parametrize("name", REJECTED)
def test_undispatchable_frames_get_hash_0_queue_0(name, four_tuple_exe):
    assert run_frames(four_tuple_exe, [REJECTED[name]])[0] == ["-1", "00000000", "0"]


def test_truncation_rejects_exactly_the_frames_missing_needed_bytes(four_tuple_exe):
    v4 = tcp_frame(*V4, 1000, 80)          # ports end at byte 14 + 20 + 4
    v6 = tcp_frame(*V6, 1000, 80)          # ports end at byte 14 + 40 + 4
    cuts = [v4[:n] for n in range(len(v4) + 1)] + [v6[:n] for n in range(len(v6) + 1)]
    rcs = [row[0] for row in run_frames(four_tuple_exe, cuts)]
    assert rcs[:len(v4) + 1] == ["-1"] * 38 + ["0"] * (len(v4) + 1 - 38)
    assert rcs[len(v4) + 1:] == ["-1"] * 58 + ["0"] * (len(v6) + 1 - 58)


@needs_gcc
def test_plan_reta_maps_hash_to_queue(build_dir):
    reta = [(i * 7) % 3 for i in range(64)]
    exe = build(plan_for(TWO_TUPLE, cores=3, reta=reta), "hash_frames.c", build_dir())
    rng = random.Random(3)
    frames = [tcp_frame(".".join(map(str, rng.randbytes(4))), "1.2.3.4", 1, 2) for _ in range(300)]
    rows = run_frames(exe, frames)
    assert all(int(q) == reta[int(h, 16) & 63] for _, h, q in rows)
    assert {int(q) for _, _, q in rows} == {0, 1, 2}


@needs_gcc
def test_synthesised_key_sends_each_source_to_one_queue(build_dir):
    key = src_only_key(random.Random(2))
    exe = build(Plan(fields=["src_ip"], hash_input=FOUR_TUPLE, rss_key=key.hex(), cores=4),
                "hash_frames.c", build_dir())
    rng = random.Random(4)
    sources = ["10.1.2.3", "10.1.2.4", "2001:db8::7", "2001:db8::8"]
    for src in sources:
        v6 = ":" in src
        frames = [tcp_frame(src, str(ipaddress.ip_address(rng.randbytes(16 if v6 else 4))),
                            rng.randrange(65536), rng.randrange(65536)) for _ in range(50)]
        rows = run_frames(exe, frames)
        assert len({r[2] for r in rows}) == 1, src          # one queue per source
        assert len({r[1] for r in rows}) > 40                # though full hashes differ


@needs_gcc
def test_rss_types_decide_which_frames_hash_with_what(build_dir):
    plan = plan_for(FOUR_TUPLE, rss_types=["ipv4", "ipv4-tcp"])
    exe = build(plan, "hash_frames.c", build_dir())
    frames = [tcp_frame(*V4, 1, 2, proto=6), tcp_frame(*V4, 1, 2, proto=17),
              tcp_frame(*V6, 1, 2, proto=6)]
    rows = run_frames(exe, frames)
    assert int(rows[0][1], 16) == oracle(FOUR_TUPLE, *V4, 1, 2)      # TCP: 4-tuple
    assert int(rows[1][1], 16) == oracle(FOUR_TUPLE, *V4)            # UDP: addresses only
    assert rows[2] == ["0", "00000000", "0"]                          # IPv6: not hashed
    assert any("hash no IPv6 frames" in n for n in dispatch_spec(plan).notes)


@needs_gcc
def test_symmetric_toeplitz_hashes_xor_of_peers(build_dir):
    exe = build(plan_for(FOUR_TUPLE, hash_function="symmetric_toeplitz", symmetric=True),
                "hash_frames.c", build_dir())
    rows = run_frames(exe, [tcp_frame(*V4, 1000, 80), tcp_frame(V4[1], V4[0], 80, 1000),
                            tcp_frame(*V6, 7, 9), tcp_frame(V6[1], V6[0], 9, 7)])
    assert rows[0] == rows[1] and rows[2] == rows[3]
    a, b = (ipaddress.ip_address(x).packed for x in V4)
    xored = bytes(x ^ y for x, y in zip(a, b))
    ports_x = (1000 ^ 80).to_bytes(2, "big")
    assert int(rows[0][1], 16) == toeplitz_bitwise(MS_KEY, xored * 2 + ports_x * 2)


@needs_gcc
def test_solver_realisation_for_an_ixgbe_src_ip_plan(build_dir):
    from flowmagec.solver import nic_profiles, rss
    r = rss.realise(["src_ip"], nic_profiles.load("ixgbe"))
    plan = Plan(fields=["src_ip"], cores=4, **r.plan_fields())
    assert dispatch_spec(plan).warnings == []
    exe = build(plan, "hash_frames.c", build_dir())
    rng = random.Random(8)
    for src in ("10.0.0.1", "192.0.2.77"):
        frames = [tcp_frame(src, ".".join(map(str, rng.randbytes(4))), rng.randrange(65536),
                            rng.randrange(65536), proto=rng.choice((6, 17))) for _ in range(60)]
        assert len({r[2] for r in run_frames(exe, frames)}) == 1


@needs_gcc
def test_symmetric_plan_gives_both_directions_one_queue(build_dir):
    exe = build(plan_for(FOUR_TUPLE, symmetric=True, cores=8), "hash_frames.c", build_dir())
    rng = random.Random(11)
    frames = []
    for i in range(100):
        a, b = (".".join(map(str, rng.randbytes(4))) for _ in range(2))
        if i % 2:
            a, b = "2001:db8::" + format(rng.randrange(1 << 16), "x"), "fe80::" + str(i)
        p, q = rng.randrange(65536), rng.randrange(65536)
        frames += [tcp_frame(a, b, p, q), tcp_frame(b, a, q, p)]
    rows = run_frames(exe, frames)
    assert all(rows[i][1:] == rows[i + 1][1:] for i in range(0, len(rows), 2))
    assert len({r[1] for r in rows}) > 50          # and still spreads flows


@needs_gcc
def test_stage2_redispatches_on_its_own_fields(build_dir):
    plan = plan_for(["src_ip"], cores=4, stages=[Stage(0, ["src_ip"]),
                                                 Stage(1, ["dst_ip"], dispatch="software")])
    exe = build(plan, "hash_frames.c", build_dir())
    frames = [tcp_frame(f"10.0.{i}.1", "172.16.0.9", 1000 + i, 80) for i in range(20)]
    frames += [tcp_frame("10.0.0.1", f"172.16.{i}.9", 1000, 80) for i in range(20)]
    rows = run_frames(exe, frames)
    stage2 = [(int(r[3], 16), int(r[4])) for r in rows]
    assert len(set(stage2[:20])) == 1                              # same dst: one stage-2 queue
    assert stage2[0][0] == oracle(["dst_ip"], *("10.0.0.1", "172.16.0.9"))
    assert len({h for h, _ in stage2[20:]}) == 20                  # dst varies: hash varies
    assert len({int(r[1], 16) for r in rows[:20]}) == 20           # stage 1 follows src only
    assert len({int(r[1], 16) for r in rows[20:]}) == 1
