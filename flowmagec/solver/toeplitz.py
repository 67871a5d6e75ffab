"""Reference Toeplitz hash (Microsoft RSS) and the hash-input layouts NICs use.

The hash input is the big-endian concatenation src ‖ dst ‖ sport ‖ dport (the
fields a NIC feeds for one RSS type).  For every set input bit i (bit 0 = the
most significant bit of byte 0), the 32-bit key window starting at key bit i is
XORed into the result; the window's first key bit lands in hash bit 31.  Hence
hash bit b depends on input bit i through key bit ``i + 31 - b`` only: the
hash is linear over GF(2), which ``keys.py`` exploits.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import NamedTuple, Union

# Microsoft's / DPDK's default 40-byte RSS key (rte_thash / testpmd default).
DEFAULT_KEY = bytes.fromhex(
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa")

HASH_BITS = 32

# Toeplitz-hashable fields in input order; protocol is never part of the input.
INPUT_ORDER: tuple[str, ...] = ("src_ip", "dst_ip", "src_port", "dst_port")

# Swapping direction maps each field onto its peer (used for symmetric keys).
PEER_FIELD = {"src_ip": "dst_ip", "dst_ip": "src_ip", "src_port": "dst_port", "dst_port": "src_port"}


@dataclass(frozen=True)
class InputLayout:
    """The bit layout of one hash input, e.g. ``ipv4-l4`` = src4 ‖ dst4 ‖ sport ‖ dport."""
    name: str
    family: str                          # 'ipv4' | 'ipv6'
    fields: tuple[str, ...]

    @property
    def address_bits(self) -> int:
        return 32 if self.family == "ipv4" else 128

    def width(self, field: str) -> int:
        return self.address_bits if field.endswith("_ip") else 16

    @property
    def bits(self) -> int:
        return sum(self.width(f) for f in self.fields)

    @property
    def min_key_bytes(self) -> int:
        """Key bytes needed so that the last input bit still has a full 32-bit window."""
        return -(-(self.bits + HASH_BITS - 1) // 8)

    def bit_range(self, field: str) -> range:
        """Input bit positions of ``field`` (0 = MSB of the first input byte)."""
        start = 0
        for f in self.fields:
            if f == field:
                return range(start, start + self.width(f))
            start += self.width(f)
        raise KeyError(f"field '{field}' is not part of the {self.name} hash input")

    def peer_bit(self, i: int) -> int:
        """The input bit that bit ``i`` moves to when the packet's direction is swapped."""
        for f in self.fields:
            r = self.bit_range(f)
            if i in r:
                peer = PEER_FIELD[f]
                if peer not in self.fields:
                    raise KeyError(f"{self.name} has {f} but not {peer}: it cannot be symmetric")
                return self.bit_range(peer)[i - r.start]
        raise IndexError(i)


LAYOUTS: dict[str, InputLayout] = {
    "ipv4-l4": InputLayout("ipv4-l4", "ipv4", INPUT_ORDER),
    "ipv4": InputLayout("ipv4", "ipv4", ("src_ip", "dst_ip")),
    "ipv6-l4": InputLayout("ipv6-l4", "ipv6", INPUT_ORDER),
    "ipv6": InputLayout("ipv6", "ipv6", ("src_ip", "dst_ip")),
}


def layout(name: str) -> InputLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise KeyError(f"unknown hash input '{name}' (known: {', '.join(LAYOUTS)})") from None


Address = Union[str, int, ipaddress.IPv4Address, ipaddress.IPv6Address]


class Flow(NamedTuple):
    """One packet's hashable header fields (addresses and ports as integers)."""
    src: int
    dst: int
    sport: int = 0
    dport: int = 0

    def value(self, field: str) -> int:
        return {"src_ip": self.src, "dst_ip": self.dst,
                "src_port": self.sport, "dst_port": self.dport}[field]

    def swapped(self) -> "Flow":
        return Flow(self.dst, self.src, self.dport, self.sport)


def _address(value: Address, ipv6: bool) -> int:
    if isinstance(value, int):
        return value
    addr = ipaddress.ip_address(value) if isinstance(value, str) else value
    if (addr.version == 6) != ipv6:
        raise ValueError(f"address {value} is not IPv{'6' if ipv6 else '4'}")
    return int(addr)


def flow(src: Address, dst: Address, sport: int = 0, dport: int = 0, ipv6: bool = False) -> Flow:
    return Flow(_address(src, ipv6), _address(dst, ipv6), sport, dport)


def pack(lay: InputLayout, f: Flow, fields=None) -> bytes:
    """Big-endian input bytes of ``f`` for the chosen fields of ``lay`` (input order kept)."""
    chosen = lay.fields if fields is None else [x for x in lay.fields if x in set(fields)]
    out = b""
    for name in chosen:
        out += f.value(name).to_bytes(lay.width(name) // 8, "big")
    return out


def hash_input(fields, src: Address, dst: Address, sport: int = 0, dport: int = 0,
               ipv6: bool = False) -> bytes:
    """The bytes a NIC hashes for ``fields`` (in src ‖ dst ‖ sport ‖ dport order).

    With only some fields selected (L3_SRC_ONLY etc.) only those are concatenated.
    """
    unknown = set(fields) - set(INPUT_ORDER)
    if unknown:
        raise ValueError(f"not a Toeplitz input field: {', '.join(sorted(unknown))}")
    lay = LAYOUTS["ipv6-l4" if ipv6 else "ipv4-l4"]
    return pack(lay, flow(src, dst, sport, dport, ipv6), fields)


def _check_key_length(key: bytes, nbits: int) -> None:
    if len(key) * 8 < nbits + HASH_BITS - 1:
        raise ValueError(f"a {len(key)}-byte key is too short for a {nbits}-bit hash input "
                         f"(needs {-(-(nbits + HASH_BITS - 1) // 8)} bytes)")


def toeplitz_hash(key: bytes, data: bytes) -> int:
    """The 32-bit Toeplitz hash of ``data`` under ``key`` (bit-by-bit reference)."""
    nbits = len(data) * 8
    _check_key_length(key, nbits)
    k = int.from_bytes(key, "big")
    klen = len(key) * 8
    d = int.from_bytes(data, "big")
    result = 0
    for i in range(nbits):
        if (d >> (nbits - 1 - i)) & 1:
            result ^= (k >> (klen - HASH_BITS - i)) & 0xFFFFFFFF
    return result


class ToeplitzTable:
    """Fast Toeplitz for fixed-length inputs: one 256-entry XOR table per input byte.

    Used to hash large synthetic traffic when measuring RETA spread.
    """

    def __init__(self, key: bytes, input_bytes: int):
        _check_key_length(key, input_bytes * 8)
        self.input_bytes = input_bytes
        self.tables = [self._byte_table(key, pos) for pos in range(input_bytes)]

    @staticmethod
    def _byte_table(key: bytes, pos: int) -> list[int]:
        k = int.from_bytes(key, "big")
        klen = len(key) * 8
        # windows[b]: contribution of bit b (0 = MSB) of the byte at ``pos``
        windows = [(k >> (klen - HASH_BITS - (pos * 8 + b))) & 0xFFFFFFFF for b in range(8)]
        table = [0] * 256
        for v in range(1, 256):
            low = v & -v
            table[v] = table[v ^ low] ^ windows[7 - low.bit_length() + 1]
        return table

    def hash(self, data: bytes) -> int:
        if len(data) != self.input_bytes:
            raise ValueError(f"expected {self.input_bytes} input bytes, got {len(data)}")
        h = 0
        for table, byte in zip(self.tables, data):
            h ^= table[byte]
        return h
