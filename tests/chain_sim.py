"""Chain simulator: a bidirectional packet trace through a plan's real dispatch.

Each device's dispatch is the generated C dispatcher (one per device when the plan
gives them different fields), built with gcc and called through ctypes.  Packets
walk the chain graph from the device they arrive on; every NF with ``rewrites``
translates them (a NAT's source, a load balancer's destination) on the way out and
undoes it on the way back, as a model of what such NFs do.  For every NF the plan
keeps private per core, each of its state entries must be seen on one core only.
"""
from __future__ import annotations

import ctypes
import ipaddress
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from flowmagec.artifacts import KEY_FIELDS, Chain, FeatureSet, Plan
from flowmagec.chain_knowledge import is_source
from flowmagec.emitters.dispatcher import render_dispatcher
from flowmagec.solver import chain_order
from flowmagec.solver.directions import device_id, element_rewrites
from flowmagec.solver.formulation import SWAP

from test_dispatcher_support import tcp_frame


class Dispatch:
    """flowmage_queue() of the plan's dispatcher, per device."""

    def __init__(self, plan: Plan, build_dir: Path):
        views = {p.device: plan.for_device(p) for p in plan.ports} or {None: plan}
        self.libs = {}
        for i, (device, view) in enumerate(views.items()):
            d = build_dir / f"dev{i}"
            d.mkdir(parents=True, exist_ok=True)
            source, header = render_dispatcher(view)
            (d / "dispatch.c").write_text(source)
            (d / "dispatch.h").write_text(header)
            lib = d / "libdispatch.so"
            subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-shared",
                            "-fPIC", "-I", str(d), str(d / "dispatch.c"), "-o", str(lib)],
                           check=True, capture_output=True, text=True)
            so = ctypes.CDLL(str(lib))
            so.flowmage_queue.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
            so.flowmage_queue.restype = ctypes.c_uint
            self.libs[device] = so

    def queue(self, device: str, pkt: dict) -> int:
        lib = self.libs.get(device, self.libs.get(None))
        frame = tcp_frame(pkt["src_ip"], pkt["dst_ip"], pkt["src_port"], pkt["dst_port"])
        return lib.flowmage_queue(frame, len(frame))


@dataclass
class Trace:
    connections: list[tuple[str, int, str, int]]
    clients: str = ""          # device the connections start from
    servers: str = ""          # device the replies arrive on ('' = the same)


def trace(n: int = 600, seed: int = 1, clients="10.1.0.0/16", servers="198.51.100.0/24") -> list:
    rng = random.Random(seed)
    cnet, snet = ipaddress.ip_network(clients), ipaddress.ip_network(servers)
    conns = []
    for _ in range(n):
        c = str(cnet[rng.randrange(1, cnet.num_addresses - 1)])
        s = str(snet[rng.randrange(1, min(64, snet.num_addresses - 1))])
        conns.append((c, rng.randrange(1024, 65535), s, rng.choice((80, 443, 53, 8080))))
    return conns


@dataclass
class Result:
    entries: dict[str, dict] = field(default_factory=dict)    # element -> entry -> cores
    checked: list[str] = field(default_factory=list)

    def split(self) -> dict[str, int]:
        """Element -> number of its entries seen on more than one core."""
        return {e: sum(len(cores) > 1 for cores in entries.values())
                for e, entries in self.entries.items()}


def simulate(chain: Chain, features: FeatureSet, plan: Plan, build_dir: Path, conns: list,
             lan: str, wan: str | None = None) -> Result:
    """Send each connection's request from device ``lan`` and its reply from ``wan``
    (the same device when None), through the plan's dispatch and the chain."""
    records = features.by_name()
    private = {p.element for p in plan.placements if p.mode == "shared-nothing"}
    g = nx.DiGraph(chain.graph())
    order = {e.name: i for i, e in enumerate(chain_order(chain))}
    by_dev: dict[str, list[str]] = {}
    for e in chain.elements:
        if is_source(chain.framework, e.cls):
            by_dev.setdefault(device_id(e), []).append(e.name)

    def path_from(dev: str) -> list[str]:
        reach = set().union(*(nx.descendants(g, s) for s in by_dev[dev]))
        return sorted(reach, key=lambda n: order.get(n, 0))

    cls = {e.name: e.cls for e in chain.elements}
    rewrites = {e.name: element_rewrites(chain, e, records.get(e.cls)) for e in chain.elements}
    dispatch = Dispatch(plan, build_dir)
    res = Result(checked=sorted(private))
    wan = wan or lan

    def record(elem, entry, core):
        res.entries.setdefault(elem, {}).setdefault(entry, set()).add(core)

    def entry_of(elem, pkt, conn_id):
        f = records.get(cls[elem])
        both = f.symmetric or bool(rewrites[elem] & set(KEY_FIELDS))
        return ("conn", conn_id) if both else tuple(pkt[k] for k in f.key if k != "protocol")

    def walk(device, pkt, cid, rewrite):
        """Dispatch ``pkt`` on ``device`` and take it through every NF it reaches,
        recording each private NF's entry on that core; ``rewrite(elem, pkt)`` models
        what an NF with rewrites does to it."""
        core = dispatch.queue(device, pkt)
        for elem in path_from(device):
            if records.get(cls[elem]) is None:
                continue
            if elem in private:
                record(elem, entry_of(elem, pkt, cid), core)
            if rewrites[elem]:
                rewrite(elem, pkt)
        return pkt

    for cid, (c, cp, s, sp) in enumerate(conns):
        before: dict[str, dict] = {}

        def translate(elem, pkt):
            before[elem] = dict(pkt)
            for fld in rewrites[elem]:
                if fld in pkt:
                    pkt[fld] = translated(elem, cid, fld, pkt[fld])

        def undo(elem, reply):
            for fld in rewrites[elem] if elem in before else ():
                if fld in before[elem]:     # the reply's swapped field gets back the
                    reply[SWAP[fld]] = before[elem][fld]     # value the request had

        pkt = walk(lan, {"src_ip": c, "dst_ip": s, "src_port": cp, "dst_port": sp}, cid,
                   translate)
        walk(wan, {fld: pkt[SWAP[fld]] for fld in ("src_ip", "dst_ip", "src_port", "dst_port")},
             cid, undo)
    return res


def translated(elem: str, cid: int, fld: str, value):
    """A deterministic per-connection rewrite: addresses to one public address per NF
    (a NAT) or one of a few backends, ports to a per-connection allocated port."""
    rng = random.Random(f"{elem}/{cid}/{fld}")
    if fld.endswith("_ip"):
        return f"203.0.113.{1 + rng.randrange(4)}"
    return 20000 + (cid * 7919 + rng.randrange(7)) % 40000
