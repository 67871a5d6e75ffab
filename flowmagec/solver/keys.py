"""RSS key synthesis: Toeplitz keys whose RETA index depends only on chosen fields.

Hash bit b depends on input bit i through key bit ``i + 31 - b`` (see
toeplitz.py).  The NIC picks a queue with the low ``m = log2(RETA size)`` hash
bits, so making the queue ignore an input bit i only needs the m key bits
``i + 32 - m .. i + 31`` to be zero; Maestro instead zeroes all 32, which
leaves so few key bits that clustered traffic lands in one RETA entry.  A
symmetric key needs ``k[i + j] == k[peer(i) + j]`` for the same offsets j.

Within those linear constraints we ask Z3 for a key close to a seeded
random key whose m x m block over the lowest m bits of every chosen field is
invertible over GF(2): then any 2^m consecutive values of a chosen field
(e.g. hosts of one /16) cover every RETA entry equally.  Every key is proven
with a Z3 bit-vector query over all inputs before it is returned.
"""
from __future__ import annotations

import functools
import ipaddress
import random
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import z3
from networkx.utils import UnionFind

from ..errors import AnalysisError
from .toeplitz import (HASH_BITS, LAYOUTS, PEER_FIELD, Flow, InputLayout, ToeplitzTable,
                       layout as get_layout, pack)

KEY_SIZES = (40, 52)
MAX_RETA = 1 << 16


class KeyRequestError(ValueError):
    """The requested key cannot exist (bad field set, RETA size, key length ...)."""


class KeyProofError(AnalysisError):
    """A synthesised key failed its proof (a bug: the constraints are wrong)."""


# --------------------------------------------------------------------------
# The request
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class KeySpec:
    """A validated key request: chosen fields of one hash input, RETA size, symmetry."""
    fields: tuple[str, ...]
    key_bytes: int = 40
    reta_size: int = 128
    symmetric: bool = False
    input: str = "ipv4-l4"

    @property
    def layout(self) -> InputLayout:
        return LAYOUTS[self.input]

    @property
    def index_bits(self) -> int:
        return self.reta_size.bit_length() - 1

    @property
    def excluded(self) -> tuple[str, ...]:
        return tuple(f for f in self.layout.fields if f not in self.fields)


def key_spec(fields: Iterable[str], key_bytes: int = 40, reta_size: int = 128,
             symmetric: bool = False, input: str = "ipv4-l4") -> KeySpec:
    """Validate a request; KeyRequestError says what is wrong and what would work."""
    try:
        lay = get_layout(input)
    except KeyError as e:
        raise KeyRequestError(str(e.args[0])) from None
    wanted = list(dict.fromkeys(fields))
    if not wanted:
        raise KeyRequestError("choose at least one field to dispatch on")
    if "protocol" in wanted:
        raise KeyRequestError("'protocol' is not part of the Toeplitz hash input; "
                              "NICs select it through the RSS type (e.g. ipv4-tcp)")
    outside = [f for f in wanted if f not in lay.fields]
    if outside:
        raise KeyRequestError(f"field(s) {', '.join(outside)} are not in the {lay.name} hash input "
                              f"(it has: {', '.join(lay.fields)})")
    if key_bytes < lay.min_key_bytes:
        raise KeyRequestError(f"a {key_bytes}-byte key is too short for the {lay.name} input "
                              f"(needs at least {lay.min_key_bytes} bytes)")
    if reta_size < 2 or reta_size > MAX_RETA or reta_size & (reta_size - 1):
        raise KeyRequestError(f"RETA size must be a power of two between 2 and {MAX_RETA}, "
                              f"got {reta_size}")
    chosen = tuple(f for f in lay.fields if f in wanted)
    if symmetric:
        missing = [PEER_FIELD[f] for f in chosen if PEER_FIELD[f] not in chosen]
        if missing:
            raise KeyRequestError(
                f"a symmetric key on {', '.join(chosen)} is impossible: a RETA index that "
                f"depends only on them and is equal for both directions would be constant; "
                f"add {', '.join(missing)}")
    return KeySpec(chosen, key_bytes, reta_size, symmetric, input)


def input_names(input) -> tuple[str, ...]:
    """Layout names of ``input``: one name, a comma-separated list, or a sequence."""
    names = input.split(",") if isinstance(input, str) else list(input)
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def key_specs(fields: Iterable[str], key_bytes: int = 40, reta_size: int = 128,
              symmetric: bool = False, input="ipv4-l4") -> tuple[KeySpec, ...]:
    """One KeySpec per hash input a single key must serve (e.g. 'ipv4-l4,ipv6-l4' for
    dual-stack traffic); each input dispatches on the chosen fields it carries."""
    names = input_names(input)
    if len(names) <= 1:
        return (key_spec(fields, key_bytes, reta_size, symmetric, names[0] if names else ""),)
    wanted = list(dict.fromkeys(fields))
    for name in names:
        if name not in LAYOUTS:
            key_spec(wanted, key_bytes, reta_size, symmetric, name)     # raises the message
    carried = {f for name in names for f in LAYOUTS[name].fields}
    outside = [f for f in wanted if f not in carried and f != "protocol"]
    if outside:
        raise KeyRequestError(f"field(s) {', '.join(outside)} are in none of the inputs {', '.join(names)}")
    specs = []
    for name in names:
        part = [f for f in wanted if f in LAYOUTS[name].fields or f == "protocol"]
        if not part:
            raise KeyRequestError(f"the {name} input carries none of {', '.join(wanted)}: all its "
                                  f"packets would reach one RETA entry")
        specs.append(key_spec(part, key_bytes, reta_size, symmetric, name))
    return tuple(specs)


# --------------------------------------------------------------------------
# Linear constraints on key bits
# --------------------------------------------------------------------------

def window_offsets(constrained_hash_bits: int) -> range:
    """Key-window offsets j = 31 - b of the hash bits b < constrained_hash_bits."""
    return range(HASH_BITS - constrained_hash_bits, HASH_BITS)


def zero_key_bits(spec: KeySpec, constrained_hash_bits: int) -> set[int]:
    """Key bits that must be 0 so the constrained hash bits ignore excluded fields."""
    lay = spec.layout
    return {i + j for f in spec.excluded for i in lay.bit_range(f)
            for j in window_offsets(constrained_hash_bits)}


def equal_key_bits(spec: KeySpec, constrained_hash_bits: int) -> set[tuple[int, int]]:
    """Pairs of key bits that must be equal so the constrained hash bits are symmetric."""
    if not spec.symmetric:
        return set()
    lay = spec.layout
    pairs = set()
    for i in range(lay.bits):
        p = lay.peer_bit(i)
        if i < p:
            pairs.update((i + j, p + j) for j in window_offsets(constrained_hash_bits))
    return pairs


def low_block(spec: KeySpec, f: str, width: Optional[int] = None) -> list[list[int]]:
    """Key-bit indices A[b][u]: the key bit through which input bit u of field f's lowest
    ``width`` bits (default m) reaches RETA index bit b."""
    m = spec.index_bits
    lowest = spec.layout.bit_range(f)[-(width or m):]
    return [[i + HASH_BITS - 1 - b for i in lowest] for b in range(m)]


def index_map(spec: KeySpec) -> list[list[int]]:
    """Key-bit indices of the whole RETA index map: row b over every chosen input bit."""
    per_field = [low_block(spec, f, spec.layout.width(f)) for f in spec.fields]
    return [sum((block[b] for block in per_field), []) for b in range(spec.index_bits)]


def gf2_rank(rows: Sequence[Sequence[int]]) -> int:
    """Rank over GF(2) of a 0/1 matrix."""
    vecs = [int("".join(str(int(x)) for x in r), 2) for r in rows]
    rank = 0
    while vecs:
        pivot = max(vecs)
        vecs.remove(pivot)
        if pivot == 0:
            continue
        rank += 1
        top = pivot.bit_length() - 1
        vecs = [v ^ pivot if (v >> top) & 1 else v for v in vecs]
    return rank


def key_bits(key: bytes) -> list[int]:
    n = int.from_bytes(key, "big")
    total = len(key) * 8
    return [(n >> (total - 1 - i)) & 1 for i in range(total)]


# --------------------------------------------------------------------------
# Synthesis (Z3: invertible low blocks under the linear constraints, close to a random key)
# --------------------------------------------------------------------------

def _xor_all(terms):
    return functools.reduce(z3.Xor, terms) if terms else z3.BoolVal(False)


def _right_invertible(solver: z3.Solver, a: list[list], name: str) -> None:
    """Assert that Boolean matrix ``a`` (m x n, n >= m) has full row rank m over GF(2),
    i.e. a right inverse B with A.B = I exists (for a square block: A is invertible)."""
    m, n = len(a), len(a[0])
    inv = [[z3.Bool(f"{name}_{r}_{c}") for c in range(m)] for r in range(n)]
    for r in range(m):
        for c in range(m):
            prod = _xor_all([z3.And(a[r][t], inv[t][c]) for t in range(n)])
            solver.add(prod if r == c else z3.Not(prod))


def _spread_matrices(spec: KeySpec, spread: str) -> list[list[list[int]]]:
    """Key-bit index matrices that must have full rank m.

    'low-blocks': per chosen field, the m x m block over its lowest m bits (clustered
    traffic spreads); 'rank': the whole index map (every entry is reachable);
    'none': no requirement."""
    if spread == "low-blocks":
        return [low_block(spec, f) for f in spec.fields]
    if spread == "rank":
        return [index_map(spec)]
    return []


def _solve_key(specs: tuple[KeySpec, ...], constrained_hash_bits: int, spread: str, seed: int) -> bytes:
    """A key close to a seeded random key that meets the linear constraints and the
    ``spread`` rank requirement.  Key bits forced equal form one class;
    only classes that appear in a rank requirement (``_spread_matrices``) are left to Z3,
    the rest take the random value."""
    nbits = specs[0].key_bytes * 8
    target = random.Random(seed).getrandbits(nbits)
    target_bit = lambda n: (target >> (nbits - 1 - n)) & 1   # noqa: E731
    classes = UnionFind(range(nbits))
    for spec in specs:
        for a, b in equal_key_bits(spec, constrained_hash_bits):
            classes.union(a, b)
    zero = {classes[n] for spec in specs for n in zero_key_bits(spec, constrained_hash_bits)}
    blocks = [block for spec in specs for block in _spread_matrices(spec, spread)]
    free = {classes[n] for block in blocks for row in block for n in row} - zero
    var = {root: z3.Bool(f"k{root}") for root in sorted(free)}

    def symbolic(n):
        root = classes[n]
        return z3.BoolVal(False) if root in zero else var[root]

    solver = z3.Solver()
    solver.set("timeout", 60_000)
    for number, block in enumerate(blocks):
        _right_invertible(solver, [[symbolic(n) for n in row] for row in block], f"inv{number}")
    model = _closest_model(solver, {root: v if target_bit(root) else z3.Not(v)
                                    for root, v in var.items()}, specs)
    value = 0
    for n in range(nbits):
        root = classes[n]
        if root in zero:
            bit = 0
        elif root in var:
            bit = int(z3.is_true(model.eval(var[root], model_completion=True)))
        else:
            bit = target_bit(root)
        value = (value << 1) | bit
    return value.to_bytes(specs[0].key_bytes, "big")


def _closest_model(solver: z3.Solver, wishes: dict, specs: tuple[KeySpec, ...]) -> z3.ModelRef:
    """A model keeping as many ``wishes`` (literals) as the core-guided greedy loop can:
    assume them all, and drop one wish from each unsat core until the rest is satisfiable."""
    wishes = dict(wishes)
    while True:
        verdict = solver.check(*wishes.values())
        if verdict == z3.sat:
            return solver.model()
        core = {c.sexpr() for c in solver.unsat_core()} if verdict == z3.unsat else set()
        if not core:
            raise KeyRequestError(_no_key_message(specs, solver.reason_unknown()))
        drop = max(k for k, lit in wishes.items() if lit.sexpr() in core)
        del wishes[drop]


def _no_key_message(specs: tuple[KeySpec, ...], unknown: str) -> str:
    spec = specs[0]
    what = (f"no key makes the RETA index (RETA {spec.reta_size}) depend only on "
            f"{', '.join(dict.fromkeys(f for s in specs for f in s.fields))}"
            f"{' symmetrically' if spec.symmetric else ''} and spread it")
    if unknown and unknown != "unknown":
        return f"{what} ({unknown})"
    if len(specs) > 1:
        return (f"{what} for all of {', '.join(s.input for s in specs)}: their constraints zero "
                f"the same key bits; use field selection (port or rte_flow) or one key per input")
    return f"{what} on {spec.input}"


# --------------------------------------------------------------------------
# Proof (Z3 bit-vectors over all inputs)
# --------------------------------------------------------------------------

@dataclass
class PropertyResult:
    name: str
    holds: bool
    detail: str = ""
    counterexample: Optional[dict] = None
    input: str = ""                            # the hash input layout it was proven for


@dataclass
class ProofResult:
    """Outcome of proving a key: every property with its verdict; ``holds`` iff all hold."""
    key: str                                   # hex
    spec: dict
    properties: list[PropertyResult] = field(default_factory=list)
    seconds: float = 0.0
    prover: str = f"z3 {z3.get_version_string()}"

    @property
    def holds(self) -> bool:
        return all(p.holds for p in self.properties)

    def failed(self) -> list[PropertyResult]:
        return [p for p in self.properties if not p.holds]

    def to_dict(self) -> dict:
        return {"holds": self.holds, "key": self.key, "spec": self.spec,
                "prover": self.prover, "seconds": round(self.seconds, 4),
                "properties": [vars(p) for p in self.properties]}


def _reta_index_expr(key: bytes, lay: InputLayout, x: z3.BitVecRef, m: int) -> z3.BitVecRef:
    """Low m bits of the Toeplitz hash of symbolic input x (bit 0 of the input = MSB of x)."""
    n = lay.bits
    kb = key_bits(key)
    idx = z3.BitVecVal(0, m)
    for i in range(n):
        window = 0
        for b in range(m):
            window |= kb[i + HASH_BITS - 1 - b] << b
        if window:
            bit = z3.Extract(n - 1 - i, n - 1 - i, x)
            idx = idx ^ z3.If(bit == 1, z3.BitVecVal(window, m), z3.BitVecVal(0, m))
    return idx


def _field_bits(lay: InputLayout, x: z3.BitVecRef, f: str) -> z3.BitVecRef:
    r = lay.bit_range(f)
    return z3.Extract(lay.bits - 1 - r.start, lay.bits - r.stop, x)


def _swap(lay: InputLayout, x: z3.BitVecRef) -> z3.BitVecRef:
    return z3.Concat(*[_field_bits(lay, x, PEER_FIELD[f]) for f in lay.fields])


def _decode(lay: InputLayout, model: z3.ModelRef, x: z3.BitVecRef) -> dict:
    """A model's value of symbolic input x as readable packet fields."""
    v = model.eval(x, model_completion=True).as_long()
    out = {}
    for f in lay.fields:
        r = lay.bit_range(f)
        val = (v >> (lay.bits - r.stop)) & ((1 << len(r)) - 1)
        if f.endswith("_ip"):
            val = str(ipaddress.IPv4Address(val) if lay.family == "ipv4" else ipaddress.IPv6Address(val))
        out[f] = val
    return out


def _check_unsat(claim_violation, lay, xs) -> tuple[bool, Optional[dict]]:
    s = z3.Solver()
    s.set("timeout", 60_000)
    s.add(claim_violation)
    verdict = s.check()
    if verdict == z3.unsat:
        return True, None
    if verdict == z3.sat:
        m = s.model()
        return False, {name: _decode(lay, m, x) for name, x in xs.items()}
    return False, {"unknown": s.reason_unknown()}


def prove_key(key: bytes, fields, reta_size: int = 128, symmetric: bool = False,
              input="ipv4-l4") -> ProofResult:
    """Prove (for all packets) that the RETA index of ``key`` ignores the excluded fields,
    is direction-independent when ``symmetric``, and reaches every RETA entry; with
    several inputs ('ipv4-l4,ipv6-l4'), for each of them."""
    specs = key_specs(fields, len(key), reta_size, symmetric, input)
    start = time.perf_counter()
    result = ProofResult(key=key.hex(), spec={
        "fields": list(dict.fromkeys(f for s in specs for f in s.fields)), "reta_size": reta_size,
        "symmetric": symmetric, "input": ",".join(s.input for s in specs), "key_bytes": len(key)})
    for spec in specs:
        for prop in _prove_one(key, spec):
            prop.input = spec.input
            result.properties.append(prop)
    result.seconds = time.perf_counter() - start
    return result


def _prove_one(key: bytes, spec: KeySpec) -> list[PropertyResult]:
    lay, m = spec.layout, spec.index_bits
    properties = []
    x, y = z3.BitVec("x", lay.bits), z3.BitVec("y", lay.bits)
    ix = _reta_index_expr(key, lay, x, m)
    if spec.excluded:
        same_chosen = z3.And(*[_field_bits(lay, x, f) == _field_bits(lay, y, f) for f in spec.fields])
        ok, cex = _check_unsat(z3.And(same_chosen, ix != _reta_index_expr(key, lay, y, m)), lay,
                               {"packet_a": x, "packet_b": y})
        properties.append(PropertyResult(
            "independent", ok, f"RETA index ignores {', '.join(spec.excluded)}", cex))
    if spec.symmetric:
        ok, cex = _check_unsat(ix != _reta_index_expr(key, lay, _swap(lay, x), m), lay, {"packet": x})
        properties.append(PropertyResult(
            "symmetric", ok, "both directions of a flow get the same RETA index", cex))
    properties.append(_reach_property(key, spec))
    return properties


def _reach_property(key: bytes, spec: KeySpec) -> PropertyResult:
    """The index, as a GF(2)-linear map of the chosen input bits, has full rank m: every
    entry is reachable and uniform traffic spreads uniformly (exact linear algebra)."""
    kb = key_bits(key)
    rank = gf2_rank([[kb[n] for n in row] for row in index_map(spec)])
    m = spec.index_bits
    return PropertyResult("reaches_all_entries", rank == m,
                          f"index map over the chosen fields has GF(2) rank {rank} of {m}")


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------

@dataclass
class SynthesisResult:
    key: bytes
    proof: ProofResult
    seconds: float          # synthesis only (the proof has its own time)


@functools.lru_cache(maxsize=256)
def _synthesize_cached(specs: tuple[KeySpec, ...], seed: int, maestro: bool) -> SynthesisResult:
    start = time.perf_counter()
    if maestro:
        key = _maestro_key(specs, seed)
    else:
        key = _solve_key(specs, specs[0].index_bits, "low-blocks", seed)
    seconds = time.perf_counter() - start
    spec = specs[0]
    proof = prove_key(key, [f for s in specs for f in s.fields], spec.reta_size, spec.symmetric,
                      [s.input for s in specs])
    # A Maestro-style key may legitimately be degenerate (that is the lesson), but it
    # must still be correct: independent of excluded fields and symmetric when asked.
    must_hold = [p for p in proof.failed() if not (maestro and p.name == "reaches_all_entries")]
    if must_hold:
        bad = "; ".join(f"{p.name}: {p.detail} (counterexample {p.counterexample})"
                        for p in must_hold)
        raise KeyProofError(f"synthesised key {key.hex()} failed its proof: {bad}")
    return SynthesisResult(key, proof, seconds)


def _maestro_key(specs: tuple[KeySpec, ...], seed: int) -> bytes:
    """All 32 hash bits constrained; full-rank index when such a key exists (a fair
    baseline), else whatever the constraints leave (possibly a constant index)."""
    try:
        return _solve_key(specs, HASH_BITS, "rank", seed)
    except KeyRequestError:
        return _solve_key(specs, HASH_BITS, "none", seed)


def synthesize(fields, key_bytes: int = 40, reta_size: int = 128, symmetric: bool = False,
               input="ipv4-l4", seed: int = 0) -> SynthesisResult:
    """Synthesise and prove a key; returns the key with its proof and timing.
    ``input`` may name several layouts ('ipv4-l4,ipv6-l4') that the one key must serve."""
    return _synthesize_cached(key_specs(fields, key_bytes, reta_size, symmetric, input), seed, False)


def synthesize_key(fields, key_bytes: int = 40, reta_size: int = 128, symmetric: bool = False,
                   input="ipv4-l4", seed: int = 0) -> bytes:
    """A proven key whose RETA index (low log2(reta_size) bits) depends only on ``fields``."""
    return synthesize(fields, key_bytes, reta_size, symmetric, input, seed).key


def maestro_style_key(fields, key_bytes: int = 40, reta_size: int = 128, symmetric: bool = False,
                      input="ipv4-l4", seed: int = 0) -> bytes:
    """Baseline as Maestro builds keys: all 32 hash bits ignore the excluded fields."""
    return _synthesize_cached(key_specs(fields, key_bytes, reta_size, symmetric, input),
                              seed, True).key


# --------------------------------------------------------------------------
# Measured spread on synthetic traffic
# --------------------------------------------------------------------------

def reta_indices(key: bytes, traffic: Iterable[Flow], reta_size: int,
                 fields: Optional[Sequence[str]] = None, input: str = "ipv4-l4") -> list[int]:
    """RETA index of each flow; ``fields`` = the hash input fields the NIC feeds (default all)."""
    lay = get_layout(input)
    chosen = lay.fields if fields is None else [f for f in lay.fields if f in set(fields)]
    table = ToeplitzTable(key, sum(lay.width(f) for f in chosen) // 8)
    mask = reta_size - 1
    return [table.hash(pack(lay, fl, chosen)) & mask for fl in traffic]


def reta_spread(key: bytes, traffic: Iterable[Flow], reta_size: int,
                fields: Optional[Sequence[str]] = None, input: str = "ipv4-l4") -> float:
    """Fraction of RETA entries hit by ``traffic``."""
    return len(set(reta_indices(key, traffic, reta_size, fields, input))) / reta_size


def uniform_traffic(n: int, input: str = "ipv4-l4", seed: int = 1) -> list[Flow]:
    lay = get_layout(input)
    rng = random.Random(seed)
    a = lay.address_bits
    return [Flow(rng.getrandbits(a), rng.getrandbits(a), rng.getrandbits(16), rng.getrandbits(16))
            for _ in range(n)]


def clustered_traffic(n: int, vary: str, fixed: Iterable[str] = (), input: str = "ipv4-l4",
                      varying_bits: int = 16, seed: int = 1) -> list[Flow]:
    """Flows whose ``vary`` field differs only in its low ``varying_bits`` bits (one /16 for
    IPv4 sources), ``fixed`` fields constant, every other field random."""
    lay = get_layout(input)
    rng = random.Random(seed)
    base = {f: rng.getrandbits(lay.width(f)) for f in lay.fields}
    width = lay.width(vary)
    prefix = base[vary] >> varying_bits << varying_bits if varying_bits < width else 0
    fixed = set(fixed)
    flows = []
    for _ in range(n):
        v = {f: base[f] if f in fixed else rng.getrandbits(lay.width(f)) for f in lay.fields}
        v[vary] = prefix | rng.getrandbits(min(varying_bits, width))
        flows.append(Flow(v["src_ip"], v["dst_ip"], v.get("src_port", 0), v.get("dst_port", 0)))
    return flows


def spread_report(key: bytes, specs, samples_per_entry: int = 16, seed: int = 1) -> dict:
    """Spread for uniform traffic and, per chosen field, for traffic clustered in that field
    (low 16 bits varying; the other chosen fields fixed, excluded fields random).  With
    several inputs, each entry's name is prefixed with its input ('ipv6-l4:uniform')."""
    specs = (specs,) if isinstance(specs, KeySpec) else tuple(specs)
    report = {}
    for spec in specs:
        prefix = f"{spec.input}:" if len(specs) > 1 else ""
        n = samples_per_entry * spec.reta_size
        report[f"{prefix}uniform"] = reta_spread(key, uniform_traffic(n, spec.input, seed),
                                                 spec.reta_size, input=spec.input)
        for f in spec.fields:
            others = [g for g in spec.fields if g != f]
            traffic = clustered_traffic(n, f, others, spec.input, seed=seed)
            report[f"{prefix}clustered_{f}"] = reta_spread(key, traffic, spec.reta_size, input=spec.input)
    return report
