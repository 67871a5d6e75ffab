"""FastClick emitter: apply a Plan to the user's .click file by editing arguments in place.

Edits go through the frontend's span-preserving ``ClickDocument``: every byte
we do not mean to change stays as the user wrote it.

* Dispatch (vanilla FastClick).  FastClick hard-codes its port RSS (rss_hf =
  IP|UDP|TCP, driver key, lib/dpdkdevice.cc), so the plan reaches the NIC through
  ``FromDPDKDevice(..., MODE flow, FLOW_RULES_FILE F)`` and F in the testpmd flow
  syntax, shaped for the NIC's driver (fastclick_rules.py).  ``N_QUEUES`` and
  ``MAXTHREADS`` equal the core count (run ``click -j CORES``).
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

class FastClickEmitter:
    def __init__(self, chain: Chain, plan: Plan, features: FeatureSet, src_dirs=(),
                 dialect: str = "vanilla", rules_path: Optional[str] = None,
                 nic: Optional[NICProfile] = None):
        from ..frontends.click_edit import ClickDocument
        self.chain, self.plan, self.features = chain, plan, features.by_name()
        self.dialect = dialect
        self.rules_path = rules_path
        self.nic = nic or _load_nic(plan.nic)
        self.style: FlowRuleStyle = style_for(self.nic.driver)
        self.doc = ClickDocument.parse_file(chain.path, src_dirs=list(src_dirs))
        self.variants = ClassVariants(src_dirs)
        self.out = ClickEmission(text={})

    def run(self) -> ClickEmission:
        self._dispatch()
        self._sharing()
        self._stages()
        # the main file always (even unedited), plus any edited library file
        self.out.text = {self.chain.path: self.doc.render(), **self.doc.edited_files()}
        return self.out

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
        how = self._realise()
        if how is None:
            self._software(sources)
        elif how == "fixed":
            for src in sources:
                self._set(src, "N_QUEUES", self.plan.cores)
                self._set(src, "MAXTHREADS", self.plan.cores)
            self.out.dispatch = "fixed"
            self.out.notes.append("FastClick's own port RSS (IP|UDP|TCP) already dispatches on the "
                                  "4-tuple: no flow rules needed")
        else:
            self._flow(sources, how)

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
                    f"{', '.join(names)} read the same port {port}: each gets N_QUEUES "
                    f"{self.plan.cores}; FastClick needs disjoint QUEUE ranges on one port")

    def _realise(self):
        """How FastClick expresses the plan's dispatch on this NIC: an rss.realise result
        ('flow' rules), 'fixed' (FastClick's default already does it) or None (software)."""
        from ..solver import rss
        plan = self.plan
        if not self.style.rte_flow:
            if sorted(plan.fields) == sorted(fixed_port_rss_fields()) and not plan.symmetric:
                # what FastClick's fixed port RSS really computes: the driver's key
                plan.rss_types, plan.rss_key = ["ipv4", "ipv4-tcp", "ipv4-udp"], ""
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
        rules = flow_rules(list(r.rss_types), r.key_hex, r.hash_function, plan.cores, self.style)
        for src in sources:
            self._set(src, "N_QUEUES", plan.cores)
            self._set(src, "MAXTHREADS", plan.cores)
            self._set(src, "MODE", "flow")
            theirs = src.keyword("FLOW_RULES_FILE")
            if theirs is not None and self.rules_path and theirs.value != self.rules_path:
                self.out.warnings.append(f"{src.name}: FLOW_RULES_FILE {theirs.value} replaced by "
                                         f"{self.rules_path}; merge any rules of yours into it")
            if self.rules_path:
                self._set(src, "FLOW_RULES_FILE", self.rules_path)
        self.out.dispatch = "flow"
        self.out.rules = "\n".join(rules) + "\n"
        self.out.rules_path = self.rules_path
        self.out.notes.append(f"MODE flow needs FastClick configured with --enable-flow-api "
                              f"(DPDK >= 20.02); run with click -j {plan.cores}")

    def _software(self, sources: list[Element]) -> None:
        plan = self.plan
        placed = 0
        for src in sources:
            self._set(src, "N_QUEUES", 1)
            self._set(src, "MAXTHREADS", 1)      # one RX queue cannot be shared by threads
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
    def _sharing(self) -> None:
        for p in self.plan.placements:
            if p.mode == "stateless":
                continue
            shared = p.mode == "shared"
            if self.dialect == "flowmage":
                self._set_by_name(p.element, "SHARED", "true" if shared else "false")
                continue
            want = "thread-safe" if shared else "per-core"
            used = self._used_keywords(p.element)
            variant, why = self.variants.variant(p.cls, want, used)
            if variant and variant != p.cls:
                self.doc.set_class(p.element, variant)
                self.out.notes.append(f"{p.element}: class {p.cls} -> {variant} ({p.mode}: {why})")
                continue
            if variant == p.cls:
                continue
            kw = self.variants.sharing_keyword(p.cls)
            if kw:
                self._set_by_name(p.element, kw, "true" if shared else "false")
                continue
            feats = self.features.get(p.cls)
            # the analysis passes see more than the class scan (containers, locks): prefer them
            current = (feats.sharing if feats and feats.sharing else None) or self.variants.mode(p.cls)
            if shared and current in ("per-core", "unsafe"):
                what = "per-core" if current == "per-core" else "unprotected"
                self.out.warnings.append(
                    f"{p.element} ({p.cls}) keeps {what} state but must run shared under this "
                    f"plan, and the source tree has no thread-safe form ({why}): flows split "
                    f"across cores will see inconsistent state")
            elif not shared and current == "thread-safe":
                self.out.notes.append(
                    f"{p.element} ({p.cls}) has no per-core form ({why}); it stays shared: "
                    f"correct, without the gain of private state")
            elif not shared and current == "unsafe":
                # private flows do not help when all threads write one unprotected table
                self.out.warnings.append(
                    f"{p.element} ({p.cls}) keeps one unprotected table but runs on "
                    f"{self.plan.cores} threads, and the source tree has no per-core form "
                    f"({why}): its updates race")

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


def emit_fastclick(chain: Chain, plan: Plan, features: FeatureSet, outs, opts) -> list[str]:
    rules_path = None
    if opts.output:
        stem, _ = os.path.splitext(opts.output)
        rules_path = stem + ".rules"
    nic = _load_nic(getattr(opts, "nic", None) or plan.nic)
    em = FastClickEmitter(chain, plan, features, src_dirs=opts.src, dialect=opts.dialect,
                          rules_path=rules_path, nic=nic).run()
    plan.warnings.extend(w for w in em.warnings if w not in plan.warnings)
    plan.explanation.extend(n for n in em.notes if n not in plan.explanation)
    written = []
    if opts.output:
        outs.write(opts.output, em.text[chain.path])
        written.append(opts.output)
        if em.rules and em.rules_path:
            outs.write(em.rules_path, em.rules)
            written.append(em.rules_path)
        written += _write_libraries(chain, em, opts.output, outs)
        plan.warnings.extend(w for w in _unreachable_libraries(chain, em, opts.output)
                             if w not in plan.warnings)
    return written


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
