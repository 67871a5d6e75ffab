"""Cost model, traffic profiles (pcap + cardinalities) and calibration."""
from __future__ import annotations

import dataclasses
import json
import struct

import pytest

from flowmagec.errors import InputError
from flowmagec.solver import traffic
from flowmagec.solver.cost import (DEFAULT_CONSTANTS, MODE_NOTHING, MODE_SHARED, CostConstants,
                                   CostedElement, Measurement, calibrate, fit_error, nf_cost,
                                   predict)


# ---- per-NF costs -------------------------------------------------------------

def test_sharing_overhead_ordering():
    pp = nf_cost(200, "per-packet", False, 8)
    pf = nf_cost(200, "per-flow", False, 8)
    ptr = nf_cost(200, "per-packet", True, 8)
    assert pp.work == pf.work == ptr.work
    assert pf.shared < pp.shared < ptr.shared
    assert pf.serial < pp.serial < ptr.serial
    assert nf_cost(200, None, False, 8) == pp          # unknown intensity: per-packet


def test_single_core_has_no_coherence_or_serial_cost():
    one = nf_cost(200, "per-packet", True, 1)
    assert one.serial == 0
    assert one.shared == pytest.approx(one.work + DEFAULT_CONSTANTS.lock_cycles_per_packet)


def _throughput(cores, mode, intensity="per-packet"):
    els = [CostedElement(f"n{i}", nf_cost(200, intensity, False, cores)) for i in range(2)]
    modes = {e.name: mode for e in els}
    return predict(els, modes, {e.name: 0 for e in els}, [1.0], cores).mpps()


def test_shared_per_packet_state_saturates_with_cores():
    # Private state scales linearly; shared per-packet state flattens by ~8 cores.
    assert _throughput(16, MODE_NOTHING) / _throughput(8, MODE_NOTHING) == pytest.approx(2.0)
    shared_gain = _throughput(16, MODE_SHARED) / _throughput(8, MODE_SHARED)
    assert shared_gain < 1.1
    assert _throughput(4, MODE_SHARED) < _throughput(8, MODE_SHARED)
    # Per-flow writes mostly read-share: they keep scaling.
    assert _throughput(16, MODE_SHARED, "per-flow") / _throughput(8, MODE_SHARED, "per-flow") > 1.8


def test_prediction_reports_its_bound_and_handoff():
    els = [CostedElement("a", nf_cost(100, "per-flow", False, 4)),
           CostedElement("b", None, 20.0)]
    one = predict(els, {"a": MODE_NOTHING, "b": "stateless"}, {"a": 0, "b": 0}, [1.0, 1.0], 4)
    two = predict(els, {"a": MODE_NOTHING, "b": "stateless"}, {"a": 0, "b": 1}, [1.0, 1.0], 4)
    assert one.bound == "work"
    assert two.time - one.time == pytest.approx(DEFAULT_CONSTANTS.handoff_cycles / 4)


# ---- constants and calibration ----------------------------------------------

def test_constants_load_and_reject_unknown(tmp_path):
    good = tmp_path / "c.json"
    good.write_text(json.dumps({"constants": {"handoff_cycles": 99}}))
    assert CostConstants.load(str(good)).handoff_cycles == 99
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"handof_cycles": 99}))
    with pytest.raises(InputError, match="handof_cycles"):
        CostConstants.load(str(bad))
    broken = tmp_path / "x.json"
    broken.write_text('{\n  "handoff_cycles": ,\n}')
    with pytest.raises(InputError) as ei:
        CostConstants.load(str(broken))
    assert ei.value.span.line == 2


def test_calibration_recovers_measurements():
    truth = dataclasses.replace(DEFAULT_CONSTANTS, coherence_per_packet=2.0,
                                serial_fraction_per_packet=0.1, clock_ghz=2.0)
    runs = []
    for cores in (1, 2, 4, 8, 16):
        for mode in (MODE_SHARED, MODE_NOTHING):
            nfs = [{"complexity": 300, "intensity": "per-packet", "mode": mode},
                   {"complexity": 100, "intensity": "per-flow", "pointer": True, "mode": mode}]
            m = Measurement(cores=cores, mpps=1.0, nfs=nfs)
            m.mpps = m.predicted_mpps(truth)
            runs.append(m)
    before = fit_error(runs, DEFAULT_CONSTANTS)
    fitted = calibrate(runs)
    after = fit_error(runs, fitted)
    assert after < before / 20
    assert after < 0.01          # within ~10% on every run


# ---- traffic: cardinalities ------------------------------------------------------

def test_imbalance_from_cardinalities():
    prof = traffic.parse_cardinalities({"src_ip": 4, "dst_ip": 100000,
                                        "dst_port": {"distinct": 1000, "skew": 1.2}}, "t")
    # 4 values on 16 cores: at least 4x, more when two share a core.
    assert 4.0 <= prof.imbalance(["src_ip"], 16) < 6.0
    assert prof.imbalance(["dst_ip"], 16) < 1.05
    assert prof.imbalance(["dst_port"], 16) > 2.0                      # one popular service
    assert prof.imbalance(["src_ip", "dst_ip"], 16) < prof.imbalance(["src_ip"], 16)
    assert prof.imbalance(["src_ip"], 1) == 1.0


def test_flows_cap_distinct_values():
    prof = traffic.parse_cardinalities({"flows": 8, "fields": {"src_ip": 1000, "dst_ip": 1000}}, "t")
    assert prof.distinct(["src_ip", "dst_ip"]) == 8
    assert prof.imbalance(["src_ip", "dst_ip"], 16) >= 2.0


def test_bad_cardinality_profile(tmp_path):
    with pytest.raises(InputError, match="unknown field 'vlan'"):
        traffic.parse_cardinalities({"vlan": 3}, "t.json")
    p = tmp_path / "t.json"
    p.write_text("{\n\n  oops }")
    with pytest.raises(InputError) as ei:
        traffic.load(str(p))
    assert ei.value.span.line == 3


# ---- traffic: captures ----------------------------------------------------------

def _udp_frame(src, dst, sport, dport, vlan=False):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, 17, 0, bytes(src), bytes(dst))
    udp = struct.pack(">HHHH", sport, dport, 8, 0)
    eth = b"\x00" * 12 + (b"\x81\x00\x00\x05" if vlan else b"") + b"\x08\x00"
    return eth + ip + udp


def _write_pcap(path, frames):
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for f in frames:
        out.append(struct.pack("<IIII", 0, 0, len(f), len(f)) + f)
    path.write_bytes(b"".join(out))


def test_pcap_profile(tmp_path):
    frames = []
    for i in range(400):                    # one heavy source, many destinations
        src = [10, 0, 0, 1] if i % 10 else [10, 0, 1, i % 200]
        frames.append(_udp_frame(src, [192, 168, i % 250, 1], 1000 + i, 53, vlan=i % 2 == 0))
    frames.append(b"\x00" * 12 + b"\x08\x06" + b"\x00" * 28)          # ARP: skipped
    p = tmp_path / "t.pcap"
    _write_pcap(p, frames)
    prof = traffic.load(str(p))
    assert prof.packets == 400 and prof.skipped == 1
    assert prof.distinct(["dst_port"]) == 1
    assert prof.imbalance(["src_ip"], 8) > 6                           # 90% from one host
    assert prof.imbalance(["dst_ip"], 8) < 2
    assert prof.imbalance(["dst_port"], 8) == 8.0


def test_not_a_capture(tmp_path):
    p = tmp_path / "x.pcap"
    p.write_bytes(b"hello world, not a pcap")
    with pytest.raises(InputError, match="not a pcap"):
        traffic.load(str(p))
