"""Emitters: Plan -> optimised config, dispatcher C, report.

STUB: replaced by the emitter work (issue 5).
"""
from __future__ import annotations

import shutil


def emit(chain, plan, features, outs, opts) -> list[str]:
    written = []
    if opts.output:
        with open(chain.path, encoding="utf-8") as fh:
            outs.write(opts.output, fh.read())
        written.append(opts.output)
    if opts.report:
        import json
        outs.write(opts.report, json.dumps({"plan": plan.to_dict(), "features": features.to_dict()}, indent=2))
        written.append(opts.report)
    return written
