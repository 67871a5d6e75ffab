"""VPP emitter: apply a Plan to the user's startup.conf and exec script.

Edits go through the frontend's span-preserving ``VppDocument`` / ``VppScript``;
nothing else in the user's files changes, and the user's script is never
overwritten (a copy with the added lines is written next to the output and
``unix { exec }`` points at it).

No edit when the devices' RSS (``dpdk { dev … { rss { } } }``, else the dpdk
plugin's IP|UDP|TCP default) already is the plan's dispatch and workers and
queues match (``plan_changes_config``).  RSS types and flow rules cover IPv6
only when IPv6 traffic was asked for (``wants_ipv6``).  ``stock_placements`` is
what VPP runs without flowmagec (per-worker state, handoff where a plugin hands
off): the baseline a plan is compared with.

What goes where (first that applies), see ``dispatch_commands``:

* the dpdk plugin can express the dispatch (port-level RSS types, with
  ``l3-src-only`` etc. on NICs that select fields per port):
  ``cpu { workers N }``, ``dev … { num-rx-queues N  rss { … } }``;
* the NIC selects fields only through rte_flow: ``flow add … rss function …
  rss types T use S … rss queues 0 to N-1`` + ``flow enable`` per interface
  (``test flow`` before v26.06);
* the NIC cannot (the plan needs a key VPP cannot set, or a field set the NIC
  cannot hash): ``soft-rss config IF type … [rss-key …]`` + ``soft-rss enable``
  (v26.02+), else ``set interface handoff IF workers … [symmetrical]`` when the
  handoff hash (IP pair + protocol) only uses plan fields;
* otherwise a warning: VPP cannot realise the plan.

Plugins that hand packets to the owning worker themselves (NAT44-ED/EI,
reassembly, IPsec, policers) are left alone: the notes say so.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from ..artifacts import Chain, FeatureSet, Plan, canonical_fields
from ..errors import InputError
from ..frontends.vpp import VppDocument, VppScript, format_bitmap_list
from ..solver import nic_profiles
from ..solver.rss import RssRealisation, realise

# VPP releases are YY.MM.  The flow CLI gained RSS actions in v20.09 (24e2c50,
# "flow: add RSS support") and `rss queues A to B` in v22.10 (b95e6d4); it was
# `test flow` until v26.06 (53f9685, "flow: rename cli").  The soft-rss plugin
# first shipped in v26.02.
FLOW_RSS_SINCE = (20, 9)
FLOW_RSS_QUEUES_SINCE = (22, 10)
FLOW_CLI_RENAMED = (26, 6)
SOFT_RSS_SINCE = (26, 2)
LATEST_KNOWN = (26, 6)

# The DPDK plugin only configures port-level rss_hf; it never sets a key.
DPDK_PLUGIN_MECHANISMS = ("port",)

# What a device hashes when startup.conf gives no ``rss { }``: the dpdk plugin's
# default_port_conf.rss_hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP
# (src/plugins/dpdk/device/init.c), with the driver's key; ``dev default { rss }``
# applies to every device without its own.  RSS only with num-rx-queues > 1.
STOCK_RSS_WORDS = ("ipv4", "ipv4-tcp", "ipv4-udp", "ipv6", "ipv6-tcp", "ipv6-udp")
STOCK_RSS_WHERE = "src/plugins/dpdk/device/init.c: rss_hf = IP | UDP | TCP, driver key"
NO_EDITS = "plan equals the current configuration: no edits"
RTE_FLOW_MECHANISMS = ("rte_flow",)

# soft-rss hash types and the fields each one hashes (plugins/soft-rss/export.h).
SOFT_RSS_TYPES = (("4-tuple", {"src_ip", "dst_ip", "src_port", "dst_port"}),
                  ("2-tuple", {"src_ip", "dst_ip"}),
                  ("src-ip", {"src_ip"}), ("dst-ip", {"dst_ip"}))

# Worker handoff hashes the IP address pair and the protocol (vnet/hash/handoff_eth.c).
HANDOFF_FIELDS = {"src_ip", "dst_ip", "protocol"}

# A Toeplitz key with a 16-bit period: swapping source and destination (addresses
# or ports) leaves the hash unchanged, so both directions of a flow meet.
SYMMETRIC_KEY = "6d5a" * 20

# Without a source tree: features known to hand packets to their owning worker
# (documented VPP behaviour; with --src it is read from the code instead).
DOCUMENTED_HANDOFF = {"nat44": "nat44-ed worker handoff (in2out by source, out2in by port)",
                      "nat44-ei": "nat44-ei worker handoff", "nat64": "nat64 worker handoff",
                      "ip-reassembly": "reassembly owner-thread handoff",
                      "ipsec": "IPsec SA thread handoff", "policer": "policer thread handoff"}
HANDOFF_CALL = re.compile(r"\bvlib_buffer_enqueue_to_thread\s*\(")


def parse_version(text: Optional[str]) -> tuple[int, int]:
    """'25.10' / 'v26.02' / '26.02-rc1' -> (25, 10); None -> the latest release we know."""
    if not text:
        return LATEST_KNOWN
    m = re.match(r"v?(\d+)\.(\d+)", text.strip())
    if not m:
        raise InputError(f"bad VPP version '{text}'", expected="YY.MM, e.g. 25.10")
    return int(m.group(1)), int(m.group(2))


@dataclass
class VppEmission:
    startup: Optional[str]                     # new startup.conf text (None: CLI-only input)
    script: Optional[str]                      # new exec script text (None: unchanged)
    script_ref: Optional[str] = None           # how the new startup.conf names the script
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mechanism: str = ""                        # 'port' | 'rte_flow' | 'soft-rss' | 'handoff' | ''


# --------------------------------------------------------------------------
# Dispatch: which mechanism, and the CLI lines for it
# --------------------------------------------------------------------------


def _toeplitz_fields(plan: Plan) -> list[str]:
    """Plan fields a Toeplitz hash can use (protocol is not part of its input)."""
    return [f for f in plan.fields if f != "protocol"]


def _realise_families(fields: list[str], nic, symmetric: bool, mechanisms: tuple[str, ...],
                      ipv6: bool = False) -> tuple[RssRealisation, list[str]]:
    """IPv4 realisation plus its RSS words, and the IPv6 words only when IPv6 traffic
    was asked for (``--ipv6`` or seen in the traffic profile)."""
    v4 = realise(fields, nic, symmetric, input="ipv4-l4", mechanisms=mechanisms)
    v6 = realise(fields, nic, symmetric, input="ipv6-l4", mechanisms=mechanisms) if ipv6 else None
    words = list(dict.fromkeys(
        [t for t in v4.rss_types if not t.endswith("-only")]
        + ([t for t in v6.rss_types if not t.endswith("-only")] if v6 and v6.feasible else [])
        + [t for t in v4.rss_types if t.endswith("-only")]))
    return v4, words


def wants_ipv6(plan: Plan, ipv6: Optional[bool] = None) -> bool:
    """IPv6 rules only when asked (``--ipv6``) or when the solver planned for IPv6
    traffic (it puts ipv6 types in the plan when the traffic profile has IPv6)."""
    if ipv6 is not None:
        return bool(ipv6)
    return any(t.startswith("ipv6") for t in plan.rss_types)


def flow_lines(types: list[str], function: str, queues: int, interfaces: list[str],
               first_index: int, version: tuple[int, int]) -> list[str]:
    """One ``flow add`` per base RSS type (the CLI takes one type and up to two selectors).

    Before v22.10 there is no ``rss queues`` clause: RSS spreads over every rx
    queue, which the startup.conf edit sets to the worker count anyway.
    """
    spelling = "flow" if version >= FLOW_CLI_RENAMED else "test flow"
    queue_clause = f" rss queues 0 to {queues - 1}" if version >= FLOW_RSS_QUEUES_SINCE else ""
    selectors = [t for t in types if t.endswith("-only")]
    use = (" use " + " and ".join(selectors[:2])) if selectors else ""
    lines, index = [], first_index
    bases = [t for t in types if not t.endswith("-only")]
    # specific patterns first, so TCP/UDP are hashed with ports
    for t in sorted(bases, key=lambda t: "-" not in t):
        family, _, proto = t.partition("-")
        pattern = "src-ip any" if family == "ipv4" else "ip6-src-ip any"
        if proto:
            pattern += f" proto {proto}"
        lines.append(f"{spelling} add {pattern} rss function {function} rss types {t}{use}"
                     f"{queue_clause}")
        for ifname in interfaces:
            lines.append(f"{spelling} enable index {index} {ifname}")
        index += 1
    return lines


def soft_rss_type(fields: set[str]) -> Optional[str]:
    """The widest soft-rss type hashing only plan fields."""
    for name, hashed in SOFT_RSS_TYPES:
        if hashed <= fields:
            return name
    return None


@dataclass
class Dispatch:
    mechanism: str
    rss_words: list[str] = field(default_factory=list)   # for startup.conf rss { }
    lines: list[str] = field(default_factory=list)       # for the exec script
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def dispatch_commands(plan: Plan, nic, version: tuple[int, int], interfaces: list[str],
                      first_flow_index: int = 0, ipv6: Optional[bool] = None) -> Dispatch:
    """How VPP realises the plan's stage-0 dispatch on this NIC and release (IPv6
    types and rules only when ``wants_ipv6``)."""
    v6 = wants_ipv6(plan, ipv6)
    fields = _toeplitz_fields(plan)
    n = max(1, plan.cores)
    if not fields:
        # nothing keyed per flow (or only on the protocol): any spread is correct
        return Dispatch("", notes=["the plan needs no particular dispatch fields; VPP keeps "
                                   "its default RSS"])
    family = [] if v6 else ["IPv4 only: IPv6 traffic was not asked for (--ipv6, or IPv6 in "
                            "the traffic profile), so no IPv6 RSS types or rules are added"]
    port, words = _realise_families(fields, nic, plan.symmetric, DPDK_PLUGIN_MECHANISMS, v6)
    if port.feasible and port.key is None:
        return Dispatch("port", rss_words=words,
                        notes=[f"dpdk plugin RSS on {', '.join(fields)}: {port.why}"] + family)
    hw, words = _realise_families(fields, nic, plan.symmetric, RTE_FLOW_MECHANISMS, v6)
    if hw.feasible and hw.via == "rte_flow" and interfaces and version >= FLOW_RSS_SINCE:
        return Dispatch("rte_flow", lines=flow_lines(words, hw.hash_function, n, interfaces,
                                                     first_flow_index, version),
                        notes=[f"rte_flow RSS action on {', '.join(fields)}: {hw.why}"] + family)
    why = hw.why if not hw.feasible else (
        "it needs an RSS key, which VPP's dpdk plugin and flow CLI cannot set"
        if hw.key is not None else "no interface name is known for the flow rules"
        if not interfaces else "this VPP release has no RSS action in its flow CLI")
    stype = soft_rss_type(set(fields))
    if version >= SOFT_RSS_SINCE and stype and interfaces:
        key = f" rss-key {SYMMETRIC_KEY}" if plan.symmetric else ""
        lines = []
        for ifname in interfaces:
            lines += [f"soft-rss config {ifname} type {stype}{key}", f"soft-rss enable {ifname}"]
        return Dispatch("soft-rss", lines=lines, warnings=[
            f"the NIC cannot dispatch on {', '.join(fields)} ({why}); soft-rss hashes "
            f"{stype} in software on the receiving worker and hands each packet to its "
            f"worker: one extra core-to-core transfer per packet"])
    if HANDOFF_FIELDS <= set(plan.fields) and interfaces:
        sym = " symmetrical" if plan.symmetric else ""
        workers = format_bitmap_list(list(range(n)))
        return Dispatch("handoff", lines=[f"set interface handoff {ifname} workers {workers}{sym}"
                                          for ifname in interfaces], warnings=[
            f"the NIC cannot dispatch on {', '.join(fields)} ({why}); worker handoff hashes "
            f"the IP pair and protocol in software: one extra core-to-core transfer per packet"])
    return Dispatch("", warnings=[
        f"VPP cannot realise dispatch on {', '.join(plan.fields)} here ({why}); NFs planned "
        f"shared-nothing will see flows split across workers"])


# --------------------------------------------------------------------------
# Does the plan change anything?
# --------------------------------------------------------------------------

_L4_SUFFIXES = ("-tcp", "-udp", "-sctp", "-tcp-ex", "-udp-ex")
_L3_WORDS = ("ipv4", "ipv6", "ipv4-frag", "ipv6-frag", "ipv4-other", "ipv6-other", "ipv6-ex")


def rss_word_fields(words) -> set[str]:
    """The 5-tuple fields a ``rss { }`` word list hashes TCP/UDP traffic on (DPDK's
    rss_hf semantics: *_ONLY keeps one side of a level, both sides = neither)."""
    words = set(words)
    l4 = any(w.endswith(_L4_SUFFIXES) for w in words)
    fields = set()
    if l4 or words & set(_L3_WORDS):
        fields |= {"src_ip", "dst_ip"}
    if l4:
        fields |= {"src_port", "dst_port"}
    for level, src, dst in (("l3", "src_ip", "dst_ip"), ("l4", "src_port", "dst_port")):
        s_only, d_only = f"{level}-src-only" in words, f"{level}-dst-only" in words
        if s_only != d_only:
            fields.discard(dst if s_only else src)
    return fields


def current_rss(chain: Chain) -> list[tuple[str, list[str]]]:
    """(device, rss words it runs with) for every device startup.conf configures."""
    dep = chain.deployment
    default = dep.get("device_default") or {}
    fallback = list(default.get("rss") or STOCK_RSS_WORDS)
    devs = [d for d in dep.get("devices", []) if not d.get("default")]
    out = [(d.get("interface") or d.get("address") or "?", list(d.get("rss") or fallback))
           for d in devs]
    return out or [("every device", fallback)]


def stock_dispatch(plan: Plan, chain: Chain) -> tuple[bool, str]:
    """(the devices' current RSS already dispatches as the plan wants, why)."""
    dep = chain.deployment
    fields = set(_toeplitz_fields(plan))
    if not fields:
        return True, "the plan needs no particular dispatch fields"
    mine = [k for k in ("flows", "soft_rss", "handoff") if dep.get(k)]
    if mine:
        return False, f"the exec script already sets its own dispatch ({', '.join(mine)})"
    if plan.symmetric:
        return False, "the plan needs a symmetric hash; the dpdk plugin keeps the driver's key"
    for dev, words in current_rss(chain):
        have = rss_word_fields(words)
        if have != fields:
            return False, (f"{dev} hashes {', '.join(canonical_fields(have)) or 'nothing'} "
                           f"(rss {{ {' '.join(words)} }}); the plan dispatches on "
                           f"{', '.join(canonical_fields(fields))}")
    return True, f"the devices' RSS already hashes {', '.join(canonical_fields(fields))} ({STOCK_RSS_WHERE})"


def plan_changes_config(plan: Plan, chain: Chain, opts=None) -> tuple[bool, str]:
    """(emitting ``plan`` edits startup.conf / the exec script, why).  False when the
    devices' RSS is already the plan's dispatch and workers and queues already match
    (the same startup.conf edits the emitter makes change no byte)."""
    stock, why = stock_dispatch(plan, chain)
    if not stock:
        return True, why
    startup = chain.deployment.get("startup_conf")
    if not startup:
        return True, "no startup.conf given: workers and queues are set by hand"
    nic = nic_profiles.load(getattr(opts, "nic", None) or plan.nic)
    doc = VppDocument.load(startup)
    before = doc.render()
    notes = edit_startup(doc, plan, nic, Dispatch(""))
    if doc.render() != before:
        return True, (notes[0] if notes else
                      f"workers or rx queues differ from the plan's {plan.cores}")
    return False, f"{NO_EDITS} ({why})"


# --------------------------------------------------------------------------
# Plugins that hand off between workers themselves
# --------------------------------------------------------------------------


def _feature_source_dirs(attrs: dict, src_dirs: list[str]) -> list[str]:
    rel = attrs.get("plugin_dir")
    if not rel:
        return []
    root = attrs.get("src_root", "plugins")
    out = []
    for base in src_dirs:
        for cand in (os.path.join(base, "src", root, rel), os.path.join(base, root, rel),
                     os.path.join(base, rel)):
            if os.path.isdir(cand):
                out.append(cand)
                break
    return out


def handoff_evidence(attrs: dict, src_dirs: list[str]) -> Optional[str]:
    """'file:line' where the feature's code enqueues packets to another thread, if it does."""
    for d in _feature_source_dirs(attrs, src_dirs):
        for root, _, files in os.walk(d):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for no, line in enumerate(fh, 1):
                        if HANDOFF_CALL.search(line):
                            return f"{path}:{no}"
    return None


def handoff_where(element, src_dirs: list[str]) -> Optional[str]:
    """Where a feature hands packets to the worker owning their state: its code
    ('file:line'), or VPP's documentation when no source tree has it; None if it does not."""
    where = handoff_evidence(element.attrs, src_dirs)
    if where is None and not _feature_source_dirs(element.attrs, src_dirs):
        doc = DOCUMENTED_HANDOFF.get(element.cls)
        where = f"VPP documentation: {doc}" if doc else None
    return where


def handoff_notes(chain: Chain, src_dirs: list[str]) -> list[str]:
    notes, seen = [], set()
    for el in chain.elements:
        if el.cls in seen:
            continue
        where = handoff_where(el, src_dirs)
        if where:
            seen.add(el.cls)
            notes.append(f"{el.cls} hands packets to the worker owning their state itself "
                         f"({where}); it is correct under any RSS, so its dispatch is left to it")
    return notes


# --------------------------------------------------------------------------
# What VPP runs without flowmagec (the baseline a plan is compared with)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class StockPlacement:
    """How one feature runs in stock VPP: the devices' default RSS on the 5-tuple,
    every worker running the whole graph, each plugin with its own threading."""
    mode: str              # 'shared-nothing' | 'shared' | 'stateless' (solver/cost.py modes)
    handoff: bool          # the plugin hands packets to the owning worker (one transfer each)
    why: str


def stock_placements(chain: Chain, features: FeatureSet,
                     src_dirs: Optional[list[str]] = None) -> dict[str, StockPlacement]:
    """element -> StockPlacement, from the code (features' ``sharing``, handoff calls):

    * a plugin that hands off (``vlib_buffer_enqueue_to_thread``, or documented) keeps
      per-worker state and pays one handoff per packet;
    * per-core state (``sharing`` per-core: pools/tables indexed by thread) stays
      per worker, whatever the RSS does;
    * otherwise state is one table shared by the workers (thread-safe, or unprotected:
      costed as shared either way); stateless features are stateless.

    Not all-shared: that is a deployment VPP never runs.  For the solver's baseline
    table (solver/__init__.py ``default_baseline``).
    """
    from ..solver.cost import MODE_NOTHING, MODE_SHARED, MODE_STATELESS
    records = features.by_name()
    out: dict[str, StockPlacement] = {}
    for el in chain.elements:
        f = records.get(el.cls)
        where = handoff_where(el, list(src_dirs or []))
        if f is not None and not f.unknown and not f.stateful:
            out[el.name] = StockPlacement(MODE_STATELESS, False, "keeps no per-flow state")
        elif where:
            out[el.name] = StockPlacement(MODE_NOTHING, True, f"per-worker state, hands off ({where})")
        elif f is not None and f.sharing == "per-core":
            out[el.name] = StockPlacement(MODE_NOTHING, False, "per-worker state (its code)")
        else:
            what = f.sharing if f is not None and f.sharing else "unknown"
            out[el.name] = StockPlacement(MODE_SHARED, False, f"one table shared by the workers ({what})")
    return out


# --------------------------------------------------------------------------
# startup.conf edits
# --------------------------------------------------------------------------


def rx_interfaces(chain: Chain) -> list[str]:
    """Interfaces that receive traffic: named dpdk devices, else those carrying features."""
    dep = chain.deployment
    named = [d["interface"] for d in dep.get("devices", []) if d.get("interface")]
    if named:
        return named
    featured = [i for el in chain.elements for i in el.attrs.get("interfaces", [])]
    return list(dict.fromkeys(featured or dep.get("interfaces", [])))


def edit_startup(doc: VppDocument, plan: Plan, nic, dispatch: Dispatch) -> list[str]:
    """Workers, per-device queues and (for port-level dispatch) ``rss { }``."""
    notes = doc.set_cpu_workers(max(1, plan.cores))
    queues = min(max(1, plan.cores), nic.max_queues)
    if queues < plan.cores:
        notes.append(f"{nic.name} has at most {nic.max_queues} queues; num-rx-queues {queues}")
    devices = [e.value.value for e in doc.device_entries() if e.value.value != "default"]
    if not doc.sections_named("dpdk") and not doc.plugin_enabled("dpdk_plugin.so"):
        notes.append(f"the dpdk plugin is disabled: set {queues} rx queues on your interfaces "
                     f"where you create them (e.g. 'create interface rdma … num-rx-queues "
                     f"{queues}')")
        return notes
    for dev in devices or ["default"]:
        doc.set_device_queues(dev, queues)
        if dispatch.mechanism == "port":
            doc.set_device_rss(dev, dispatch.rss_words)
    return notes


def derived_script_path(output: str, user_script: Optional[str]) -> str:
    """Exec script written next to the output: '<output stem>.cli' ('.exec.cli' if taken)."""
    stem, _ = os.path.splitext(output)
    cand = stem + ".cli"
    if user_script and os.path.abspath(cand) == os.path.abspath(user_script) or cand == output:
        cand = stem + ".exec.cli"
    return cand


def _script_reference(new_script: str, output: str, old_ref: Optional[str]) -> str:
    """Absolute if the user wrote an absolute path, else relative to the new startup.conf."""
    if old_ref and os.path.isabs(old_ref):
        return os.path.abspath(new_script)
    return os.path.relpath(new_script, os.path.dirname(os.path.abspath(output)) or ".")


# --------------------------------------------------------------------------
# The emitter
# --------------------------------------------------------------------------


def plan_vpp(chain: Chain, plan: Plan, output: str, version: Optional[str] = None,
             src_dirs: Optional[list[str]] = None, nic=None,
             ipv6: Optional[bool] = None) -> tuple[VppEmission, Optional[str]]:
    """The new files' texts (no I/O besides reading the inputs) and the script's path."""
    nic = nic or nic_profiles.load(plan.nic)
    ver = parse_version(version)
    dep = chain.deployment
    interfaces = rx_interfaces(chain)
    unnamed = [d["address"] for d in dep.get("devices", []) if not d.get("interface")]
    stock, why = stock_dispatch(plan, chain)
    if stock:            # the devices' RSS is the plan's: no rss { } edit, no flow rule
        dispatch = Dispatch("", notes=[why])
    else:
        dispatch = dispatch_commands(plan, nic, ver, interfaces, len(dep.get("flows", [])), ipv6)
    notes = list(dispatch.notes) + handoff_notes(chain, list(src_dirs or []))
    if unnamed and dispatch.lines:
        dispatch.warnings.append(
            f"no interface name known for dpdk device(s) {', '.join(unnamed)} (give them "
            f"'name X' in startup.conf); the added dispatch lines do not cover them")
    if any(st.dispatch == "software" for st in plan.stages[1:]):
        dispatch.warnings.append(
            "VPP has no generic re-dispatch point between features: the plan's later stages "
            "run with the first stage's dispatch (only plugins with their own handoff re-dispatch)")
    if version is None and any(l.startswith(("flow ", "test flow ", "soft-rss ")) for l in dispatch.lines):
        spelled = "flow" if ver >= FLOW_CLI_RENAMED else "test flow"
        dispatch.warnings.append(
            f"VPP version not given: CLI spelled for VPP {ver[0]}.{ver[1]:02d} ('{spelled} add', "
            f"'test flow' before v{FLOW_CLI_RENAMED[0]}.{FLOW_CLI_RENAMED[1]:02d}; soft-rss from "
            f"v{SOFT_RSS_SINCE[0]}.{SOFT_RSS_SINCE[1]:02d}); pass --vpp-version X.Y")
    if dep.get("handoff") and dispatch.mechanism in ("soft-rss", "handoff"):
        notes.append("the script already configures worker handoff; review it against the "
                     "added dispatch lines")
    comment = (f"flowmagec: dispatch on {', '.join(plan.fields)} over {plan.cores} workers "
               f"({dispatch.mechanism or 'not realisable'})")
    script_path = dep.get("script")
    startup_path = dep.get("startup_conf")

    if not startup_path:                     # a CLI script alone: only the script can change
        script = VppScript.load(script_path)
        script.append(dispatch.lines, comment)
        snippet = f"cpu {{ workers {plan.cores} }}"
        if dispatch.rss_words:
            snippet += f"  dpdk {{ dev default {{ num-rx-queues {plan.cores} rss {{ " \
                       f"{' '.join(dispatch.rss_words)} }} }} }}"
        notes.append(f"no startup.conf given: set '{snippet}' in it yourself")
        return VppEmission(None, script.render(), None, notes, dispatch.warnings,
                           dispatch.mechanism), None

    doc = VppDocument.load(startup_path)
    doc_text_before = doc.render()
    notes += edit_startup(doc, plan, nic, dispatch)
    new_script = ref = None
    if dispatch.lines:
        new_script = derived_script_path(output, script_path)
        if script_path and os.path.isfile(script_path):
            script = VppScript.load(script_path)
        else:
            # the user's script is not readable here: run it first, then ours
            script = VppScript(f"exec {dep['exec_ref']}\n" if dep.get("exec_ref") else "",
                               new_script)
        script.append(dispatch.lines, comment)
        ref = _script_reference(new_script, output, dep.get("exec_ref"))
        doc.set_exec_script(ref)
        return VppEmission(doc.render(), script.render(), ref, notes, dispatch.warnings,
                           dispatch.mechanism), new_script
    unedited = doc.render() == doc_text_before
    ref = _keep_script_reachable(doc, dep, output)
    if unedited and stock:
        notes.insert(0, f"{NO_EDITS} ({why})" + (
            "" if doc.render() == doc_text_before else
            "; only the exec reference is re-pointed from the output's directory"))
    return VppEmission(doc.render(), None, ref, notes, dispatch.warnings,
                       dispatch.mechanism), None


def _keep_script_reachable(doc: VppDocument, dep: dict, output: str) -> Optional[str]:
    """A relative exec reference is re-pointed when the output lives in another directory."""
    old_ref, script = dep.get("exec_ref"), dep.get("script")
    if not old_ref or os.path.isabs(old_ref) or not script:
        return old_ref
    ref = os.path.relpath(script, os.path.dirname(os.path.abspath(output)))
    if ref != old_ref:
        doc.set_exec_script(ref)
    return ref


def emit_vpp(chain: Chain, plan: Plan, features: FeatureSet, outs, opts) -> list[str]:
    """Write the new startup.conf (``opts.output``) and, if needed, the exec script next to it.

    Warnings go to ``plan.warnings`` (the driver prints them), notes to ``plan.explanation``.
    """
    emission, script_path = plan_vpp(chain, plan, opts.output, opts.vpp_version, opts.src,
                                     ipv6=getattr(opts, "ipv6", None))
    written = []
    if emission.startup is not None:
        outs.write(opts.output, emission.startup)
        written.append(opts.output)
        if emission.script is not None:
            outs.write(script_path, emission.script)
            written.append(script_path)
    else:
        outs.write(opts.output, emission.script)
        written.append(opts.output)
    plan.warnings.extend(emission.warnings)
    plan.explanation.extend(emission.notes)
    return written
