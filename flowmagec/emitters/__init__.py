"""Emitters: Plan -> the user's framework config (edited in place), C dispatcher, report.

``emit`` is the pipeline's last stage; every file goes through an OutputSet so
a failure leaves nothing behind.
"""
from __future__ import annotations

import json
import sys

from ..artifacts import Chain, FeatureSet, Plan
from ..errors import InputError


def _config(chain, plan, features, outs, opts) -> list[str]:
    if chain.framework == "fastclick":
        from .fastclick import emit_fastclick
        return emit_fastclick(chain, plan, features, outs, opts)
    if chain.framework == "vpp":
        from .vpp import emit_vpp
        return emit_vpp(chain, plan, features, outs, opts)
    raise InputError(f"no emitter for framework '{chain.framework}'")


def plan_changes_config(plan: Plan, chain: Chain, features: FeatureSet | None = None,
                        opts=None) -> tuple[bool, str]:
    """(emitting ``plan`` changes the user's configuration, why).

    False when the plan's dispatch and placements are what the stock configuration
    already gets (FastClick: its port RSS on the 4-tuple, lib/dpdkdevice.cc; VPP:
    the ``dpdk { rss }`` / default RSS of its devices); the emitted configuration is
    then byte-identical to the input and the note says "plan equals the current
    configuration: no edits".  The emitters make exactly this decision.
    """
    if chain.framework == "fastclick":
        from .fastclick import plan_changes_config as fastclick_changes
        return fastclick_changes(plan, chain, features, opts)
    if chain.framework == "vpp":
        from .vpp import plan_changes_config as vpp_changes
        return vpp_changes(plan, chain, opts)
    raise InputError(f"no emitter for framework '{chain.framework}'")


def report(chain: Chain, plan: Plan, features: FeatureSet, extra: dict | None = None) -> dict:
    """The JSON report: plan (placements with realisation and verdict, baselines,
    warnings), features and evidence.  ``--explain`` prints the same plan."""
    return {"schema": "flowmage.report/2", "config": chain.path, "framework": chain.framework,
            "plan": plan.to_dict(), "warnings": list(plan.warnings),
            "verdicts": {p.element: p.verdict for p in plan.placements},
            "features": features.to_dict(), **(extra or {})}


class _DryRun:
    """Outputs of a run without ``-o``: computed (so every warning surfaces), not written."""

    def write(self, target, content) -> None:
        pass


def emit(chain: Chain, plan: Plan, features: FeatureSet, outs, opts, log=None,
         extra: dict | None = None) -> list[str]:
    """Emit the config (always computed; written with ``-o``), the dispatcher and the
    report; then print warnings and, with ``--explain`` or without ``-o``, the plan."""
    log = log or (lambda s: print(s, file=sys.stderr))
    written: list[str] = []
    if opts.output:
        written += _config(chain, plan, features, outs, opts)
    else:
        import dataclasses
        dry = dataclasses.replace(opts, output=chain.path + ".flowmagec-dry-run")
        _config(chain, plan, features, _DryRun(), dry)
    if opts.dispatcher:             # only on request: VPP and most FastClick users never need it
        from .dispatcher import write_dispatcher
        written += write_dispatcher(plan, opts.dispatcher, outs) or []
        if chain.framework == "vpp":
            plan.warnings.append(f"{opts.dispatcher}: the C dispatcher is for a DPDK program "
                                 f"(or a test harness) in front of VPP; VPP itself cannot load it")
    if getattr(opts, "graph", None):
        from .graph import write_graph
        written += write_graph(chain, plan, opts.graph, outs)
    if opts.report:
        outs.write(opts.report, json.dumps(report(chain, plan, features, extra), indent=2) + "\n")
        written.append(opts.report)
    if opts.explain or not opts.output:
        from ..solver.explain import explain
        if not opts.output:
            print("dry run (no -o): nothing written")
        print(explain(plan))
    else:
        for w in plan.warnings:
            log(f"warning: {w}")
    return written
