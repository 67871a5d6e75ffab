"""How a NIC realises RSS dispatch on a field set (used by the solver and the emitters).

Strategy, first that applies (restricted to the caller's ``mechanisms``):
  1. ``port``: the NIC hashes the set at port level: the standard 2-tuple or
     4-tuple types, or any set with an L3 field on NICs with port-level
     L3/L4_SRC/DST_ONLY selection (mlx5).  A symmetric request adds a
     symmetric key (or cannot use this step when the key is fixed).
  2. ``key``: standard 4-tuple types with a synthesised key whose RETA index
     depends only on the fields (keys.py), when the key is settable.
  3. ``rte_flow``: an rte_flow RSS action with *_ONLY selection (i40e, ice);
     symmetric through the ``symmetric_toeplitz`` function.
  4. ``software``: the NIC cannot do it; dispatch in software (FastClick
     RSSHashSwitch / VPP handoff), which costs a core hop per packet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Optional

from ..artifacts import NICProfile
from .keys import KeyRequestError, ProofResult, input_names, synthesize
from .toeplitz import INPUT_ORDER, LAYOUTS, PEER_FIELD

MECHANISMS = ("port", "key", "rte_flow", "software")

# testpmd / VPP / rte_flow RSS type words -> DPDK rss_hf flag names (DPDK 22.11 rte_ethdev.h).
RSS_TYPE_FLAGS = {
    "ipv4": "RTE_ETH_RSS_IPV4",
    "ipv4-tcp": "RTE_ETH_RSS_NONFRAG_IPV4_TCP",
    "ipv4-udp": "RTE_ETH_RSS_NONFRAG_IPV4_UDP",
    "ipv6": "RTE_ETH_RSS_IPV6",
    "ipv6-tcp": "RTE_ETH_RSS_NONFRAG_IPV6_TCP",
    "ipv6-udp": "RTE_ETH_RSS_NONFRAG_IPV6_UDP",
    "l3-src-only": "RTE_ETH_RSS_L3_SRC_ONLY",
    "l3-dst-only": "RTE_ETH_RSS_L3_DST_ONLY",
    "l4-src-only": "RTE_ETH_RSS_L4_SRC_ONLY",
    "l4-dst-only": "RTE_ETH_RSS_L4_DST_ONLY",
}

L3 = ("src_ip", "dst_ip")
L4 = ("src_port", "dst_port")


@dataclass
class RssRealisation:
    """One way to make a NIC dispatch on ``fields``; ``feasible`` False says why not."""
    fields: list[str]
    nic: str
    via: str                                  # 'port' | 'rte_flow' | 'key' | 'software'
    feasible: bool
    why: str
    hash_input: list[str] = field(default_factory=list)    # fields fed to Toeplitz, in order
    rss_types: list[str] = field(default_factory=list)     # testpmd / VPP words
    rss_hf: list[str] = field(default_factory=list)        # DPDK flag names
    key: Optional[bytes] = None                            # None: keep the NIC's default key
    hash_function: str = "toeplitz"
    symmetric: bool = False
    reta_size: int = 128
    input: str = "ipv4-l4"                      # hash input layout(s) of ``key``, comma-separated
    proof: Optional[ProofResult] = None

    @property
    def key_hex(self) -> str:
        return self.key.hex() if self.key else ""

    def plan_fields(self) -> dict:
        """The Plan artifact's RSS fields (hash_function, hash_input, rss_types, rss_key, symmetric)."""
        return {"hash_function": self.hash_function, "hash_input": list(self.hash_input),
                "rss_types": list(self.rss_types), "rss_key": self.key_hex,
                "symmetric": self.symmetric}

    def to_dict(self) -> dict:
        d = {k: v for k, v in vars(self).items() if k not in ("key", "proof")}
        d["key"] = self.key_hex
        d["proof"] = self.proof.to_dict() if self.proof else None
        return d


@dataclass
class _Choice:
    """The mechanism picked for a field set, before any key is synthesised."""
    via: str
    why: str
    hash_input: list[str]
    rss_types: list[str]
    hash_function: str = "toeplitz"
    key_fields: Optional[list[str]] = None    # synthesise a key over these (None: no key)
    key_input: str = ""


def _types(families: list[str], fields: list[str], select: bool) -> list[str]:
    """RSS types hashing ``fields``: each family's L3 type, its TCP/UDP types when ports are
    hashed, and *_ONLY words when ``select`` and only one side of a level is wanted."""
    types = []
    for family in families:
        types.append(family)
        if any(f in fields for f in L4):
            types += [f"{family}-tcp", f"{family}-udp"]
    if select:
        for level, (src, dst) in (("l3", L3), ("l4", L4)):
            if (src in fields) != (dst in fields):
                types.append(f"{level}-{'src' if src in fields else 'dst'}-only")
    return types


def _validate(fields: list[str], symmetric: bool) -> Optional[str]:
    if not fields:
        return "no dispatch fields chosen"
    if "protocol" in fields:
        return "'protocol' is not part of the Toeplitz input; NICs cannot dispatch on it"
    unknown = [f for f in fields if f not in INPUT_ORDER]
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    if symmetric:
        missing = [PEER_FIELD[f] for f in fields if PEER_FIELD[f] not in fields]
        if missing:
            return (f"symmetric dispatch on {', '.join(fields)} is impossible without "
                    f"{', '.join(missing)} (the queue would have to be constant)")
    return None


def _ordered(fields) -> list[str]:
    """Fields in canonical order (unknown names kept at the end, for the error message)."""
    known = ("protocol",) + INPUT_ORDER
    wanted = list(dict.fromkeys(fields))
    return [f for f in INPUT_ORDER + ("protocol",) if f in wanted] + [f for f in wanted if f not in known]


def _in_sets(fields: list[str], sets: Iterable[Iterable[str]]) -> bool:
    return any(set(fields) == set(s) for s in sets)


def _candidates(fields: list[str], nic: NICProfile, symmetric: bool, families: list[str],
                mechanisms: tuple[str, ...]) -> list[_Choice]:
    """The mechanisms that could realise ``fields``, best first (keys not yet synthesised)."""
    standard = [list(L3), list(INPUT_ORDER)]
    hw_sets = nic.hashable_field_sets or standard
    can_key = "key" in mechanisms and nic.key_settable
    found = []
    # 1. port level: standard types, or port-level *_ONLY selection
    native = _in_sets(fields, standard)
    if "port" in mechanisms and _in_sets(fields, hw_sets) and (native or nic.field_selection == "port"):
        types = _types(families, fields, select=not native)
        how = "the NIC hashes these fields at port level" + ("" if native else " (L3/L4 *_ONLY selection)")
        if not symmetric:
            found.append(_Choice("port", how, fields, types))
        elif can_key:
            selected = [f if set(fields) <= set(L3) else f"{f}-l4" for f in families]
            found.append(_Choice("port", f"{how}; a symmetric key makes both directions hash alike",
                                 fields, types, key_fields=fields, key_input=",".join(selected)))
    # 2. a synthesised key over the full input
    if can_key:
        found.append(_Choice("key", f"standard {'/'.join(families)} TCP/UDP hashing with a synthesised "
                             f"key whose RETA index depends only on {', '.join(fields)}",
                             list(INPUT_ORDER), _types(families, INPUT_ORDER, select=False),
                             key_fields=fields, key_input=",".join(f"{f}-l4" for f in families)))
    # 3. rte_flow RSS action with field selection (and the symmetric function)
    if ("rte_flow" in mechanisms and nic.field_selection in ("rte_flow", "port")
            and _in_sets(fields, hw_sets)
            and (not symmetric or "symmetric_toeplitz" in nic.hash_functions)):
        found.append(_Choice("rte_flow", "an rte_flow RSS action selects these fields" +
                             (" with the symmetric_toeplitz function" if symmetric else ""),
                             fields, _types(families, fields, select=True),
                             "symmetric_toeplitz" if symmetric else "toeplitz"))
    # 4. software
    reasons = _why_not_hardware(fields, nic, symmetric, mechanisms, hw_sets)
    if "software" in mechanisms:
        found.append(_Choice("software", f"{reasons}; dispatch in software", [], []))
    return found or [_Choice("", reasons, [], [])]


def _why_not_hardware(fields, nic: NICProfile, symmetric: bool, mechanisms, hw_sets) -> str:
    """Why steps 1-3 failed, in a sentence."""
    what = f"{nic.name} cannot dispatch on {', '.join(fields)}{' symmetrically' if symmetric else ''}"
    reasons = []
    if not _in_sets(fields, hw_sets):
        reasons.append("its hardware does not hash this field set")
    elif nic.field_selection == "none" and not _in_sets(fields, [list(L3), list(INPUT_ORDER)]):
        reasons.append("it has no L3/L4 *_ONLY field selection")
    elif nic.field_selection == "rte_flow" and "rte_flow" not in mechanisms:
        reasons.append("its field selection needs rte_flow, which is not available here")
    if symmetric and "symmetric_toeplitz" not in nic.hash_functions:
        reasons.append("it has no symmetric_toeplitz function")
    if not nic.key_settable:
        reasons.append("its key is fixed")
    elif "key" not in mechanisms:
        reasons.append("setting a key is not available here")
    return f"{what}: {'; '.join(reasons) or 'no allowed mechanism'}"


def _families(input) -> tuple[list[str], Optional[str]]:
    """Address families of the hash inputs, or an error message."""
    names = input_names(input)
    unknown = [n for n in names if n not in LAYOUTS]
    if not names or unknown:
        return [], f"unknown hash input '{input}' (known: {', '.join(LAYOUTS)})"
    return list(dict.fromkeys(LAYOUTS[n].family for n in names)), None


def _try(choice: _Choice, nic: NICProfile, reta: int, symmetric: bool, seed: int):
    """Synthesise the key a choice needs: (SynthesisResult or None, error text or None)."""
    if choice.key_fields is None:
        return None, None
    try:
        return synthesize(choice.key_fields, nic.key_bytes, reta, symmetric, choice.key_input, seed), None
    except KeyRequestError as e:
        return None, str(e)


def realise(fields, nic: NICProfile, symmetric: bool = False, reta_size: Optional[int] = None,
            input="ipv4-l4", mechanisms: Iterable[str] = MECHANISMS,
            seed: int = 0) -> RssRealisation:
    """How ``nic`` dispatches on ``fields``: RSS types, flags, key and mechanism.

    ``input`` names the traffic's hash inputs: 'ipv4-l4' (default), 'ipv6-l4', or both
    ('ipv4-l4,ipv6-l4') for dual-stack traffic that one key must serve.
    ``mechanisms`` lets a caller exclude what its framework cannot configure
    (e.g. VPP's dpdk plugin never sets a key: pass ('port', 'rte_flow', 'software')).
    """
    fields = _ordered(fields)
    reta = reta_size or nic.reta_size
    input = ",".join(input_names(input))
    result = RssRealisation(fields=fields, nic=nic.name, via="", feasible=False, why="",
                            symmetric=symmetric, reta_size=reta, input=input)
    families, problem = _families(input)
    problem = _validate(fields, symmetric) or problem
    if problem:
        result.why = problem
        return result
    failures = []
    for choice in _candidates(fields, nic, symmetric, families, tuple(mechanisms)):
        synthesis, error = _try(choice, nic, reta, symmetric, seed)
        if error:
            failures.append(error)
            continue
        result.via, result.feasible = choice.via, bool(choice.via)
        result.why = "; ".join(failures + [choice.why])
        result.hash_input, result.rss_types = choice.hash_input, choice.rss_types
        result.rss_hf = [RSS_TYPE_FLAGS[t] for t in choice.rss_types]
        result.hash_function = choice.hash_function
        if synthesis:
            result.key, result.proof, result.input = synthesis.key, synthesis.proof, choice.key_input
        return result
    result.why = "; ".join(failures)
    return result


def hashable(fields, nic: NICProfile, symmetric: bool = False, input="ipv4-l4",
             mechanisms: Iterable[str] = ("port", "key", "rte_flow")) -> bool:
    """True if the NIC itself (no software dispatch) can dispatch on exactly ``fields``.

    Cheap for one input (a key exists for every field set there); with several inputs
    a key may not exist, so the key is synthesised (cached) to find out."""
    fields = _ordered(fields)
    families, problem = _families(input)
    if _validate(fields, symmetric) or problem:
        return False
    several = len(input_names(input)) > 1
    for choice in _candidates(fields, nic, symmetric, families, tuple(mechanisms)):
        if choice.via in ("", "software"):
            continue
        if choice.key_fields is None or not several:
            return True
        if _try(choice, nic, nic.reta_size, symmetric, 0)[1] is None:
            return True
    return False


def hashable_field_sets(nic: NICProfile, symmetric: bool = False, input="ipv4-l4",
                        mechanisms: Iterable[str] = ("port", "key", "rte_flow")) -> list[list[str]]:
    """Every non-empty subset of the Toeplitz fields the NIC can dispatch on (the solver's domain)."""
    mechs = tuple(mechanisms)
    return [list(c) for n in range(1, len(INPUT_ORDER) + 1) for c in combinations(INPUT_ORDER, n)
            if hashable(c, nic, symmetric, input, mechs)]
