"""Packet traces for the chain benchmark: synthetic kinds, or a pcap/pcapng capture.

A trace is a list of frames (Ethernet/IPv4/TCP|UDP for the synthetic kinds,
the captured bytes for a capture) with the ingress device of each (0, or 1 for
the reverse direction of a bidirectional trace).  ``Trace.write`` stores it in
the flat layout the generated C reads (header, fixed-stride frames, lengths,
directions).
"""
from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..solver import traffic as traffic_mod

KINDS = ("uniform", "zipf", "prefixes", "few-dst", "bidir")
MAGIC = 0x52544D46          # 'FMTR'
STRIDE = 128                # bytes stored per frame: every header the parser reads
ZIPF_EXPONENT = 1.1
PREFIXES = 4                # 'prefixes': sources in this many /24s
FEW_DESTINATIONS = 8        # 'few-dst': this many destination addresses
TCP, UDP = 6, 17


@dataclass
class Trace:
    name: str
    frames: list[bytes] = field(default_factory=list)
    dirs: list[int] = field(default_factory=list)
    tuples: list[tuple] = field(default_factory=list)   # per packet (src, dst, sport, dport, proto)

    def __len__(self) -> int:
        return len(self.frames)

    def flows(self) -> int:
        return len(set(self.tuples))

    def write(self, path: str) -> None:
        """The C layout: header (magic, packets, stride, distinct frames), the distinct
        frames, their lengths (padded to 4 bytes), each packet's frame index, each
        packet's device.  Frames are stored once: a million packets take 5 MB."""
        index_of: dict[bytes, int] = {}
        distinct: list[bytes] = []
        index = []
        for f in self.frames:
            f = f[:STRIDE]
            if f not in index_of:
                index_of[f] = len(distinct)
                distinct.append(f)
            index.append(index_of[f])
        body = bytearray(struct.pack("<4I", MAGIC, len(index), STRIDE, len(distinct)))
        for f in distinct:
            body += f.ljust(STRIDE, b"\0")
        lens = struct.pack(f"<{len(distinct)}H", *(len(f) for f in distinct))
        body += lens + bytes(-len(lens) % 4)
        body += struct.pack(f"<{len(index)}I", *index)
        body += bytes(self.dirs)
        Path(path).write_bytes(bytes(body))


def ipv4_frame(src: int, dst: int, sport: int, dport: int, proto: int, size: int = 64) -> bytes:
    """A minimal Ethernet + IPv4 + TCP/UDP frame (checksums left zero: nobody checks)."""
    l4 = (struct.pack(">HHIIBBHHH", sport, dport, 0, 0, 5 << 4, 0x10, 0xFFFF, 0, 0) if proto == TCP
          else struct.pack(">HHHH", sport, dport, 8, 0))
    total = max(size - 14, 20 + len(l4))
    ip = struct.pack(">BBHHHBBHII", 0x45, 0, total, 0, 0x4000, 64, proto, 0, src, dst)
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return (eth + ip + l4).ljust(size, b"\0")


def _flows(kind: str, count: int, rng: random.Random) -> list[tuple]:
    out, seen = [], set()
    prefixes = [0x0A000000 | rng.randrange(1 << 16) << 8 for _ in range(PREFIXES)]
    dests = [0xC0A80000 | rng.randrange(1, 1 << 16) for _ in range(FEW_DESTINATIONS)]
    while len(out) < count:
        src = (rng.choice(prefixes) | rng.randrange(256) if kind == "prefixes"
               else 0x0A000000 | rng.randrange(1 << 24))
        dst = rng.choice(dests) if kind == "few-dst" else 0xAC100000 | rng.randrange(1 << 20)
        t = (src, dst, rng.randrange(1024, 65536), rng.choice((80, 443, 53, 8080, 22, 123)),
             rng.choice((TCP, TCP, UDP)))
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


def synthetic(kind: str, packets: int, flows: int = 16384, seed: int = 1) -> Trace:
    """``packets`` packets over ``flows`` flows, shaped by ``kind`` (see KINDS)."""
    if kind not in KINDS:
        raise InputError(f"unknown trace kind '{kind}' (expected {', '.join(KINDS)} or a .pcap)")
    rng = random.Random(seed)
    table = _flows(kind, max(1, flows), rng)
    weights = ([1.0 / (i + 1) ** ZIPF_EXPONENT for i in range(len(table))] if kind == "zipf"
               else None)
    picks = rng.choices(range(len(table)), weights=weights, k=packets)
    trace = Trace(name=kind)
    frames = {}
    for i in picks:
        reverse = kind == "bidir" and rng.random() < 0.5
        src, dst, sport, dport, proto = table[i]
        t = (dst, src, dport, sport, proto) if reverse else table[i]
        if t not in frames:
            frames[t] = ipv4_frame(*t)
        trace.frames.append(frames[t])
        trace.dirs.append(1 if reverse else 0)
        trace.tuples.append(t)
    return trace


def from_capture(path: str, packets: int = 0) -> Trace:
    """The IPv4/IPv6 frames of a pcap/pcapng capture, in capture order (Ethernet
    frames as captured; other link types are re-framed as Ethernet)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read capture {path}: {e.strerror}") from None
    if data[:4] in traffic_mod.PCAP_MAGICS:
        frames = traffic_mod._frames_pcap(data, traffic_mod.PCAP_MAGICS[data[:4]])
    elif data[:4] == traffic_mod.PCAPNG_SHB:
        frames = traffic_mod._frames_pcapng(data)
    else:
        raise InputError(f"{path}: not a pcap/pcapng capture (magic {data[:4].hex()})")
    trace = Trace(name=Path(path).name)
    first_src = {}
    for link, frame in frames:
        ip = traffic_mod._ip_payload(link, frame)
        t = traffic_mod.five_tuple(ip) if ip else None
        if t is None:
            continue
        if link != traffic_mod.LINK_ETHERNET:
            etype = b"\x86\xdd" if ip[0] >> 4 == 6 else b"\x08\x00"
            frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" + etype + ip
        # the side that spoke first of a host pair arrives on device 0, replies on device 1
        pair = frozenset((t[0], t[1]))
        first_src.setdefault(pair, t[0])
        trace.frames.append(frame)
        trace.dirs.append(0 if first_src[pair] == t[0] else 1)
        trace.tuples.append(t)
        if packets and len(trace) >= packets:
            break
    if not trace.frames:
        raise InputError(f"{path}: no IPv4/IPv6 packets found")
    return trace


def load(spec: str, packets: int, flows: int = 16384) -> Trace:
    """A trace from a kind name (KINDS) or a capture path."""
    if spec.endswith((".pcap", ".pcapng", ".cap")) or Path(spec).is_file():
        return from_capture(spec, packets)
    return synthetic(spec, packets, flows)
