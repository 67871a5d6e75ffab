"""Typed artifacts passed between pipeline stages.

Chain -> NFUnit -> Facts -> NFFeatures -> Plan.  Every artifact is a dataclass
that round-trips through JSON (``to_json`` / ``from_json``) so any stage's
output can be dumped (``--dump-after STAGE``) and fed back for debugging.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Optional

SCHEMA_CHAIN = "flowmage.chain/1"
SCHEMA_UNITS = "flowmage.units/1"
SCHEMA_FACTS = "flowmage.facts/1"
SCHEMA_FEATURES = "flowmage.features/1"
SCHEMA_PLAN = "flowmage.plan/1"

# The 5-tuple fields a feature key (and RSS dispatch) may use, in canonical order.
KEY_FIELDS: tuple[str, ...] = ("src_ip", "dst_ip", "src_port", "dst_port", "protocol")


def canonical_fields(fields) -> list[str]:
    """Sort 5-tuple field names in canonical order; drop duplicates."""
    fs = set(fields)
    unknown = fs - set(KEY_FIELDS)
    if unknown:
        raise ValueError(f"unknown key field(s): {', '.join(sorted(unknown))}")
    return [f for f in KEY_FIELDS if f in fs]


# --------------------------------------------------------------------------
# JSON round-trip for (nested) dataclasses, driven by type hints.
# --------------------------------------------------------------------------

class JsonArtifact:
    """Mixin: ``to_dict``/``from_dict``/``to_json``/``from_json`` for dataclasses."""

    def to_dict(self) -> dict:
        return _encode(self)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict):
        return _decode(cls, data)

    @classmethod
    def from_json(cls, text: str):
        return cls.from_dict(json.loads(text))


def _encode(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not f.metadata.get("transient")}
    if isinstance(obj, dict):
        return {str(k): _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_encode(v) for v in obj]
    return obj


def _decode(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(args[0], data) if len(args) == 1 else data
    if origin in (list, tuple, set):
        (arg, *_) = typing.get_args(tp) or (Any,)
        return [_decode(arg, v) for v in data]
    if origin is dict:
        kt, vt = typing.get_args(tp) or (Any, Any)
        return {k: _decode(vt, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data and not f.metadata.get("transient"):
                kwargs[f.name] = _decode(hints[f.name], data[f.name])
        return tp(**kwargs)
    return data


# --------------------------------------------------------------------------
# Source locations and evidence
# --------------------------------------------------------------------------

@dataclass
class Span(JsonArtifact):
    """A half-open byte range [start, end) of one file, with the 1-based line/col of start."""
    file: str
    start: int
    end: int
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class Evidence(JsonArtifact):
    """Where a fact comes from: a code location and the pass (or model) that found it."""
    file: str
    line: int
    source: str            # pass name, e.g. "source.StateContainerPass", or "llm:gpt-4o"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.source}] {self.detail}".rstrip()


# --------------------------------------------------------------------------
# Chain: the parsed deployment
# --------------------------------------------------------------------------

@dataclass
class Argument(JsonArtifact):
    """One configuration argument as split by Click's cp_argvec (or a VPP option)."""
    text: str                       # raw argument text (whitespace-trimmed)
    keyword: Optional[str] = None   # 'KEYWORD' of 'KEYWORD value', None if positional
    value: str = ""                 # value part (== text for positional)
    span: Optional[Span] = None     # span of the whole argument in its file
    value_span: Optional[Span] = None


@dataclass
class Element(JsonArtifact):
    """A flattened element (Click) or an enabled stateful feature (VPP)."""
    name: str                       # flattened name: 'compound/inner', 'Class@N'
    cls: str                        # element class / VPP feature or plugin name
    args: list[Argument] = field(default_factory=list)
    config: str = ""                # raw configuration string (after define expansion)
    decl_span: Optional[Span] = None    # span of the declaration (name :: Class(config))
    class_span: Optional[Span] = None   # span of the class name token
    config_span: Optional[Span] = None  # span inside the parentheses, None if no '()'
    attrs: dict[str, Any] = field(default_factory=dict)  # frontend-specific extras

    def keyword(self, kw: str) -> Optional[Argument]:
        for a in self.args:
            if a.keyword == kw:
                return a
        return None


@dataclass
class Connection(JsonArtifact):
    src: str
    src_port: int
    dst: str
    dst_port: int
    arrow: str = "->"               # '->', '=>', '~>', '~ip>' ...
    span: Optional[Span] = None


@dataclass
class Diagnostic(JsonArtifact):
    severity: str                   # 'error' | 'warning' | 'note'
    message: str
    span: Optional[Span] = None

    def __str__(self) -> str:
        loc = f"{self.span}: " if self.span else ""
        return f"{loc}{self.severity}: {self.message}"


@dataclass
class Chain(JsonArtifact):
    """A deployment: flattened elements and connections, with source spans.

    For VPP, ``elements`` are the stateful features enabled on interfaces and
    ``deployment`` holds workers, devices and their RSS settings.
    """
    framework: str                  # 'fastclick' | 'vpp'
    path: str
    elements: list[Element] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    deployment: dict[str, Any] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)   # every file read (main + libraries)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    schema: str = SCHEMA_CHAIN

    def element(self, name: str) -> Element:
        for e in self.elements:
            if e.name == name:
                return e
        raise KeyError(name)

    def graph(self):
        """The element graph as a networkx MultiDiGraph (nodes: names, attr 'element')."""
        import networkx as nx
        g = nx.MultiDiGraph()
        for e in self.elements:
            g.add_node(e.name, element=e, cls=e.cls)
        for c in self.connections:
            g.add_edge(c.src, c.dst, src_port=c.src_port, dst_port=c.dst_port, arrow=c.arrow)
        return g

    def classes(self) -> list[str]:
        seen: dict[str, None] = {}
        for e in self.elements:
            seen.setdefault(e.cls, None)
        return list(seen)


# --------------------------------------------------------------------------
# NFUnit: code of one NF, ready for analysis
# --------------------------------------------------------------------------

@dataclass
class NFUnit(JsonArtifact):
    name: str                       # element class / plugin dir / file stem
    framework: str                  # 'fastclick' | 'vpp' | 'dpdk' | 'plain'
    files: list[str] = field(default_factory=list)         # primary sources (.cc/.c)
    headers: list[str] = field(default_factory=list)       # headers of the NF and its bases
    entry_points: list[str] = field(default_factory=list)  # per-packet functions
    compile_flags: list[str] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)         # C++ base classes followed
    instances: list[str] = field(default_factory=list)     # chain elements using it
    digest: str = ""                                       # content digest of all files+flags
    bitcode: Optional[str] = None                          # path once compiled
    ir_status: str = "pending"      # 'ok' | 'unavailable: <why>' | 'pending'
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class NFUnits(JsonArtifact):
    units: list[NFUnit] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)    # classes with no source found
    diagnostics: list[Diagnostic] = field(default_factory=list)
    schema: str = SCHEMA_UNITS


# --------------------------------------------------------------------------
# Facts: what the passes found
# --------------------------------------------------------------------------

# Fact kinds (the vocabulary between passes and fusion):
#   state         {container, type, kind: hashtable|map|array|pool|bihash|rte_hash|counter|other,
#                  per_flow: bool, per_core: bool|None, protection: per-core|lock|atomic|none|None}
#   key_field     {field: one of KEY_FIELDS or an other-key name, container}
#   symmetric     {container}
#   state_write   {container, path: every-packet|per-flow}
#   pointer_field {container, field, type}
#   complexity    {instructions: int}
#   stateless     {reason}          (positive evidence that nothing per-flow is kept)
FACT_KINDS = ("state", "key_field", "symmetric", "state_write", "pointer_field",
              "complexity", "stateless")


@dataclass
class Fact(JsonArtifact):
    kind: str
    value: dict[str, Any]
    evidence: Evidence
    confidence: float = 0.8


@dataclass
class Facts(JsonArtifact):
    nf: str
    facts: list[Fact] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)   # pass group -> 'ok' | 'unavailable: why'
    schema: str = SCHEMA_FACTS

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]


# --------------------------------------------------------------------------
# NFFeatures: the contract between analysis and solver
# --------------------------------------------------------------------------

@dataclass
class NFFeatures(JsonArtifact):
    name: str
    stateful: bool = False
    key: list[str] = field(default_factory=list)
    key_other: list[str] = field(default_factory=list)
    symmetric: bool = False
    intensity: Optional[str] = None          # 'per-packet' | 'per-flow' | None
    pointer: bool = False
    complexity: float = 1.0
    sharing: Optional[str] = None            # 'per-core' | 'thread-safe' | 'unsafe' | None
    # Packet header fields the NF writes (KEY_FIELDS plus other header fields such
    # as 'src_mac', 'ttl'): a NAT's reverse direction arrives translated.
    rewrites: list[str] = field(default_factory=list)
    # True when no source was found or the analysis failed: the solver treats the
    # NF as stateful with an unknown key unless the user declared its features.
    unknown: bool = False
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    framework: str = ""
    digest: str = ""
    schema: str = SCHEMA_FEATURES


@dataclass
class FeatureSet(JsonArtifact):
    nfs: list[NFFeatures] = field(default_factory=list)
    schema: str = SCHEMA_FEATURES

    def by_name(self) -> dict[str, NFFeatures]:
        return {f.name: f for f in self.nfs}


# --------------------------------------------------------------------------
# NIC profile and Plan
# --------------------------------------------------------------------------

@dataclass
class NICProfile(JsonArtifact):
    name: str
    driver: str
    description: str = ""
    key_bytes: int = 40
    reta_size: int = 128
    hash_functions: list[str] = field(default_factory=lambda: ["toeplitz"])
    # Field sets the NIC can hash, each a list of KEY_FIELDS (protocol is implicit in types).
    hashable_field_sets: list[list[str]] = field(default_factory=list)
    field_selection: str = "none"            # 'port' | 'rte_flow' | 'none' (L3/L4_*_ONLY support)
    key_settable: bool = True
    max_queues: int = 64
    notes: list[str] = field(default_factory=list)


@dataclass
class NFPlacement(JsonArtifact):
    element: str                    # chain element name
    cls: str                        # its class
    mode: str                       # 'shared-nothing' | 'shared' | 'stateless'
    stage: int = 0
    reason: str = ""
    # How the mode is realised: 'per-core-code' (the code already keeps per-core
    # state), 'replicate' (one instance per thread in the emitted config),
    # 'thread-safe' (the code or a variant synchronises), 'lock', 'as-is'.
    realisation: str = "as-is"
    realised_class: str = ""        # the class switched to, for realisation 'variant'
    # 'safe' | 'race' | 'needs-both-directions' | 'unknown-features' | ...
    verdict: str = "safe"
    warnings: list[str] = field(default_factory=list)


@dataclass
class Stage(JsonArtifact):
    index: int
    fields: list[str]
    elements: list[str] = field(default_factory=list)
    dispatch: str = "nic"           # 'nic' (RSS) | 'software' (re-dispatch handoff)


@dataclass
class Alternative(JsonArtifact):
    fields: list[str]
    cost: float
    relative_throughput: float
    modes: dict[str, str] = field(default_factory=dict)
    stages: int = 1
    stage_fields: list[list[str]] = field(default_factory=list)   # every stage's fields


@dataclass
class PortDispatch(JsonArtifact):
    """Stage 0 on one ingress device, when the plan gives the devices different fields
    (a LAN and a WAN port: the WAN side hashes the swapped fields so that replies meet
    their requests, or each side the key of the NFs it feeds)."""
    device: str                     # 'port 0' (FastClick PORT), VPP interface ...
    sources: list[str] = field(default_factory=list)     # chain elements reading it
    fields: list[str] = field(default_factory=list)
    hash_input: list[str] = field(default_factory=list)
    rss_types: list[str] = field(default_factory=list)
    rss_key: str = ""
    rss_via: str = ""
    hash_function: str = "toeplitz"


@dataclass
class Plan(JsonArtifact):
    fields: list[str] = field(default_factory=list)        # RSS dispatch fields (stage 0)
    symmetric: bool = False
    hash_function: str = "toeplitz"
    # Fields fed to Toeplitz, in order, for the first stage: e.g. the full
    # ['src_ip','dst_ip','src_port','dst_port'] with a synthesised key, or just
    # ['src_ip'] when the NIC selects fields itself (l3-src-only).
    hash_input: list[str] = field(default_factory=list)
    rss_types: list[str] = field(default_factory=list)     # e.g. ['ipv4', 'l3-src-only']
    rss_key: str = ""                                      # hex, empty = NIC default
    rss_via: str = ""       # how stage 0 is realised: 'port' | 'key' | 'rte_flow' | 'software'
    # Per-device stage 0 when devices differ (the fields above are the first device's);
    # empty when every device dispatches alike.
    ports: list[PortDispatch] = field(default_factory=list)
    reta: list[int] = field(default_factory=list)
    cores: int = 1
    nic: str = "generic"
    placements: list[NFPlacement] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    cost: float = 0.0
    baselines: dict[str, float] = field(default_factory=dict)   # name -> predicted cost
    alternatives: list[Alternative] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schema: str = SCHEMA_PLAN

    def for_device(self, port: "PortDispatch") -> "Plan":
        """The plan as one device sees it: that device's stage-0 fields and RSS."""
        import copy
        view = copy.deepcopy(self)
        view.fields, view.hash_input = list(port.fields), list(port.hash_input)
        view.rss_types, view.rss_key = list(port.rss_types), port.rss_key
        view.rss_via, view.hash_function = port.rss_via, port.hash_function
        view.symmetric, view.ports = False, []
        return view

    def mode_of(self, element: str) -> Optional[str]:
        for p in self.placements:
            if p.element == element:
                return p.mode
        return None
