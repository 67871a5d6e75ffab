"""Measured plans: the multi-core chain benchmark and the cost-model calibration.

``flowmagec bench`` (``runner``, ``configs``, ``program``, ``traces``, ``report``)
generates a C program per configuration from ``templates/chain_bench.c.j2`` and
the plan's own dispatcher; ``flowmagec calibrate`` (``calibration``) runs the
micro-benchmarks of ``templates/calibrate.c.j2`` and writes CostConstants.
"""
