"""Helpers shared by the dispatcher tests: frame builders, a bit-by-bit Toeplitz
oracle, and building the generated C with a harness from tests/c/.

(No tests here; the name keeps it next to the tests that import it.)
"""
from __future__ import annotations

import ipaddress
import shutil
import struct
import subprocess
from pathlib import Path

from flowmagec.artifacts import Plan
from flowmagec.emitters.dispatcher import render_dispatcher

HARNESS_DIR = Path(__file__).parent / "c"
STRICT_CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror"]


# ---------------------------------------------------------------- oracle

def toeplitz_bitwise(key: bytes, data: bytes) -> int:
    """Toeplitz straight from its definition: for every set input bit i, XOR the
    32-bit key window starting at bit i (key zero-extended).  Kept independent of
    flowmagec.solver.toeplitz on purpose: the dispatcher's tables are built there."""
    k = int.from_bytes(key + bytes(max(0, len(data) + 4 - len(key))), "big")
    k_bits = 8 * max(len(key), len(data) + 4)
    h = 0
    for i in range(8 * len(data)):
        if data[i // 8] >> (7 - i % 8) & 1:
            h ^= (k >> (k_bits - 32 - i)) & 0xFFFFFFFF
    return h


def field_bytes(name: str, src: str, dst: str, sport: int | None, dport: int | None,
                proto: int) -> bytes:
    if name == "src_ip":
        return ipaddress.ip_address(src).packed
    if name == "dst_ip":
        return ipaddress.ip_address(dst).packed
    if name == "src_port":
        return b"" if sport is None else struct.pack("!H", sport)
    if name == "dst_port":
        return b"" if dport is None else struct.pack("!H", dport)
    return bytes([proto])


def hash_input(fields, src, dst, sport=None, dport=None, proto=6) -> bytes:
    """The Toeplitz input the dispatcher must build: fields concatenated; ports
    left out (None) when the frame has none."""
    return b"".join(field_bytes(f, src, dst, sport, dport, proto) for f in fields)


# ---------------------------------------------------------------- frames

def ether(payload: bytes, ethertype: int, vlans: tuple[int, ...] = ()) -> bytes:
    head = bytes(range(1, 13))
    for tpid in vlans:
        head += struct.pack("!HH", tpid, 7)
    return head + struct.pack("!H", ethertype) + payload


def ipv4(src: str, dst: str, proto: int, l4: bytes, frag: int = 0, options: bytes = b"") -> bytes:
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(options) + len(l4), 1, frag, 64,
                      proto, 0, ipaddress.IPv4Address(src).packed,
                      ipaddress.IPv4Address(dst).packed)
    return hdr + options + l4


def ipv6(src: str, dst: str, next_header: int, payload: bytes) -> bytes:
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), next_header, 64,
                      ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed)
    return hdr + payload


def ports(sport: int, dport: int, rest: int = 16) -> bytes:
    return struct.pack("!HH", sport, dport) + bytes(rest)


def ext_header(next_header: int, length_units: int = 0) -> bytes:
    """A generic IPv6 extension header (hop-by-hop / routing / dest. options)."""
    return bytes([next_header, length_units]) + bytes(6 + 8 * length_units)


def frag_header(next_header: int, offset: int = 0, more: bool = False) -> bytes:
    return struct.pack("!BBHI", next_header, 0, offset << 3 | int(more), 0x1234)


def tcp_frame(src, dst, sport, dport, proto=6, vlans=()) -> bytes:
    if ":" in src:
        return ether(ipv6(src, dst, proto, ports(sport, dport)), 0x86DD, vlans)
    return ether(ipv4(src, dst, proto, ports(sport, dport)), 0x0800, vlans)


# ---------------------------------------------------------------- building C

def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def write_dispatcher_sources(plan: Plan, directory: Path) -> Path:
    source, header = render_dispatcher(plan)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "dispatch.c").write_text(source)
    (directory / "dispatch.h").write_text(header)
    return directory / "dispatch.c"


def build(plan: Plan, harness: str, directory: Path, cc: str = "gcc",
          cflags: tuple[str, ...] = (), ldflags: tuple[str, ...] = ()) -> Path:
    """Render ``plan`` into ``directory`` and link it with ``tests/c/<harness>``."""
    dispatch_c = write_dispatcher_sources(plan, directory)
    exe = directory / Path(harness).stem
    cmd = [cc, *STRICT_CFLAGS, "-O2", *cflags, "-I", str(directory),
           str(HARNESS_DIR / harness), str(dispatch_c), "-o", str(exe), *ldflags]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stderr}"
    return exe


def run_frames(exe: Path, frames: list[bytes]) -> list[list[str]]:
    """Feed frames to the hash_frames harness; one list of output columns per frame."""
    proc = subprocess.run([str(exe)], input="".join(f.hex() + "\n" for f in frames),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert len(rows) == len(frames)
    return rows
