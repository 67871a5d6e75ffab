"""FastClick emitter: apply a Plan to the user's .click file by editing arguments in place.

Edits go through the frontend's span-preserving ``ClickDocument``: every byte
we do not mean to change stays as the user wrote it.

* Dispatch (vanilla FastClick): ``FromDPDKDevice(..., MODE flow, FLOW_RULES_FILE F)``
  plus F in testpmd flow syntax (an RSS action with the plan's types / key / queues),
  ``N_QUEUES`` and ``MAXTHREADS`` set to the core count.  Vanilla FastClick
  hard-codes its port-level ``rss_hf`` and key, so the flow API is the only way in.
* NIC cannot hash the fields: a software dispatch compound (``HashSwitch`` on a
  contiguous header range, else ``RSSHashSwitch``, into per-thread ``Pipeliner``s).
* Per-NF sharing: swap to the per-core / shared variant of a class when the
  source tree has one (``X``/``XIMP``/``XMP`` or one template base instantiated
  with ``per_thread`` / ``not_per_thread``), or set a sharing keyword the element
  reads in ``configure()``; warn when neither exists.
* ``--dialect flowmage``: the paper's fork keywords ``HASHFUNC "fields"`` and
  ``SHARED true|false``.
* Two-stage plans: a re-dispatch compound before the first element of stage 2.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..artifacts import Chain, FeatureSet, Plan
from .fastclick_variants import ClassVariants

DISPATCH_SOURCES = ("FromDPDKDevice",)

# Byte offsets of the 5-tuple in an Ethernet frame carrying IPv4 without options.
_ETH_IPV4_OFFSETS = {"protocol": (23, 1), "src_ip": (26, 4), "dst_ip": (30, 4),
                     "src_port": (34, 2), "dst_port": (36, 2)}


@dataclass
class ClickEmission:
    text: dict[str, str]                     # file -> new text
    rules: str | None = None                 # FLOW_RULES_FILE content, if any
    rules_path: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def flow_rules(plan: Plan) -> str:
    """testpmd-syntax RSS rules (one per line) that FastClick's FlowRuleManager installs."""
    selection = [t for t in plan.rss_types if t.endswith("-only")]
    l4 = [t for t in plan.rss_types if t.startswith(("ipv4-", "ipv6-")) and not t.endswith("-only")]
    l3 = [t for t in plan.rss_types if t in ("ipv4", "ipv6")]
    if not l4 and not l3:
        l3 = ["ipv4"]
    queues = " ".join(str(q) for q in range(plan.cores))
    func = "symmetric_toeplitz" if plan.hash_function == "symmetric_toeplitz" else "toeplitz"
    key = f" key {plan.rss_key}" if plan.rss_key else ""
    lines = []
    for t in l4 + l3:            # specific patterns first
        ip, _, proto = t.partition("-")
        pattern = f"eth / {ip}" + (f" / {proto}" if proto else "")
        types = " ".join([t] + selection)
        lines.append(f"ingress pattern {pattern} / end actions rss func {func} types {types} end"
                     f"{key} queues {queues} end / end")
    return "\n".join(lines) + "\n"


def software_dispatch(name: str, fields: list[str], cores: int) -> tuple[str, str]:
    """(inline declaration, scheduling statement) of a compound that hashes ``fields`` in
    software and hands packets to one thread per core.

    The declaration is spliced into the connection where dispatch happens (Click needs
    elements declared before they are referenced); the StaticThreadSched goes at the end.
    """
    spans = sorted(_ETH_IPV4_OFFSETS[f] for f in fields if f in _ETH_IPV4_OFFSETS)
    contiguous = spans and all(a[0] + a[1] == b[0] for a, b in zip(spans, spans[1:]))
    if contiguous:
        switch = f"HashSwitch({spans[0][0]}, {sum(s[1] for s in spans)})"
    else:
        switch = "RSSHashSwitch()"
    queues = "; ".join(f"sw[{i}] -> q{i} :: Pipeliner -> output" for i in range(cores))
    decl = f"{name} :: {{ input -> sw :: {switch}; {queues} }}"
    sched = ", ".join(f"{name}/q{i} {i}" for i in range(cores))
    return decl, (f"// flowmagec: software dispatch on {', '.join(fields)} into {cores} threads\n"
                  f"StaticThreadSched({sched});\n")


class FastClickEmitter:
    def __init__(self, chain: Chain, plan: Plan, features: FeatureSet, src_dirs=(),
                 dialect: str = "vanilla", rules_path: str | None = None):
        from ..frontends.click import ClickDocument
        self.chain, self.plan, self.features = chain, plan, features.by_name()
        self.dialect = dialect
        self.rules_path = rules_path
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
    def _sources(self):
        return [e for e in self.chain.elements if e.cls in DISPATCH_SOURCES]

    def _dispatch(self) -> None:
        plan, cores = self.plan, str(self.plan.cores)
        sources = self._sources()
        if not sources:
            self.out.warnings.append("no FromDPDKDevice in the chain: dispatch is left to the NIC "
                                     "defaults; use --dispatcher for a C dispatcher")
            return
        software = any(s.dispatch == "software" for s in plan.stages[:1])
        for src in sources:
            self.doc.set_keyword(src.name, "MAXTHREADS", cores)
            if self.dialect == "flowmage":
                self.doc.set_keyword(src.name, "HASHFUNC", '"' + ",".join(plan.fields) + '"')
                self.doc.set_keyword(src.name, "N_QUEUES", cores)
                continue
            if software:
                self.doc.set_keyword(src.name, "N_QUEUES", "1")
                name = f"fm_dispatch_{src.name.replace('/', '_').replace('@', '_')}"
                decl, sched = software_dispatch(name, plan.fields, plan.cores)
                self._insert_after(src.name, decl)
                self.doc.append("\n" + sched)
                self.out.warnings.append(
                    f"{src.name}: the NIC cannot hash on {', '.join(plan.fields)}; packets are "
                    f"dispatched in software (one extra hash and thread hand-off per packet)")
                continue
            self.doc.set_keyword(src.name, "N_QUEUES", cores)
            self.doc.set_keyword(src.name, "MODE", "flow")
            if self.rules_path:
                self.doc.set_keyword(src.name, "FLOW_RULES_FILE", self.rules_path)
        if not software and self.dialect != "flowmage":
            self.out.rules = flow_rules(plan)
            self.out.rules_path = self.rules_path
            self.out.notes.append("MODE flow needs FastClick built with --enable-flow-api (DPDK ≥ 20.02)")

    def _insert_after(self, element: str, inserted: str) -> None:
        # Splice ``inserted ->`` in front of every successor of ``element``.
        for c in self.chain.connections:
            if c.src == element:
                self.doc.insert_before(c.dst, f"{inserted} -> ")
                return

    # -- per-NF sharing --------------------------------------------------------
    def _sharing(self) -> None:
        for p in self.plan.placements:
            if p.mode == "stateless":
                continue
            shared = p.mode == "shared"
            if self.dialect == "flowmage":
                self.doc.set_keyword(p.element, "SHARED", "true" if shared else "false")
                continue
            feats = self.features.get(p.cls)
            current = feats.sharing if feats else None
            want = "thread-safe" if shared else "per-core"
            variant = self.variants.variant(p.cls, want)
            if variant and variant != p.cls:
                self.doc.set_class(p.element, variant)
                self.out.notes.append(f"{p.element}: class {p.cls} -> {variant} ({p.mode})")
                continue
            kw = self.variants.sharing_keyword(p.cls)
            if kw:
                self.doc.set_keyword(p.element, kw, "true" if shared else "false")
                continue
            if shared and current in ("per-core", "unsafe"):
                what = "per-core" if current == "per-core" else "unprotected"
                self.out.warnings.append(
                    f"{p.element} ({p.cls}) keeps {what} state but must run shared under this "
                    f"plan, and the source tree has no thread-safe variant: flows split across "
                    f"cores will see inconsistent state")

    # -- two-stage plans -------------------------------------------------------
    def _stages(self) -> None:
        for st in self.plan.stages[1:]:
            if st.dispatch != "software" or not st.elements:
                continue
            first = st.elements[0]
            name = f"fm_redispatch{st.index}"
            decl, sched = software_dispatch(name, st.fields, self.plan.cores)
            self.doc.insert_before(first, f"{decl} -> ")
            self.doc.append("\n" + sched)
            self.out.notes.append(f"stage {st.index}: software re-dispatch on "
                                  f"{', '.join(st.fields)} before {first}")


def emit_fastclick(chain: Chain, plan: Plan, features: FeatureSet, outs, opts) -> list[str]:
    rules_path = None
    if opts.output:
        stem, _ = os.path.splitext(opts.output)
        rules_path = stem + ".rules"
    em = FastClickEmitter(chain, plan, features, src_dirs=opts.src, dialect=opts.dialect,
                          rules_path=rules_path).run()
    plan.warnings.extend(w for w in em.warnings if w not in plan.warnings)
    written = []
    if opts.output:
        outs.write(opts.output, em.text[chain.path])
        written.append(opts.output)
        if em.rules and em.rules_path:
            outs.write(em.rules_path, em.rules)
            written.append(em.rules_path)
        base = os.path.dirname(opts.output)
        for path, text in em.text.items():       # edited library files go next to the output
            if path != chain.path:
                target = os.path.join(base, os.path.basename(path))
                outs.write(target, text)
                written.append(target)
    return written
