"""FastClick emitter: apply a Plan to the user's .click file by editing arguments in place.

Edits go through the frontend's span-preserving ``ClickDocument``: every byte
we do not mean to change stays as the user wrote it.

* No edit at all when the plan is what the stock configuration already does
  (``FastClickEmitter.decide``, ``plan_changes_config``): FastClick's port RSS is
  the plan's dispatch (``stock_dispatch``), no queue/thread setting must change,
  no NF changes class.  The output is then byte-identical and says so.
* Dispatch (vanilla FastClick).  FastClick hard-codes its port RSS (rss_hf =
  IP|UDP|TCP, driver key, lib/dpdkdevice.cc), so another dispatch reaches the NIC
  through ``FromDPDKDevice(..., MODE flow, FLOW_RULES_FILE F)`` and F in the testpmd
  flow syntax, shaped for the NIC's driver (fastclick_rules.py); F is named by its
  absolute path (``rules_reference``).  ``N_QUEUES`` / ``MAXTHREADS`` / ``MINTHREADS``
  change only where the plan needs it, never with MINTHREADS above MAXTHREADS
  (fastclick_queues.py).  Devices whose RSS another element reprograms at run time
  (DeviceBalancer..., fastclick_rss_owners.py) get no rules, with a warning.
* What the driver cannot express (no rte_flow, no key in rules): the dispatch is
  realised again with the mechanisms that remain; if none, a software dispatch
  compound (``HashSwitch`` on a contiguous header range into one ``Pipeliner``
  per thread) after a single-queue, single-thread FromDPDKDevice.
* Per-NF sharing: swap to the per-core / thread-safe class of the element's family
  found in the source tree (fastclick_variants.py), or set a SHARED-like keyword
  the element reads; warn when an NF must run shared and has no thread-safe form.
* ``--dialect flowmage``: the paper's fork keywords ``HASHFUNC "fields"`` and
  ``SHARED true|false``.
* Two-stage plans: a re-dispatch compound before the first element of stage 2.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from ..artifacts import Chain, Element, FeatureSet, NICProfile, Plan
from ..errors import AnalysisError, InputError
from .fastclick_knowledge import (STOCK_HASH_FUNCTION, STOCK_RSS_FIELDS, STOCK_RSS_TYPES,
                                  STOCK_RSS_WHERE)
from .fastclick_queues import queue_edits
from .fastclick_rss_owners import RssProgrammers, managed_devices
from .fastclick_rules import FlowRuleStyle, fixed_port_rss_fields, flow_rules, style_for
from .fastclick_variants import ClassVariants

DISPATCH_SOURCES = ("FromDPDKDevice",)
OTHER_SOURCES = ("FromDevice", "FromDump", "FromPcap", "FromNetmapDevice", "FromIPSummaryDump",
                 "FromDPDKRing", "FromHost", "InfiniteSource", "RatedSource")

# The 5-tuple inside an IPv4 header without options: field -> (offset, length).
_IPV4_FIELDS = {"src_ip": (12, 4), "dst_ip": (16, 4), "src_port": (20, 2), "dst_port": (22, 2)}
_FIELD_ORDER = ("src_ip", "dst_ip", "src_port", "dst_port")
ETHER_LEN = 14
# How standard elements move the packet data pointer (bytes removed from the front).
_DATA_SHIFT = {"Strip": lambda a: int(a[0]) if a else 0,
               "Unstrip": lambda a: -int(a[0]) if a else 0,
               "EtherEncap": lambda a: -ETHER_LEN}


@dataclass
class ClickEmission:
    text: dict[str, str]                     # file -> new text
    rules: Optional[str] = None              # FLOW_RULES_FILE content, if any
    rules_path: Optional[str] = None
    # FLOW_RULES_FILE of the other devices when the plan dispatches per device
    extra_rules: dict[str, str] = field(default_factory=dict)
    dispatch: str = ""                       # 'flow' | 'fixed' | 'software' | 'flowmage' | 'none'
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Software dispatch (vanilla elements)
# --------------------------------------------------------------------------

def hash_run(fields: list[str], symmetric: bool = False) -> list[str]:
    """The contiguous run of header fields to hash in software: a subset of ``fields``
    (a coarser dispatch is still correct: equal keys still hash alike), the longest
    one, and both sides of a pair when the plan is symmetric."""
    wanted = [f for f in _FIELD_ORDER if f in fields]
    runs = []
    for i in range(len(_FIELD_ORDER)):
        for j in range(i + 1, len(_FIELD_ORDER) + 1):
            run = list(_FIELD_ORDER[i:j])
            if all(f in wanted for f in run):
                runs.append(run)
    if symmetric:
        runs = [r for r in runs if ("src_ip" in r) == ("dst_ip" in r) and ("src_port" in r) == ("dst_port" in r)]
    if not runs:
        return []
    return max(runs, key=lambda r: (sum(_IPV4_FIELDS[f][1] for f in r), -_FIELD_ORDER.index(r[0])))


def software_dispatch(name: str, fields: list[str], cores: int, ip_offset: int = ETHER_LEN,
                      symmetric: bool = False) -> tuple[str, list[str]]:
    """(inline compound declaration, hashed fields): ``HashSwitch`` over the contiguous
    header bytes of ``fields`` (IPv4 header at ``ip_offset`` from the data pointer) into
    one ``Pipeliner`` per thread."""
    run = hash_run(fields, symmetric)
    if not run:
        raise AnalysisError(f"no contiguous header range among {', '.join(fields)} to hash in software")
    offset = ip_offset + _IPV4_FIELDS[run[0]][0]
    length = sum(_IPV4_FIELDS[f][1] for f in run)
    queues = "; ".join(f"sw[{i}] -> q{i} :: Pipeliner -> output" for i in range(cores))
    return f"{name} :: {{ input -> sw :: HashSwitch({offset}, {length}); {queues} }}", run


# --------------------------------------------------------------------------
# The emitter
# --------------------------------------------------------------------------

# --------------------------------------------------------------------------
# Does the plan change anything?
# --------------------------------------------------------------------------

NO_EDITS = "plan equals the current configuration: no edits"
# NFPlacement.realisation of an NF made private by one instance per thread
# (solver/placement.py REPLICATE)
REPLICATE = "replicate"
UNKNOWN_FEATURES = "unknown-features"      # NFPlacement.verdict: no source / analysis


def stock_dispatch(plan: Plan) -> tuple[bool, str]:
    """(FastClick's stock port RSS already dispatches as the plan wants, why).

    The stock RSS hashes the 4-tuple of TCP/UDP (IPv4 and IPv6) with the driver's
    key (fastclick_knowledge.STOCK_RSS_*).  That is the plan's dispatch when the
    plan needs no particular fields, or exactly those four (with or without the
    protocol, which Toeplitz does not hash) with no symmetric hash and no key.
    """
    fields = set(plan.fields) - {"protocol"}
    if not fields:
        return True, "the plan needs no particular dispatch fields"
    stock = set(STOCK_RSS_FIELDS)
    shown = ", ".join(f for f in _FIELD_ORDER if f in fields)
    if fields != stock:
        return False, (f"the plan dispatches on {shown}; FastClick's stock RSS hashes "
                       f"{', '.join(STOCK_RSS_FIELDS)}")
    if plan.symmetric:
        return False, ("the plan needs a symmetric hash; FastClick's stock RSS uses the "
                       "driver's key, which is not symmetric")
    if plan.rss_key or plan.hash_function not in ("", STOCK_HASH_FUNCTION):
        return False, "the plan needs its own RSS key or hash function"
    return True, (f"FastClick's stock RSS already hashes {', '.join(STOCK_RSS_FIELDS)} "
                  f"({STOCK_RSS_WHERE})")


@dataclass
class SharingAction:
    """What the emitter does for one NF's placement: swap its class, set a keyword,
    or only say something."""
    element: str
    kind: str                     # 'class' | 'keyword' | 'replicate' | 'note' | 'warning'
    text: str = ""                # the note / warning
    value: str = ""               # new class, or the keyword's value
    keyword: str = ""

    @property
    def edits(self) -> bool:
        return self.kind in ("class", "keyword", "replicate")


class FastClickEmitter:
    def __init__(self, chain: Chain, plan: Plan, features: FeatureSet, src_dirs=(),
                 dialect: str = "vanilla", rules_path: Optional[str] = None,
                 nic: Optional[NICProfile] = None, rules_ref: Optional[str] = None,
                 defines: Optional[dict] = None):
        from ..frontends.click_edit import ClickDocument
        self.chain, self.plan, self.features = chain, plan, features.by_name()
        self.dialect = dialect
        self.rules_path = rules_path
        # how the config names the rules file (absolute by default, see emit_fastclick)
        self.rules_ref = rules_ref or rules_path
        self.nic = nic or _load_nic(plan.nic)
        self.style: FlowRuleStyle = style_for(self.nic.driver)
        self.doc = ClickDocument.parse_file(chain.path, src_dirs=list(src_dirs), defines=defines)
        self.variants = ClassVariants(src_dirs)
        self.programmers = RssProgrammers(src_dirs)
        self.out = ClickEmission(text={})

    # -- the decision ------------------------------------------------------------
    def decide(self) -> tuple[bool, str]:
        """(does the plan change the configuration, why) -- see ``plan_changes_config``."""
        if self.dialect == "flowmage":
            return True, "the flowmage dialect names HASHFUNC and SHARED on every source"
        if self.plan.ports:
            return True, "the devices dispatch on different fields"
        later = [st for st in self.plan.stages[1:] if st.dispatch == "software" and st.elements]
        if later:
            return True, f"stage {later[0].index} re-dispatches in software before {later[0].elements[0]}"
        sources = self._sources()
        free = [s for s in sources if s.name not in self._managed()]
        stock, why = stock_dispatch(self.plan)
        if free and not stock:
            return True, why
        for src in free:
            q = queue_edits(src, self.plan.cores, "nic")
            if q.edits:
                return True, q.notes[0] if q.notes else f"{src.name}: queue/thread settings change"
        for a in self._sharing_actions():
            if a.edits:
                return True, {"class": f"{a.element}: class -> {a.value}",
                              "keyword": f"{a.element}: {a.keyword} {a.value}",
                              }.get(a.kind, a.text or f"{a.element}: {a.kind}")
        if free:
            return False, f"{NO_EDITS} ({why})"
        what = ("no FromDPDKDevice" if not sources else
                "no FromDPDKDevice whose RSS is not reprogrammed by another element")
        return False, (f"no edits: the configuration has {what} for flowmagec to configure, "
                       f"and every NF runs as written")

    def run(self) -> ClickEmission:
        changes, why = self.decide()
        self._warn_programmers()
        # each step makes only the edits decide() found necessary (same predicates)
        self._dispatch()
        self._stages()      # before _sharing: a replicated element becomes a compound
        self._sharing()
        # the main file always (even unedited), plus any edited library file
        self.out.text = {self.chain.path: self.doc.render(), **self.doc.edited_files()}
        if not changes:
            self.out.notes.insert(0, why)
            if self.doc.edited_files():
                raise AnalysisError(f"internal: {self.chain.path} edited although the plan "
                                    f"needs no change ({why})")
        return self.out

    # -- elements that program RSS themselves ------------------------------------
    def _managed(self) -> dict[str, tuple[str, str]]:
        """FromDPDKDevice name -> (element reprogramming its RSS, evidence)."""
        if not hasattr(self, "_managed_cache"):
            sources = self._sources()
            out: dict[str, tuple[str, str]] = {}
            for e in self.doc.chain.elements:
                why = self.programmers.evidence(e.cls)
                if why:
                    for dev in managed_devices(e, sources):
                        out.setdefault(dev, (e.name, why))
            self._managed_cache = out
        return self._managed_cache

    def _warn_programmers(self) -> None:
        by_owner: dict[str, list[str]] = {}
        for dev, (owner, why) in self._managed().items():
            by_owner.setdefault(f"{owner}\0{why}", []).append(dev)
        for key, devs in by_owner.items():
            owner, why = key.split("\0", 1)
            cls = self.doc.chain.element(owner).cls
            self.out.warnings.append(
                f"{owner} ({cls}) reprograms RSS/RETA of {', '.join(devs)} at run time ({why}): "
                f"flowmagec adds no RSS rules there; the dispatch is whatever {cls} chooses, "
                f"so NFs planned private may see a flow move between cores when it rebalances")

    # -- dispatch ------------------------------------------------------------
    def _sources(self) -> list[Element]:
        return [e for e in self.doc.chain.elements if e.cls in DISPATCH_SOURCES]

    def _dispatch(self) -> None:
        sources = self._sources()
        if not sources:
            others = sorted({e.cls for e in self.chain.elements if e.cls in OTHER_SOURCES})
            what = f" (packets come from {', '.join(others)})" if others else ""
            self.out.dispatch = "none"
            self.out.warnings.append(
                f"no FromDPDKDevice in the configuration{what}: the NIC's RSS cannot be set from "
                f"it; use --dispatcher FILE.c for a C dispatcher that implements the plan")
            return
        self._check_ports(sources)
        if self.dialect == "flowmage":
            for src in sources:
                self._set(src, "MAXTHREADS", self.plan.cores)
                self._set(src, "HASHFUNC", '"' + ",".join(self.plan.fields) + '"')
                self._set(src, "N_QUEUES", self.plan.cores)
            self.out.dispatch = "flowmage"
            return
        managed = self._managed()
        free = [s for s in sources if s.name not in managed]
        if not free:
            self.out.dispatch = "none"
            return
        if self.plan.ports:
            self._per_device(free)
            return
        stock, _ = stock_dispatch(self.plan)
        how = "stock" if stock else self._realise()
        if how is None:
            self._software(free)
        elif how in ("stock", "fixed"):
            for src in free:
                self._queues(src, "nic")
            self.out.dispatch = how
            self._stock_notes()
        else:
            self._flow(free, how)

    def _per_device(self, free: list[Element]) -> None:
        """Each device its own fields (plan.ports): its own rules file, realised exactly
        as the solver did (a pair that meets needs the same selected fields under the
        same key), else software dispatch on that device's fields."""
        from ..solver import rss
        kinds = set()
        for i, port in enumerate(self.plan.ports):
            srcs = [s for s in free if s.name in port.sources]
            if not srcs:
                continue
            r = None
            if self.style.rte_flow:
                r = rss.realise(port.fields, self.nic, symmetric=False,
                                mechanisms=self.style.mechanisms())
                if not (r.feasible and r.via != "software"
                        and list(r.hash_input) == list(port.hash_input)
                        and r.key_hex == port.rss_key):
                    r = None
            if r is None:
                for src in srcs:
                    self._queues(src, "software")
                    self._insert_dispatch(src.name, f"fm_dispatch{i}", port.fields, 0)
                kinds.add("software")
                continue
            path, ref = self._rules_for(i)
            queues = max(self._queues(src, "nic") for src in srcs)
            text = "\n".join(flow_rules(list(r.rss_types), r.key_hex, r.hash_function, queues,
                                        self.style)) + "\n"
            for src in srcs:
                self._set(src, "MODE", "flow")
                if ref:
                    self._set(src, "FLOW_RULES_FILE", ref)
            if i == 0 or self.out.rules is None:
                self.out.rules, self.out.rules_path = text, path
            elif path:
                self.out.extra_rules[path] = text
            kinds.add("flow")
            self.out.notes.append(f"{', '.join(s.name for s in srcs)} ({port.device}): "
                                  f"dispatch on {', '.join(port.fields)} via {r.via}")
        self.out.dispatch = "flow" if kinds == {"flow"} else "software" if kinds else "none"
        if "flow" in kinds:
            self.out.notes.append(f"MODE flow needs FastClick configured with --enable-flow-api "
                                  f"(DPDK >= 20.02); run with click -j {self.plan.cores}")

    def _rules_for(self, i: int) -> tuple[Optional[str], Optional[str]]:
        """(path, reference in the config) of device i's rules file."""
        if i == 0 or not self.rules_path:
            return self.rules_path, self.rules_ref
        stem, ext = os.path.splitext(self.rules_path)
        rstem, rext = os.path.splitext(self.rules_ref or self.rules_path)
        return f"{stem}-{i}{ext}", f"{rstem}-{i}{rext}"

    def _stock_notes(self) -> None:
        self.out.notes.append(f"FastClick's own port RSS ({STOCK_RSS_WHERE}) already dispatches "
                              f"as planned: no flow rules; run with click -j {self.plan.cores}")

    def _queues(self, src: Element, dispatch: str) -> int:
        """Apply the queue/thread edits ``src`` needs; the number of RX queues it gets."""
        q = queue_edits(src, self.plan.cores, dispatch)
        for kw, value in q.edits.items():
            self._set(src, kw, value)
        self.out.notes.extend(q.notes)
        self.out.warnings.extend(q.warnings)
        return q.queues

    def _check_ports(self, sources: list[Element]) -> None:
        ports: dict[str, list[str]] = {}
        for s in sources:
            positional = [a for a in s.args if a.keyword is None]
            port = s.keyword("PORT") or (positional[0] if positional else None)
            ports.setdefault(port.value if port else "?", []).append(s.name)
            queue = s.keyword("QUEUE") or (positional[1] if len(positional) > 1 else None)
            if queue is not None and queue.value.strip() not in ("0", "-1"):
                self.out.warnings.append(
                    f"{s.name} starts at RX queue {queue.value}: the plan spreads flows over "
                    f"queues 0..{self.plan.cores - 1}, check that this element reads them")
        for port, names in ports.items():
            if len(names) > 1:
                self.out.warnings.append(
                    f"{', '.join(names)} read the same port {port}: each gets "
                    f"{self.plan.cores} queues; FastClick needs disjoint QUEUE ranges on one port")

    def _realise(self):
        """How FastClick expresses the plan's dispatch on this NIC: an rss.realise result
        ('flow' rules), 'fixed' (FastClick's default already does it) or None (software)."""
        from ..solver import rss
        plan = self.plan
        if not self.style.rte_flow:
            if sorted(plan.fields) == sorted(fixed_port_rss_fields()) and not plan.symmetric:
                # what FastClick's fixed port RSS really computes: the driver's key
                plan.rss_types, plan.rss_key = list(STOCK_RSS_TYPES), ""
                plan.hash_input = fixed_port_rss_fields()
                return "fixed"
            return None
        # keep the plan's address families: a dual-stack plan carries ipv6 types
        dual = any(t.startswith("ipv6") for t in plan.rss_types)
        r = rss.realise(plan.fields, self.nic, symmetric=plan.symmetric,
                        mechanisms=self.style.mechanisms(),
                        input="ipv4-l4,ipv6-l4" if dual else "ipv4-l4")
        if not r.feasible or r.via == "software":
            return None
        if (r.key_hex, list(r.rss_types)) != (plan.rss_key, list(plan.rss_types)):
            # keep the plan (and the C dispatcher / report written from it) true to the NIC
            lost = " (its rte_flow RSS action takes no key)" if plan.rss_key and not self.style.key else ""
            self.out.notes.append(f"FastClick on {self.nic.driver}{lost} dispatches via {r.via}: {r.why}")
            plan.rss_types, plan.rss_key = list(r.rss_types), r.key_hex
            plan.hash_input, plan.hash_function = list(r.hash_input), r.hash_function
        return r

    def _flow(self, sources: list[Element], r) -> None:
        plan = self.plan
        queues = max(self._queues(src, "nic") for src in sources)
        rules = flow_rules(list(r.rss_types), r.key_hex, r.hash_function, queues, self.style)
        for src in sources:
            self._set(src, "MODE", "flow")
            theirs = src.keyword("FLOW_RULES_FILE")
            if theirs is not None and self.rules_ref and theirs.value != self.rules_ref:
                self.out.warnings.append(f"{src.name}: FLOW_RULES_FILE {theirs.value} replaced by "
                                         f"{self.rules_ref}; merge any rules of yours into it")
            if self.rules_ref:
                self._set(src, "FLOW_RULES_FILE", self.rules_ref)
        self.out.dispatch = "flow"
        self.out.rules = "\n".join(rules) + "\n"
        self.out.rules_path = self.rules_path
        self.out.notes.append(f"MODE flow needs FastClick configured with --enable-flow-api "
                              f"(DPDK >= 20.02); run with click -j {plan.cores}")

    def _software(self, sources: list[Element]) -> None:
        plan = self.plan
        placed = 0
        for src in sources:
            self._queues(src, "software")    # one RX queue cannot be shared by threads
            placed += self._insert_dispatch(src.name, "fm_dispatch", plan.fields, 0)
        self.out.dispatch = "software"
        if placed:
            self.out.warnings.append(
                f"NIC '{self.nic.name}' cannot dispatch on {', '.join(plan.fields)} through "
                f"FastClick: packets are hashed in software on one thread and handed to "
                f"{plan.cores} threads (one extra hash and thread hand-off per packet)")

    # -- software compounds ------------------------------------------------------
    def _ip_offset(self, element: str) -> Optional[int]:
        """Where the IPv4 header starts relative to the data pointer of packets leaving
        ``element``, walking back to the source; None when an element moves the data
        pointer in a way we cannot follow."""
        g, shift, node, seen = self.doc.chain.graph(), 0, element, set()
        while node is not None and node not in seen:
            seen.add(node)
            e = self.doc.chain.element(node)
            if e.cls == "StripToNetworkHeader":
                return -shift                    # data pointer at the IP header here
            if e.cls in _DATA_SHIFT:
                try:
                    shift += _DATA_SHIFT[e.cls]([a.value for a in e.args if a.keyword is None])
                except ValueError:
                    return None
            preds = list(g.predecessors(node))
            node = preds[0] if preds else None
        return ETHER_LEN - shift

    def _insert_dispatch(self, after: str, prefix: str, fields: list[str], stage: int,
                         before: Optional[str] = None) -> int:
        """Splice a software dispatch compound after ``after`` (before ``before`` when given),
        pin its Pipeliners to threads 0..cores-1; 1 if inserted, 0 if not (with a warning)."""
        chain = self.doc.chain
        succs = [c.dst for c in chain.connections if c.src == after]
        target = before or (succs[0] if succs else None)
        if target is None:
            self.out.warnings.append(f"{after} has no successor: no software dispatch inserted")
            return 0
        if any(prefix in c.src for c in chain.connections if c.dst == target):
            return 0                               # same class body, already edited
        preds = {c.src for c in chain.connections if c.dst == target}
        if len(preds) > 1:
            self.out.warnings.append(
                f"{target} has several inputs ({', '.join(sorted(preds))}): insert the software "
                f"dispatch by hand, or use --dispatcher")
            return 0
        ip_offset = self._ip_offset(after)
        if ip_offset is None or ip_offset < 0:
            self.out.warnings.append(f"cannot tell where the IP header is after {after}: "
                                     f"no software dispatch inserted")
            return 0
        name = f"{prefix}{stage}_" + after.replace("/", "_").replace("@", "_")
        decl, run = software_dispatch(name.rsplit("/", 1)[-1], fields, self.plan.cores, ip_offset,
                                      self.plan.symmetric)
        self.doc.insert_before(target, f"{decl} -> ")
        pipes = [e.name for e in self.doc.chain.elements
                 if e.cls == "Pipeliner" and f"{name}/q" in e.name]
        sched = ", ".join(f"{p} {p.rsplit('/q', 1)[1]}" for p in pipes)
        self.doc.append(f"\n// flowmagec: software dispatch on {', '.join(run)} into "
                        f"{self.plan.cores} threads\nStaticThreadSched({sched});\n")
        if run != [f for f in _FIELD_ORDER if f in fields]:
            self.out.notes.append(f"{name}: hashing {', '.join(run)} (the contiguous part of "
                                  f"{', '.join(fields)}; a coarser dispatch keeps flows together)")
        self.out.notes.append(f"{name}: HashSwitch assumes IPv4 without options "
                              f"(IP header {ip_offset} bytes into the packet data)")
        return 1

    # -- per-NF sharing --------------------------------------------------------
    def _sharing_actions(self) -> list[SharingAction]:
        """Realise each placement the way the solver chose it (solver/placement.py): the
        plan says how and whether that is safe (its verdicts and warnings); nothing is
        re-decided here."""
        out = []
        for p in self.plan.placements:
            # unknown features: the solver leaves the NF as it is (and warns)
            if p.mode == "stateless" or p.verdict == UNKNOWN_FEATURES:
                continue
            flag = "true" if p.mode == "shared" else "false"
            if self.dialect == "flowmage" or p.realisation == "keyword":
                out.append(SharingAction(p.element, "keyword", keyword="SHARED", value=flag))
            elif p.realisation == "variant" and p.realised_class and p.realised_class != p.cls:
                out.append(SharingAction(p.element, "class", value=p.realised_class,
                                         text=f"{p.element}: class {p.cls} -> {p.realised_class} "
                                              f"({p.mode})"))
            elif p.realisation == REPLICATE:
                out.append(SharingAction(p.element, "replicate", text=(
                    f"{p.element} ({p.cls}): one instance per thread ({self.plan.cores} "
                    f"replicas behind ExactCPUSwitch), so each thread keeps its own state")))
        return out

    def _say(self, a: SharingAction) -> None:
        if a.kind == "warning":
            self.out.warnings.append(a.text)
        elif a.text:
            self.out.notes.append(a.text)

    def _sharing(self) -> None:
        for a in self._sharing_actions():
            if a.kind == "class":
                self.doc.set_class(a.element, a.value)
            elif a.kind == "keyword":
                self._set_by_name(a.element, a.keyword, a.value)
            elif a.kind == "replicate":
                self._replicate(a.element)
            self._say(a)

    def _replicate(self, element: str) -> None:
        """One instance per thread: the declaration becomes a compound whose
        ExactCPUSwitch hands each thread's packets to that thread's own replica."""
        e = self.doc.chain.element(element)
        conns = self.doc.chain.connections
        n_in = 1 + max([c.dst_port for c in conns if c.dst == element] or [0])
        n_out = 1 + max([c.src_port for c in conns if c.src == element] or [0])
        decl = f"{e.cls}({e.config})" if e.config_span is not None else e.cls
        body = [f"input[{i}] -> rs{i} :: ExactCPUSwitch" for i in range(n_in)]
        for r in range(self.plan.cores):
            body.append(f"r{r} :: {decl}")
            body += [f"rs{i}[{r}] -> [{i}]r{r}" for i in range(n_in)]
            body += [f"r{r}[{o}] -> [{o}]output" for o in range(n_out)]
        self.doc.replace_declaration(element, "{ " + "; ".join(body) + " }")

    def _used_keywords(self, element: str) -> set[str]:
        try:
            e = self.doc.chain.element(element)
        except KeyError:
            return set()
        return {a.keyword for a in e.args if a.keyword}

    # -- two-stage plans -------------------------------------------------------
    def _stages(self) -> None:
        for st in self.plan.stages[1:]:
            if st.dispatch != "software" or not st.elements:
                continue
            first = st.elements[0]
            preds = [c.src for c in self.doc.chain.connections if c.dst == first]
            if not preds:
                self.out.warnings.append(f"stage {st.index}: {first} has no input; no re-dispatch")
                continue
            if self._insert_dispatch(preds[0], "fm_redispatch", st.fields, st.index, before=first):
                self.out.notes.append(f"stage {st.index}: software re-dispatch on "
                                      f"{', '.join(st.fields)} before {first}")

    # -- edits -----------------------------------------------------------------
    def _set(self, element: Element, keyword: str, value) -> None:
        self._set_by_name(element.name, keyword, str(value))

    def _set_by_name(self, element: str, keyword: str, value: str) -> None:
        self.doc.set_keyword(element, keyword, value)


def _load_nic(name: str) -> NICProfile:
    from ..solver.nic_profiles import load
    try:
        return load(name)
    except InputError:
        return load("generic")


def _emitter(chain: Chain, plan: Plan, features: FeatureSet, opts,
             rules_path: Optional[str] = None, rules_ref: Optional[str] = None) -> FastClickEmitter:
    nic = _load_nic(getattr(opts, "nic", None) or plan.nic)
    return FastClickEmitter(chain, plan, features, src_dirs=getattr(opts, "src", ()) or (),
                            dialect=getattr(opts, "dialect", "vanilla"), rules_path=rules_path,
                            nic=nic, rules_ref=rules_ref, defines=getattr(opts, "defines", None))


def plan_changes_config(plan: Plan, chain: Chain, features: Optional[FeatureSet] = None,
                        opts=None) -> tuple[bool, str]:
    """(emitting ``plan`` edits the FastClick configuration, why).

    False when the stock configuration already does what the plan wants: FastClick's
    port RSS is the plan's dispatch (``stock_dispatch``), no queue/thread setting
    must change (``fastclick_queues``), and every NF keeps its class; the emitted
    configuration is then byte-identical to the input.  ``opts``: the driver's
    Options (``src``, ``nic``, ``dialect``, ``defines``), or None.
    """
    import copy
    em = _emitter(chain, copy.deepcopy(plan), features or FeatureSet(), opts)
    return em.decide()


def rules_reference(rules_path: str, output: str, relative: bool = False) -> str:
    """How the emitted config names its FLOW_RULES_FILE: absolute (FastClick opens it
    from the directory click starts in, which is rarely flowmagec's), or relative to
    the output's directory when asked (click must then start there)."""
    if relative:
        return os.path.relpath(os.path.abspath(rules_path),
                               os.path.dirname(os.path.abspath(output)))
    return os.path.abspath(rules_path)


def emit_fastclick(chain: Chain, plan: Plan, features: FeatureSet, outs, opts) -> list[str]:
    from .click_validate import check
    rules_path = rules_ref = None
    if opts.output:
        stem, _ = os.path.splitext(opts.output)
        rules_path = stem + ".rules"
        rules_ref = rules_reference(rules_path, opts.output,
                                    bool(getattr(opts, "flow_rules_relative", False)))
    em = _emitter(chain, plan, features, opts, rules_path, rules_ref).run()
    plan.warnings.extend(w for w in em.warnings if w not in plan.warnings)
    plan.explanation.extend(n for n in em.notes if n not in plan.explanation)
    written = []
    if opts.output:
        files = {opts.output: em.text[chain.path]}
        for path, text in em.text.items():
            if os.path.realpath(path) != os.path.realpath(chain.path):
                files[_library_target(chain, path, opts.output)] = text
        validation = check(opts.output, {**files, **_unedited_libraries(chain, em, opts.output)})
        if validation.tool is None:
            plan.explanation.append("not checked with FastClick's parser (no click-flatten on PATH)")
        else:
            plan.explanation.append(f"{opts.output}: accepted by {validation.tool}")
        outs.write(opts.output, em.text[chain.path])
        written.append(opts.output)
        if em.rules and em.rules_path:
            outs.write(em.rules_path, em.rules)
            written.append(em.rules_path)
        for path, text in em.extra_rules.items():
            outs.write(path, text)
            written.append(path)
        written += _write_libraries(chain, em, opts.output, outs)
        plan.warnings.extend(w for w in _unreachable_libraries(chain, em, opts.output)
                             if w not in plan.warnings)
    return written


def _unedited_libraries(chain: Chain, em: ClickEmission, output: str) -> dict[str, str]:
    """Unedited libraries at the place the output will look them up (for validation)."""
    out = {}
    edited = {os.path.realpath(p) for p in em.text}
    for lib in chain.files:
        if os.path.realpath(lib) not in edited and os.path.isfile(lib):
            with open(lib, encoding="utf-8", errors="replace") as fh:
                out[_library_target(chain, lib, output)] = fh.read()
    return out


def _library_target(chain: Chain, library: str, output: str) -> str:
    """Where an edited library goes: at the same path relative to the output as it had
    relative to the input (Click resolves ``require(library F)`` from the requiring
    file's directory), or next to the output when it lived elsewhere."""
    rel = os.path.relpath(library, os.path.dirname(os.path.abspath(chain.path)))
    if rel.startswith(".."):
        rel = os.path.basename(library)
    return os.path.join(os.path.dirname(os.path.abspath(output)), rel)


def _write_libraries(chain: Chain, em: ClickEmission, output: str, outs) -> list[str]:
    written = []
    for path, text in em.text.items():
        if os.path.realpath(path) != os.path.realpath(chain.path):
            target = _library_target(chain, path, output)
            outs.write(target, text)
            written.append(target)
    return written


def _unreachable_libraries(chain: Chain, em: ClickEmission, output: str) -> list[str]:
    """Warnings for unedited libraries the output will not find from its own directory."""
    out = []
    edited = {os.path.realpath(p) for p in em.text}
    for lib in chain.files:
        if os.path.realpath(lib) in edited:
            continue
        target = _library_target(chain, lib, output)
        if not os.path.exists(target) and os.path.realpath(target) != os.path.realpath(lib):
            rel = os.path.relpath(target, os.path.dirname(os.path.abspath(output)))
            out.append(f"{output} requires library {rel}, which Click looks up next to it: copy "
                       f"{lib} there, or write the output in {os.path.dirname(chain.path) or '.'}")
    return out
