"""C dispatcher emitter: Plan -> ``dispatch.c`` + ``dispatch.h`` (issue 5, item 3).

The generated C parses Ethernet (+ up to two VLAN tags) / IPv4 / IPv6 / TCP /
UDP from a raw frame, computes the plan's Toeplitz hash with per-byte lookup
tables and maps it through the plan's RETA to a queue.  Everything the C needs
is decided here, in Python, at emit time:

* the *hash input layout*: which tuple byte goes to which Toeplitz input
  position, for each of the four frame shapes (IPv4/IPv6, with/without ports);
* the *tables*: ``table[i][b]`` is the 32-bit contribution of byte value ``b``
  at input position ``i`` (XOR of the key windows of its set bits), so the
  hash is one lookup + XOR per input byte instead of one shift/XOR per bit;
* which frames the NIC stage hashes at all, and with or without ports, from the
  plan's rss types (``ipv4-tcp`` hashes TCP/IPv4 with ports; ``ipv4`` the rest
  of IPv4 on addresses; frames no type covers get hash 0, like on the NIC);
* the DPDK ``rss_hf`` bits and key for the port set-up code;
* checks that the plan's promises hold for the hash the C computes
  (``PlanChecks``): the RETA index depends only on ``plan.fields``, both
  directions meet when ``plan.symmetric``, and the index is not constant.
  Broken on IPv4 frames: ``AnalysisError``; on IPv6 frames: a warning (keys are
  usually synthesised for the IPv4 layout).

Hash input = the plan's fields concatenated in ``plan.hash_input`` order (or
``plan.fields``), addresses 4 bytes for IPv4 and 16 for IPv6, ports 2 bytes
each, ``protocol`` 1 byte (software only: no NIC hashes it).  Ports are left
out (the remaining fields move up) for frames without an L4 header we parse:
not TCP/UDP, or an IP fragment; this is what NICs do with their 2-tuple
fallback, and keeps every fragment of one datagram on one queue.  Key bits
beyond the key's end read as zero (only reachable with inputs longer than
``key_len - 4`` bytes, e.g. IPv6 4-tuple + protocol with a 40-byte key).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import jinja2

from ..artifacts import KEY_FIELDS, Plan
from ..errors import AnalysisError, InputError
from ..solver.rss import RSS_TYPE_FLAGS
from ..solver.toeplitz import DEFAULT_KEY, ToeplitzTable

# Microsoft's RSS verification key, also DPDK's and most NICs' default.
DEFAULT_RSS_KEY = DEFAULT_KEY.hex()
# A key with 16-bit period: swapping src/dst (addresses, ports) leaves the hash unchanged.
SYMMETRIC_RSS_KEY = "6d5a" * 20
DEFAULT_RETA_SIZE = 128
# IPv6 extension headers the parser walks before giving up on a frame.
MAX_IPV6_EXT_HEADERS = 8
# Hash functions: plain Toeplitz, and DPDK's symmetric_toeplitz (i40e/ice/rte_flow),
# which feeds xor(src, dst) in place of both src and dst (and likewise for ports).
HASH_FUNCTIONS = ("toeplitz", "symmetric_toeplitz")

TEMPLATE_DIR = Path(__file__).parent / "templates"

PORT_FIELDS = ("src_port", "dst_port")
IP_FIELDS = ("src_ip", "dst_ip")
PEER = {"src_ip": "dst_ip", "dst_ip": "src_ip", "src_port": "dst_port", "dst_port": "src_port"}

# The four frame shapes the parser distinguishes, by (IP version, ports present).
SHAPES = {"v4_l4": (4, True), "v4": (4, False), "v6_l4": (6, True), "v6": (6, False)}

# testpmd / VPP rss type names -> DPDK 22.11 rss_hf macros: the solver's, plus the
# fragment / other / group types a port-level configuration also needs.
RSS_TYPE_MACROS: dict[str, str] = {
    **RSS_TYPE_FLAGS,
    "ip": "RTE_ETH_RSS_IP",
    "tcp": "RTE_ETH_RSS_TCP",
    "udp": "RTE_ETH_RSS_UDP",
    "ipv4-frag": "RTE_ETH_RSS_FRAG_IPV4",
    "ipv4-sctp": "RTE_ETH_RSS_NONFRAG_IPV4_SCTP",
    "ipv4-other": "RTE_ETH_RSS_NONFRAG_IPV4_OTHER",
    "ipv6-frag": "RTE_ETH_RSS_FRAG_IPV6",
    "ipv6-sctp": "RTE_ETH_RSS_NONFRAG_IPV6_SCTP",
    "ipv6-other": "RTE_ETH_RSS_NONFRAG_IPV6_OTHER",
    "ipv6-ex": "RTE_ETH_RSS_IPV6_EX",
    "ipv6-tcp-ex": "RTE_ETH_RSS_IPV6_TCP_EX",
    "ipv6-udp-ex": "RTE_ETH_RSS_IPV6_UDP_EX",
}
SELECTION_TYPES = ("l3-src-only", "l3-dst-only", "l4-src-only", "l4-dst-only")
_L3_TYPES = ("ipv4", "ipv4-frag", "ipv4-other", "ipv6", "ipv6-frag", "ipv6-other")
_L4_TYPES = ("ipv4-tcp", "ipv4-udp", "ipv6-tcp", "ipv6-udp")


# --------------------------------------------------------------------------
# Toeplitz per-byte tables
# --------------------------------------------------------------------------

def parse_key(hex_key: str) -> bytes:
    """Bytes of a hex RSS key; accepts ':'/' '/'0x' separators."""
    text = re.sub(r"0x|[\s:,]", "", hex_key.strip(), flags=re.I)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise AnalysisError(f"plan RSS key is not hex: '{hex_key}'") from None
    if len(key) < 4:
        raise AnalysisError(f"plan RSS key has {len(key)} bytes; Toeplitz needs at least 4")
    return key


def toeplitz_tables(key: bytes, positions: int) -> list[list[int]]:
    """``table[i][b]``: Toeplitz contribution of byte value ``b`` at input byte ``i``.

    Key bits past the key's end read as zero, so any input length has a table.
    """
    padded = key + bytes(max(0, positions + 4 - len(key)))
    return ToeplitzTable(padded, positions).tables


# --------------------------------------------------------------------------
# Hash input layout: which tuple byte feeds which input position
# --------------------------------------------------------------------------

def field_byte_exprs(name: str, ip_version: int) -> list[str]:
    """C expressions (over ``const struct flowmage_tuple *t``) for one field's bytes."""
    addr_len = 4 if ip_version == 4 else 16
    if name == "src_ip":
        return [f"t->src[{i}]" for i in range(addr_len)]
    if name == "dst_ip":
        return [f"t->dst[{i}]" for i in range(addr_len)]
    if name == "src_port":
        return ["t->ports[0]", "t->ports[1]"]
    if name == "dst_port":
        return ["t->ports[2]", "t->ports[3]"]
    if name == "protocol":
        return ["t->protocol"]
    raise AnalysisError(f"cannot hash unknown field '{name}'")


class InputByte(NamedTuple):
    """One Toeplitz input position: byte ``index`` of ``field``, read in C by ``expr``."""
    field: str
    index: int
    expr: str

    @property
    def mirror(self) -> tuple[str, int]:
        """The (field, index) that takes this byte's place in the other direction."""
        return PEER.get(self.field, self.field), self.index


def input_layout(fields: list[str], ip_version: int, with_ports: bool,
                 xor_peers: bool = False) -> list[InputByte]:
    """The hash input, one byte per Toeplitz input position.  ``xor_peers``
    (symmetric_toeplitz) feeds xor(src, dst) for a field whose peer is hashed too."""
    present = [f for f in fields if with_ports or f not in PORT_FIELDS]
    layout: list[InputByte] = []
    for name in present:
        exprs = field_byte_exprs(name, ip_version)
        if xor_peers and PEER.get(name) in present:
            peer = field_byte_exprs(PEER[name], ip_version)
            exprs = [f"({a} ^ {b})" for a, b in zip(exprs, peer)]
        layout.extend(InputByte(name, i, e) for i, e in enumerate(exprs))
    return layout


PROTO_TCP, PROTO_UDP = 6, 17


@dataclass(frozen=True)
class FamilyCoverage:
    """Which frames of one IP family a hash stage hashes (the rest get hash 0)."""
    l3: bool = True                             # non-TCP/UDP frames and fragments: L3 fields
    l4: tuple[int, ...] = (PROTO_TCP, PROTO_UDP)  # unfragmented protocols hashed with ports


FULL_COVERAGE = {4: FamilyCoverage(), 6: FamilyCoverage()}


def coverage_from_types(types: list[str]) -> dict[int, FamilyCoverage]:
    """What a NIC hashes for these rss types: an L4 type (``ipv4-tcp``) hashes that
    protocol with ports; any L3 type (``ipv4``, ``-frag``, ``-other``) hashes the
    remaining frames of the family on addresses only; nothing else is hashed."""
    cover = {}
    for v, fam in ((4, "ipv4"), (6, "ipv6")):
        l3 = bool({"ip", fam, f"{fam}-frag", f"{fam}-other", f"{fam}-ex"} & set(types))
        l4 = tuple(p for p, name in ((PROTO_TCP, "tcp"), (PROTO_UDP, "udp"))
                   if {name, f"{fam}-{name}", f"{fam}-{name}-ex"} & set(types))
        cover[v] = FamilyCoverage(l3=l3, l4=l4)
    return cover


def check_fields(fields: list[str], what: str) -> list[str]:
    unknown = [f for f in fields if f not in KEY_FIELDS]
    if unknown:
        raise AnalysisError(f"{what}: unknown field(s) {', '.join(unknown)}; "
                            f"expected some of {', '.join(KEY_FIELDS)}")
    if len(set(fields)) != len(fields):
        raise AnalysisError(f"{what}: repeated field in {fields}")
    if not fields:
        raise AnalysisError(f"{what}: no fields to hash; the dispatcher needs at least one")
    return list(fields)


@dataclass
class HashStage:
    """One hash the dispatcher computes: its fields, key, function, layouts and tables."""
    name: str                       # C identifier part: 'rss' (NIC stage), 'stage2', ...
    fields: list[str]
    key: bytes
    dispatch: str                   # 'nic' | 'software'
    function: str = "toeplitz"      # one of HASH_FUNCTIONS
    coverage: dict[int, FamilyCoverage] = field(default_factory=lambda: dict(FULL_COVERAGE))
    layouts: dict[str, list[InputByte]] = field(default_factory=dict)   # hashed shapes only
    tables: list[list[int]] = field(default_factory=list)

    @classmethod
    def build(cls, name: str, fields: list[str], key: bytes, dispatch: str,
              function: str = "toeplitz",
              coverage: dict[int, FamilyCoverage] | None = None) -> "HashStage":
        coverage = coverage or dict(FULL_COVERAGE)
        xor_peers = function == "symmetric_toeplitz"
        layouts = {shape: input_layout(fields, v, ports, xor_peers)
                   for shape, (v, ports) in SHAPES.items()
                   if (coverage[v].l4 if ports else coverage[v].l3)}
        positions = max([len(l) for l in layouts.values()] + [1])
        return cls(name=name, fields=fields, key=key, dispatch=dispatch, function=function,
                   coverage=coverage, layouts=layouts, tables=toeplitz_tables(key, positions))

    def l4_condition(self, ip_version: int) -> str:
        """C condition for hashing a frame of this family with its ports."""
        protocols = self.coverage[ip_version].l4
        if set(protocols) == {PROTO_TCP, PROTO_UDP}:
            return "t->ports != NULL"        # ports are only parsed for TCP and UDP
        names = {PROTO_TCP: "FLOWMAGE_PROTO_TCP", PROTO_UDP: "FLOWMAGE_PROTO_UDP"}
        return "t->ports != NULL && " + " || ".join(f"t->protocol == {names[p]}" for p in protocols)

    def _index_rows(self, index_bits: int) -> list[list[int]]:
        """Per input position, the RETA-index part of its 8 single-bit contributions;
        by linearity these decide everything about the index."""
        mask = (1 << index_bits) - 1
        return [[row[1 << k] & mask for k in range(8)] for row in self.tables]

    def asymmetric_shapes(self, index_bits: int = 32) -> list[str]:
        """Frame shapes where reversing the direction (src<->dst, sport<->dport) can
        change the low ``index_bits`` of the hash: some input byte and the byte
        that replaces it contribute differently."""
        rows = self._index_rows(index_bits)
        bad = []
        for shape, layout in self.layouts.items():
            if self.function == "symmetric_toeplitz":
                continue                                    # xor(src, dst): symmetric by design
            where = {(b.field, b.index): i for i, b in enumerate(layout)}
            zero = [0] * 8
            if any(rows[i] != (rows[where[b.mirror]] if b.mirror in where else zero)
                   for i, b in enumerate(layout)):
                bad.append(shape)
        return bad

    def fields_reaching(self, index_bits: int, shapes=tuple(SHAPES)) -> set[str]:
        """Fields that can change the low ``index_bits`` hash bits (the RETA index)."""
        rows = self._index_rows(index_bits)
        return {b.field for shape in shapes for i, b in enumerate(self.layouts.get(shape, []))
                if any(rows[i])}

    @property
    def key_bytes_used(self) -> int:
        """Key bytes any planned input reads: the last position's window ends 4 bytes on."""
        return min(len(self.key), len(self.tables) + 4)

    def hash_bytes(self, data: bytes) -> int:
        """The hash of an already laid-out input (table-driven, like the C)."""
        h = 0
        for i, b in enumerate(data):
            h ^= self.tables[i][b]
        return h


# --------------------------------------------------------------------------
# DPDK rss_hf
# --------------------------------------------------------------------------

def selection_types(fields: list[str]) -> list[str]:
    """The *_ONLY selection a NIC needs to hash exactly these fields."""
    sel = []
    for level, pair in (("l3", IP_FIELDS), ("l4", PORT_FIELDS)):
        present = [f for f in pair if f in fields]
        if len(present) == 1:
            sel.append(f"{level}-{present[0].split('_')[0]}-only")
    return sel


def derived_rss_types(fields: list[str]) -> list[str]:
    types = list(_L3_TYPES)
    if any(f in PORT_FIELDS for f in fields):
        types += _L4_TYPES
    return types + selection_types(fields)


def nic_rss_types(plan_types: list[str], fields: list[str]) -> tuple[list[str], list[str]]:
    """The NIC stage's rss types (the plan's, else derived from the hash input), and
    notes on what a NIC cannot express."""
    notes = []
    types = list(plan_types) or derived_rss_types(fields)
    unknown = [t for t in types if t not in RSS_TYPE_MACROS]
    if unknown:
        raise AnalysisError(f"plan rss_types: unknown type(s) {', '.join(unknown)}; "
                            f"known: {', '.join(RSS_TYPE_MACROS)}")
    wanted, declared = set(selection_types(fields)), {t for t in types if t in SELECTION_TYPES}
    if plan_types and wanted != declared:
        raise AnalysisError(f"plan rss_types select {sorted(declared) or 'all fields'} but the hash "
                            f"input {fields} needs {sorted(wanted) or 'no selection'}")
    if not any(f in IP_FIELDS for f in fields):
        notes.append("the hash input has no IP address but NICs always hash addresses "
                     "with the ports: the NIC's queue choice differs from flowmage_queue()")
    if "protocol" in fields:
        notes.append("'protocol' is hashed in software only; NICs never feed it to Toeplitz")
    return types, notes


def rss_hf_macros(types: list[str]) -> list[str]:
    """DPDK rss_hf macro names for rss type names."""
    return list(dict.fromkeys(RSS_TYPE_MACROS[t] for t in types))


# --------------------------------------------------------------------------
# The dispatch spec: everything the templates render
# --------------------------------------------------------------------------

IPV4_SHAPES = ("v4_l4", "v4")
IPV6_SHAPES = ("v6_l4", "v6")


class PlanChecks:
    """The promises a plan's dispatch makes, checked on the hash the C computes.

    Keys are synthesised (and proven) for one hash-input layout, typically IPv4.
    A broken promise on IPv4 frames is an error; on IPv6 frames a warning (the
    plan does not say the traffic has IPv6), kept in the header and the plan."""

    def __init__(self, reta_size: int):
        self.index_bits = max(reta_size - 1, 0).bit_length()
        self.warnings: list[str] = []
        self.notes: list[str] = []

    def _judge(self, offenders, describe) -> None:
        """``offenders(shapes)``: what breaks the promise on frames of those shapes;
        ``describe(offenders, family)``: the message (IPv4: error, IPv6: warning)."""
        v4, v6 = offenders(IPV4_SHAPES), offenders(IPV6_SHAPES)
        if v4:
            raise AnalysisError(describe(v4, "IPv4"))
        if v6:
            self.warnings.append(describe(v6, "IPv6"))

    def queue_depends_only_on(self, stage: HashStage, fields: list[str]) -> None:
        """A hash input wider than the dispatch fields relies on a key that keeps
        the extra fields out of the RETA index; shared-nothing NFs break otherwise."""
        if not fields or set(stage.fields) <= set(fields):
            return

        def describe(leaking, family):
            return (f"plan dispatches on {fields} but with key {stage.key.hex()} the RETA index "
                    f"(low {self.index_bits} hash bits over {stage.fields}) of {family} frames "
                    f"also depends on {', '.join(sorted(leaking, key=KEY_FIELDS.index))}")
        self._judge(lambda shapes: stage.fields_reaching(self.index_bits, shapes) - set(fields),
                    describe)

    def spreads(self, stage: HashStage) -> None:
        """Some hashed field must reach the RETA index, or one queue gets everything."""
        if self.index_bits == 0:
            return                                          # one RETA entry: nothing to spread
        for shape, layout in stage.layouts.items():
            if not layout:
                self.notes.append(f"{stage.name}: {shape} frames carry none of {stage.fields}; "
                                  "they all get hash 0 (queue reta[0])")
        constant = [shape for shape, layout in stage.layouts.items()
                    if layout and not stage.fields_reaching(self.index_bits, (shape,))]

        def describe(bad, family):
            return (f"the {stage.name} hash over {stage.fields} with key {stage.key.hex()} "
                    f"leaves the RETA index of {', '.join(bad)} frames constant: one queue "
                    f"gets all of them")
        self._judge(lambda shapes: [s for s in constant if s in shapes], describe)

    def symmetric(self, stage: HashStage) -> None:
        asym = stage.asymmetric_shapes(self.index_bits)

        def describe(bad, family):
            return (f"plan is symmetric but the {stage.name} hash over {stage.fields} with key "
                    f"{stage.key.hex()} sends the two directions of {family} flows "
                    f"({', '.join(bad)} frames) to different RETA entries")
        self._judge(lambda shapes: [s for s in asym if s in shapes], describe)


def round_robin_reta(queues: int, size: int = DEFAULT_RETA_SIZE) -> list[int]:
    return [i % queues for i in range(size)]


def check_reta(reta: list[int], queues: int) -> list[int]:
    size = len(reta)
    if size & (size - 1):
        raise AnalysisError(f"plan RETA has {size} entries; the dispatcher needs a power of two")
    bad = [q for q in reta if not 0 <= q < queues]
    if bad:
        raise AnalysisError(f"plan RETA names queue {bad[0]} but the plan has {queues} core(s)")
    return list(reta)


@dataclass
class DispatchSpec:
    stages: list[HashStage]         # stages[0] is the NIC (RSS) stage
    reta: list[int]
    nb_queues: int
    symmetric: bool
    rss_types: list[str]            # testpmd/VPP names of what the NIC hashes
    notes: list[str]                # facts for the header comment
    warnings: list[str] = field(default_factory=list)   # broken promises on IPv6 frames

    @property
    def rss_hf(self) -> list[str]:
        return rss_hf_macros(self.rss_types)

    @property
    def rss(self) -> HashStage:
        return self.stages[0]

    @property
    def software_stages(self) -> list[HashStage]:
        return [s for s in self.stages[1:] if s.dispatch == "software"]


def nic_stage(plan: Plan, fields: list[str], rss_types: list[str]) -> HashStage:
    """Stage 0: the hash the NIC computes (or the first software dispatch)."""
    # A symmetric plan on plain Toeplitz gets the 16-bit-periodic key; symmetric_toeplitz
    # must not (xor(src, dst) fed twice under a periodic key cancels to 0).
    plain_symmetric = plan.symmetric and plan.hash_function == "toeplitz"
    fallback_key = SYMMETRIC_RSS_KEY if plain_symmetric else DEFAULT_RSS_KEY
    return HashStage.build("rss", fields, parse_key(plan.rss_key or fallback_key), "nic",
                           plan.hash_function, coverage_from_types(rss_types))


def software_stages(plan: Plan) -> list[HashStage]:
    """Later stages dispatched in software.  They hash exactly their fields, so they
    need no field-masking key: the default key spreads them best, or the symmetric
    one when the plan is symmetric and the fields allow it (each one's peer hashed too)."""
    stages = []
    for ordinal, stage in enumerate(plan.stages[1:], start=2):
        if stage.dispatch != "software":
            continue
        fields = check_fields(list(stage.fields), f"plan stage {stage.index} fields")
        peer_closed = all(PEER.get(f, f) in fields for f in fields)
        key = SYMMETRIC_RSS_KEY if plan.symmetric and peer_closed else DEFAULT_RSS_KEY
        stages.append(HashStage.build(f"stage{ordinal}", fields, parse_key(key), "software"))
    return stages


def coverage_notes(stage: HashStage) -> list[str]:
    notes = []
    for v, cover in stage.coverage.items():
        if not cover.l3:
            hashed = (f"only IPv{v} protocols {list(cover.l4)} (with ports); other IPv{v} frames"
                      if cover.l4 else f"no IPv{v} frames; they")
            notes.append(f"the rss types hash {hashed} get hash 0 (queue reta[0])")
    return notes


def dispatch_spec(plan: Plan) -> DispatchSpec:
    """Resolve a Plan's defaults (fields, key, RETA) into what the C needs, and check
    that the resulting hash keeps the plan's promises."""
    if plan.cores < 1:
        raise AnalysisError(f"plan has {plan.cores} cores; need at least 1")
    if plan.hash_function not in HASH_FUNCTIONS:
        raise AnalysisError(f"plan hash function '{plan.hash_function}' is not one the "
                            f"dispatcher computes ({', '.join(HASH_FUNCTIONS)})")
    fields = check_fields(list(plan.hash_input or plan.fields), "plan hash input")
    rss_types, notes = nic_rss_types(plan.rss_types, fields)
    stages = [nic_stage(plan, fields, rss_types)] + software_stages(plan)
    reta = check_reta(plan.reta or round_robin_reta(plan.cores), plan.cores)
    checks = PlanChecks(len(reta))
    for stage in stages:
        checks.spreads(stage)
    checks.queue_depends_only_on(stages[0], plan.fields)
    if plan.symmetric:
        checks.symmetric(stages[0])
    return DispatchSpec(stages=stages, reta=reta, nb_queues=plan.cores, symmetric=plan.symmetric,
                        rss_types=rss_types,
                        notes=notes + coverage_notes(stages[0]) + checks.notes + checks.warnings,
                        warnings=checks.warnings)


# --------------------------------------------------------------------------
# Rendering and writing
# --------------------------------------------------------------------------

def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["hex32"] = lambda v: f"0x{v:08x}u"
    env.filters["cbytes"] = lambda bs: ", ".join(f"0x{b:02x}" for b in bs)
    env.filters["chunks"] = lambda seq, n: [seq[i:i + n] for i in range(0, len(seq), n)]
    return env


def header_guard(header_name: str) -> str:
    return "FLOWMAGE_" + re.sub(r"[^A-Za-z0-9]", "_", Path(header_name).name).upper()


def render_dispatcher(plan: Plan, header_name: str = "dispatch.h") -> tuple[str, str]:
    """(C source, header) of the dispatcher for ``plan``."""
    return render_spec(dispatch_spec(plan), plan, header_name)


def render_spec(spec: DispatchSpec, plan: Plan, header_name: str) -> tuple[str, str]:
    env = _environment()
    ctx = dict(spec=spec, plan=plan, header_name=Path(header_name).name,
               guard=header_guard(header_name), shapes=SHAPES,
               max_ext_headers=MAX_IPV6_EXT_HEADERS)
    return (env.get_template("dispatcher.c.j2").render(ctx),
            env.get_template("dispatcher.h.j2").render(ctx))


def write_dispatcher(plan: Plan, path_c: str, outs) -> list[str]:
    """Write ``X.c`` and ``X.h`` through an ``OutputSet``; returns the paths.

    A plan whose devices dispatch on different fields (``plan.ports``) gets one
    dispatcher per device: ``X.c`` for the first, ``X-<i>.c`` for device i (each
    a unit of its own; compile the one of the device whose packets it sees).
    Warnings about the dispatch (see ``PlanChecks``) are appended to ``plan.warnings``."""
    c_path = Path(path_c)
    if c_path.suffix != ".c":
        raise InputError(f"--dispatcher expects a '.c' path (the header goes next to it), "
                         f"got '{path_c}'")
    views = [plan.for_device(p) for p in plan.ports] or [plan]
    written = []
    for i, view in enumerate(views):
        cp = c_path if i == 0 else c_path.with_name(f"{c_path.stem}-{i}.c")
        h_path = cp.with_suffix(".h")
        spec = dispatch_spec(view)
        source, header = render_spec(spec, view, h_path.name)
        plan.warnings.extend(w for w in spec.warnings if w not in plan.warnings)
        outs.write(cp, source)
        outs.write(h_path, header)
        written += [str(cp), str(h_path)]
    return written
