"""Traffic profiles: how evenly candidate dispatch fields spread load over cores.

A profile answers ``imbalance(fields, cores)``: the expected (busiest core
load) / (mean core load) when packets are dispatched by a hash of ``fields``.
Sources:
  * a capture (``.pcap`` / ``.pcapng``, parsed with the standard library): the
    exact packet weight of every distinct value of the fields;
  * a JSON of per-field cardinalities and Zipf skews (``CardinalityProfile``);
  * no input: ``DEFAULT_PROFILE``, a generic Internet mix (documented in
    docs/cost-model.md).

Estimate (no simulation, deterministic): with normalised weights w_k assigned
to N cores uniformly at random, a core's load has mean 1/N and variance
sum(w^2)(N-1)/N^2; the busiest core is about sqrt(2 ln N) deviations above
the mean, and never below the heaviest single value.  So
    imbalance = clamp(max(1 + sqrt(2 ln N (N-1) sum w^2), N max w), 1, N).
"""
from __future__ import annotations

import ipaddress
import math
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Optional

from ..artifacts import KEY_FIELDS
from ..errors import InputError, read_json

FIELD_INDEX = {f: i for i, f in enumerate(KEY_FIELDS)}


def imbalance_from_moments(sum_w2: float, max_w: float, cores: int) -> float:
    """Expected busiest/mean core load for normalised weights (sum w = 1)."""
    if cores <= 1:
        return 1.0
    spread = 1.0 + math.sqrt(2.0 * math.log(cores) * (cores - 1) * max(0.0, sum_w2))
    return min(float(cores), max(1.0, spread, cores * max_w))


class TrafficProfile:
    """Base: subclasses give the weight moments of a field set."""
    source = "default"
    ipv6_share = 0.0            # fraction of IPv6 packets (dispatch must then cover IPv6 too)

    @property
    def has_ipv6(self) -> bool:
        return self.ipv6_share > 0

    def moments(self, fields: tuple[str, ...]) -> tuple[float, float, int]:
        """(sum of squared weights, heaviest weight, distinct values) of ``fields``."""
        raise NotImplementedError

    def imbalance(self, fields, cores: int) -> float:
        fs = tuple(f for f in KEY_FIELDS if f in set(fields))
        s2, wmax, _ = self.moments(fs)
        return imbalance_from_moments(s2, wmax, cores)

    def distinct(self, fields) -> int:
        return self.moments(tuple(f for f in KEY_FIELDS if f in set(fields)))[2]


# --------------------------------------------------------------------------
# Cardinalities + Zipf skew
# --------------------------------------------------------------------------

def _harmonic(n: int, s: float) -> float:
    """Generalised harmonic number H(n, s): exact head, integral tail."""
    head = min(n, 2000)
    h = sum(k ** -s for k in range(1, head + 1))
    if n > head:
        a, b = head + 0.5, n + 0.5
        h += math.log(b / a) if abs(s - 1.0) < 1e-9 else (b ** (1 - s) - a ** (1 - s)) / (1 - s)
    return h


@dataclass(frozen=True)
class FieldDistribution:
    distinct: int
    skew: float = 0.0                 # Zipf exponent; 0 = uniform

    def moments(self) -> tuple[float, float]:
        h1 = _harmonic(self.distinct, self.skew)
        return _harmonic(self.distinct, 2 * self.skew) / (h1 * h1), 1.0 / h1


@dataclass
class CardinalityProfile(TrafficProfile):
    """Per-field distributions, assumed independent; ``flows`` caps the distinct tuples."""
    fields: dict[str, FieldDistribution] = field(default_factory=dict)
    flows: Optional[int] = None
    source: str = "cardinalities"
    ipv6_share: float = 0.0

    def moments(self, fields):
        s2 = wmax = 1.0
        distinct = 1
        for f in fields:
            d = self.fields.get(f) or DEFAULT_FIELDS[f]
            fs2, fmax = d.moments()
            s2, wmax, distinct = s2 * fs2, wmax * fmax, distinct * d.distinct
        if self.flows:
            # The tuples of ``fields`` are a projection of the flows: never finer.
            distinct = min(distinct, self.flows)
            s2, wmax = max(s2, 1.0 / self.flows), max(wmax, 1.0 / self.flows)
        return s2, wmax, distinct


# A generic Internet-facing mix: many hosts, ephemeral source ports, few
# popular services (Zipf), TCP/UDP.  Used when no traffic profile is given.
DEFAULT_FIELDS: dict[str, FieldDistribution] = {
    "src_ip": FieldDistribution(65536),
    "dst_ip": FieldDistribution(65536),
    "src_port": FieldDistribution(28232),
    "dst_port": FieldDistribution(1024, 1.0),
    "protocol": FieldDistribution(2, 1.0),
}
DEFAULT_PROFILE = CardinalityProfile(fields=dict(DEFAULT_FIELDS), source="default")


def parse_cardinalities(data, path: str) -> CardinalityProfile:
    """``{"flows": N, "ipv6": share|bool, "fields": {"src_ip": {"distinct": D, "skew": s} | D, ...}}``."""
    if not isinstance(data, dict):
        raise InputError(f"{path}: traffic profile must be a JSON object")
    top_level = ("flows", "ipv6")
    raw = data["fields"] if "fields" in data else {k: v for k, v in data.items() if k not in top_level}
    fields = {}
    for name, spec in raw.items():
        if name not in KEY_FIELDS:
            raise InputError(f"{path}: unknown field '{name}' in traffic profile",
                             expected=", ".join(KEY_FIELDS))
        if isinstance(spec, (int, float)):
            spec = {"distinct": spec}
        try:
            d = FieldDistribution(int(spec["distinct"]), float(spec.get("skew", 0.0)))
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: field '{name}' needs {{\"distinct\": N, \"skew\": s}}") from None
        if d.distinct < 1 or d.skew < 0:
            raise InputError(f"{path}: field '{name}': distinct must be >= 1 and skew >= 0")
        fields[name] = d
    flows = data.get("flows")
    ipv6 = data.get("ipv6", 0.0)
    if not isinstance(ipv6, (bool, int, float)) or not 0 <= ipv6 <= 1:
        raise InputError(f"{path}: 'ipv6' must be true/false or the IPv6 share of packets (0..1)")
    return CardinalityProfile(fields=fields, flows=int(flows) if flows else None, source=path,
                              ipv6_share=float(ipv6))


# --------------------------------------------------------------------------
# Captures
# --------------------------------------------------------------------------

@dataclass
class PacketProfile(TrafficProfile):
    """Exact packet counts per 5-tuple, from a capture."""
    tuples: Counter = field(default_factory=Counter)
    packets: int = 0
    skipped: int = 0               # non-IP or truncated frames
    source: str = "pcap"
    ipv6_packets: int = 0

    @property
    def ipv6_share(self) -> float:
        return self.ipv6_packets / self.packets if self.packets else 0.0

    def __post_init__(self):
        self._cache: dict[tuple[str, ...], tuple[float, float, int]] = {}

    def moments(self, fields):
        if fields not in self._cache:
            idx = [FIELD_INDEX[f] for f in fields]
            proj: Counter = Counter()
            for t, n in self.tuples.items():
                proj[tuple(t[i] for i in idx)] += n
            total = sum(proj.values()) or 1
            s2 = sum((n / total) ** 2 for n in proj.values())
            wmax = max(proj.values(), default=0) / total
            self._cache[fields] = (s2, wmax, len(proj))
        return self._cache[fields]


PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
               b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}
PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
LINK_ETHERNET, LINK_NULL, LINK_RAW, LINK_SLL = 1, 0, 101, 113
LINK_IPV4, LINK_IPV6 = 228, 229
L4_WITH_PORTS = {6, 17, 132}       # TCP, UDP, SCTP
IPV6_EXT_HEADERS = {0, 43, 60}     # hop-by-hop, routing, destination options


def _frames_pcap(data: bytes, endian: str) -> Iterator[tuple[int, bytes]]:
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(endian + "I", data, off + 8)[0]
        yield linktype, data[off + 16: off + 16 + caplen]
        off += 16 + caplen


def _frames_pcapng(data: bytes) -> Iterator[tuple[int, bytes]]:
    off, endian, links = 0, "<", []
    while off + 12 <= len(data):
        btype = data[off:off + 4]
        if btype == PCAPNG_SHB:
            endian = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack_from(endian + "I", data, off + 4)[0]
        if blen < 12:
            break
        kind = struct.unpack_from(endian + "I", data, off)[0]
        if kind == 1:                                   # interface description
            links.append(struct.unpack_from(endian + "H", data, off + 8)[0])
        elif kind == 6 and off + 28 <= len(data):       # enhanced packet
            iface, _, _, caplen = struct.unpack_from(endian + "IIII", data, off + 8)
            link = links[iface] if iface < len(links) else LINK_ETHERNET
            yield link, data[off + 28: off + 28 + caplen]
        elif kind == 3:                                 # simple packet
            link = links[0] if links else LINK_ETHERNET
            yield link, data[off + 12: off + blen - 4]
        off += blen


def _ip_payload(link: int, frame: bytes) -> Optional[bytes]:
    """The IP packet inside a link-layer frame, or None."""
    if link in (LINK_RAW, LINK_IPV4, LINK_IPV6):
        return frame
    if link == LINK_NULL:
        return frame[4:]
    if link == LINK_SLL:
        etype, off = struct.unpack_from(">H", frame, 14)[0] if len(frame) >= 16 else 0, 16
    elif link == LINK_ETHERNET:
        if len(frame) < 14:
            return None
        etype, off = struct.unpack_from(">H", frame, 12)[0], 14
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype, off = struct.unpack_from(">H", frame, off + 2)[0], off + 4
    else:
        return None
    return frame[off:] if etype in (0x0800, 0x86DD) else None


def five_tuple(ip: bytes) -> Optional[tuple]:
    """(src_ip, dst_ip, src_port, dst_port, protocol) of an IPv4/IPv6 packet, ports 0 if none."""
    if len(ip) < 1:
        return None
    version = ip[0] >> 4
    if version == 4 and len(ip) >= 20:
        ihl = (ip[0] & 0x0F) * 4
        proto = ip[9]
        src, dst = ipaddress.IPv4Address(ip[12:16]), ipaddress.IPv4Address(ip[16:20])
        fragment_offset = struct.unpack_from(">H", ip, 6)[0] & 0x1FFF
        l4 = ip[ihl:] if fragment_offset == 0 else b""
    elif version == 6 and len(ip) >= 40:
        proto, off = ip[6], 40
        src, dst = ipaddress.IPv6Address(ip[8:24]), ipaddress.IPv6Address(ip[24:40])
        while proto in IPV6_EXT_HEADERS and len(ip) >= off + 8:
            proto, off = ip[off], off + 8 * (ip[off + 1] + 1)
        l4 = ip[off:]
    else:
        return None
    sport = dport = 0
    if proto in L4_WITH_PORTS and len(l4) >= 4:
        sport, dport = struct.unpack_from(">HH", l4, 0)
    return (str(src), str(dst), sport, dport, proto)


def read_pcap(path: str, max_packets: int = 2_000_000) -> PacketProfile:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise InputError(f"cannot read traffic capture {path}: {e.strerror}") from None
    if data[:4] in PCAP_MAGICS:
        frames = _frames_pcap(data, PCAP_MAGICS[data[:4]])
    elif data[:4] == PCAPNG_SHB:
        frames = _frames_pcapng(data)
    else:
        raise InputError(f"{path}: not a pcap/pcapng capture (magic {data[:4].hex()})")
    prof = PacketProfile(source=path)
    for link, frame in frames:
        ip = _ip_payload(link, frame)
        t = five_tuple(ip) if ip else None
        if t is None:
            prof.skipped += 1
            continue
        prof.tuples[t] += 1
        prof.packets += 1
        prof.ipv6_packets += ip[0] >> 4 == 6
        if prof.packets >= max_packets:
            break
    if prof.packets == 0:
        raise InputError(f"{path}: no IPv4/IPv6 packets found ({prof.skipped} frames skipped)")
    return prof


def load(source) -> TrafficProfile:
    """A profile from None (default), a path (.pcap/.pcapng/.json), a dict, or a profile."""
    if source is None:
        return DEFAULT_PROFILE
    if isinstance(source, TrafficProfile):
        return source
    if isinstance(source, Mapping):
        return parse_cardinalities(source, "<traffic>")
    path = str(source)
    if path.endswith(".json"):
        return parse_cardinalities(read_json(path, "traffic profile"), path)
    return read_pcap(path)
