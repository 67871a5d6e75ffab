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


def report(chain: Chain, plan: Plan, features: FeatureSet) -> dict:
    return {"schema": "flowmage.report/1", "config": chain.path, "framework": chain.framework,
            "plan": plan.to_dict(), "features": features.to_dict()}


def emit(chain: Chain, plan: Plan, features: FeatureSet, outs, opts) -> list[str]:
    written: list[str] = []
    if opts.output:
        written += _config(chain, plan, features, outs, opts)
    if opts.dispatcher:
        from .dispatcher import write_dispatcher
        written += write_dispatcher(plan, opts.dispatcher, outs) or []
    if opts.report:
        outs.write(opts.report, json.dumps(report(chain, plan, features), indent=2) + "\n")
        written.append(opts.report)
    for w in plan.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if opts.explain:
        from ..solver.explain import explain
        print(explain(plan))
    return written
