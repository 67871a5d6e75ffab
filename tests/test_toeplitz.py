"""Reference Toeplitz: Microsoft RSS verification vectors, fast table, DPDK rte_softrss cross-check."""
import random
import shutil
import subprocess

import pytest

from flowmagec.solver.keys import clustered_traffic, maestro_style_key, synthesize_key
from flowmagec.solver.toeplitz import (DEFAULT_KEY, INPUT_ORDER, LAYOUTS, ToeplitzTable, flow,
                                       hash_input, layout, pack, toeplitz_hash)

# Microsoft RSS verification suite (as in DPDK app/test/test_thash.c): (src, dst, sport, dport,
# hash over IPs only, hash over IPs and ports), default key.
IPV4_VECTORS = [
    ("66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178),
    ("199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea),
    ("24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a),
    ("38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f),
    ("153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2),
]
IPV6_VECTORS = [
    ("3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d),
    ("3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf),
    ("3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024,
     0x4b61e985, 0x02d1feef),
]


@pytest.mark.parametrize("ipv6,vector", [(False, v) for v in IPV4_VECTORS] +
                         [(True, v) for v in IPV6_VECTORS])
def test_microsoft_vectors(ipv6, vector):
    src, dst, sport, dport, ip_only, with_ports = vector
    assert toeplitz_hash(DEFAULT_KEY, hash_input(["src_ip", "dst_ip"], src, dst, ipv6=ipv6)) == ip_only
    assert toeplitz_hash(DEFAULT_KEY, hash_input(INPUT_ORDER, src, dst, sport, dport, ipv6)) == with_ports


def test_hash_input_concatenates_only_selected_fields_in_input_order():
    data = hash_input(["dst_port", "src_ip"], "10.0.0.1", "10.0.0.2", 0x1234, 0xabcd)
    assert data == bytes([10, 0, 0, 1, 0xab, 0xcd])
    assert len(hash_input(["dst_ip"], "::1", "::2", ipv6=True)) == 16
    with pytest.raises(ValueError):
        hash_input(["protocol"], "10.0.0.1", "10.0.0.2")
    with pytest.raises(ValueError):
        hash_input(["src_ip"], "::1", "10.0.0.2")   # IPv6 address in an IPv4 input


def test_layouts_and_key_length():
    assert [LAYOUTS[n].bits for n in ("ipv4", "ipv4-l4", "ipv6", "ipv6-l4")] == [64, 96, 256, 288]
    assert layout("ipv6-l4").min_key_bytes == 40          # 288 + 31 bits
    assert layout("ipv4-l4").bit_range("dst_port") == range(80, 96)
    with pytest.raises(ValueError, match="too short"):
        toeplitz_hash(DEFAULT_KEY[:16], bytes(36))
    with pytest.raises(KeyError, match="known"):
        layout("ipv5")


def test_table_hash_matches_reference_and_is_linear():
    rng = random.Random(7)
    key = rng.randbytes(52)
    table = ToeplitzTable(key, 36)
    for _ in range(50):
        a, b = rng.randbytes(36), rng.randbytes(36)
        assert table.hash(a) == toeplitz_hash(key, a)
        xor = bytes(x ^ y for x, y in zip(a, b))
        assert toeplitz_hash(key, xor) == toeplitz_hash(key, a) ^ toeplitz_hash(key, b)


SOFTRSS_C = r"""
#include <stdio.h>
#include <stdint.h>
#include <rte_thash.h>
/* stdin: 40 key bytes (hex), then lines "src dst sport dport" (host-order integers). */
int main(void) {
    uint8_t key[40]; unsigned v; unsigned s, d, sp, dp;
    for (int i = 0; i < 40; i++) { if (scanf("%2x", &v) != 1) return 1; key[i] = (uint8_t)v; }
    while (scanf("%u %u %u %u", &s, &d, &sp, &dp) == 4) {
        uint32_t t[3] = { s, d, (sp << 16) | dp };
        printf("%08x %08x\n", rte_softrss(t, 2, key), rte_softrss(t, 3, key));
    }
    return 0;
}
"""


def _dpdk_cflags():
    if not shutil.which("gcc") or not shutil.which("pkg-config"):
        return None
    r = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else None


@pytest.fixture(scope="module")
def softrss(tmp_path_factory):
    """DPDK's own rte_softrss, compiled with gcc: hashes flows under a 40-byte key."""
    cflags = _dpdk_cflags()
    if cflags is None:
        pytest.skip("gcc or libdpdk-dev not available")
    d = tmp_path_factory.mktemp("softrss")
    src, exe = d / "softrss.c", d / "softrss"
    src.write_text(SOFTRSS_C)
    subprocess.run(["gcc", "-O1", "-Wall", "-Werror", *cflags, str(src), "-o", str(exe)], check=True)

    def run(key, flows):
        stdin = key.hex() + "\n" + "".join(f"{f.src} {f.dst} {f.sport} {f.dport}\n" for f in flows)
        out = subprocess.run([str(exe)], input=stdin, capture_output=True, text=True, check=True).stdout
        return [tuple(int(x, 16) for x in line.split()) for line in out.splitlines()]
    return run


@pytest.mark.needs_dpdk
def test_matches_dpdk_rte_softrss(softrss):
    rng = random.Random(3)
    key = rng.randbytes(40)
    flows = [flow(rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16))
             for _ in range(200)]
    lay = LAYOUTS["ipv4-l4"]
    want = [(toeplitz_hash(key, pack(lay, f, ["src_ip", "dst_ip"])), toeplitz_hash(key, pack(lay, f)))
            for f in flows]
    assert softrss(key, flows) == want


@pytest.mark.needs_dpdk
def test_synthesised_key_under_dpdk_hash(softrss):
    """DPDK's hash with our src_ip key: the queue ignores dst and ports, and one /16 of
    sources covers the RETA (a Maestro-style key puts the /16 in one entry)."""
    key = synthesize_key(["src_ip"], reta_size=128)
    traffic = clustered_traffic(2048, "src_ip", input="ipv4-l4", seed=5)   # dst, ports random
    hashes = softrss(key, traffic)
    idx4 = [h4 & 127 for _, h4 in hashes]
    assert [h2 & 127 for h2, _ in hashes] == idx4          # 2-tuple input (non-TCP/UDP) agrees
    again = softrss(key, [flow(f.src, f.dst ^ 0xFFFF, f.sport ^ 0x5A5A, 80) for f in traffic])
    assert [h4 & 127 for _, h4 in again] == idx4
    assert len(set(idx4)) / 128 >= 0.95
    base = maestro_style_key(["src_ip"], reta_size=128)
    assert len({h4 & 127 for _, h4 in softrss(base, traffic)}) == 1
