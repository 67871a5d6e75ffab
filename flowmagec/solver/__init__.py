"""Deployment solver: Chain + NFFeatures + NIC profile -> Plan.

STUB: replaced by the solver work (issue 4).
"""
from __future__ import annotations

from ..artifacts import Chain, FeatureSet, NICProfile, NFPlacement, Plan


def solve(chain: Chain, features: FeatureSet, nic: NICProfile, cores: int = 8, stages: int = 1,
          traffic=None, symmetric=None) -> Plan:
    return Plan(fields=["src_ip", "dst_ip", "src_port", "dst_port"], cores=cores, nic=nic.name,
                placements=[NFPlacement(element=e.name, cls=e.cls, mode="stateless")
                            for e in chain.elements])
