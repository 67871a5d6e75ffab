"""flowmagec bench / calibrate: the generated C, per-core tables, the demo chain end to
end, and calibrated constants reaching the solver (tiny sizes: correctness, no timing)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from flowmagec.artifacts import FeatureSet, NFFeatures, Plan, PortDispatch
from flowmagec.bench import calibration, program, traces
from flowmagec.bench.program import ATOMIC, LOCK, RACE, ChainSpec, Configuration, ElementSpec
from flowmagec.solver.cost import MODE_NOTHING, MODE_SHARED, CostConstants

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "flowmagec"]
DEMO = ["examples/demo/chain.click", "--src", "corpus/fastclick",
        "--assume", "Classifier=stateless", "--assume", "MarkIPHeader=stateless"]

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None,
                                reason="needs a C compiler")


def _spec() -> ChainSpec:
    """Every table flavour: private, pointer, lock per packet/flow, atomics, racing."""
    return ChainSpec(elements=[
        ElementSpec("cls", "Classifier", complexity=8),
        ElementSpec("bysrc", "A", stateful=True, key=("src_ip",), intensity="per-packet",
                    pointer=True, complexity=40),
        ElementSpec("bydst", "B", stateful=True, key=("dst_ip",), intensity="per-packet",
                    complexity=20),
        ElementSpec("pair", "C", stateful=True, key=("src_ip", "dst_ip"), symmetric=True,
                    intensity="per-flow", pointer=True, complexity=10),
        ElementSpec("flow", "D", stateful=True, key=("src_ip", "dst_ip", "src_port", "dst_port",
                                                      "protocol"), intensity="per-packet"),
        ElementSpec("race", "E", stateful=True, key=("dst_ip",), intensity="per-packet"),
    ])


def _config(protect_bydst: str, ports: bool = False) -> Configuration:
    plan = Plan(fields=["src_ip"], hash_input=["src_ip"], rss_via="software", cores=2)
    if ports:       # two devices: the second hashes the swapped field
        plan.ports = [PortDispatch(device="port 0", fields=["src_ip"], hash_input=["src_ip"]),
                      PortDispatch(device="port 1", fields=["dst_ip"], hash_input=["dst_ip"])]
    modes = {"bysrc": MODE_NOTHING, "bydst": MODE_SHARED, "pair": MODE_SHARED,
             "flow": MODE_NOTHING, "race": MODE_SHARED}
    return Configuration(label=f"test-{protect_bydst}", plan=plan, modes=modes,
                         protection={"bydst": protect_bydst, "pair": LOCK, "race": RACE})


@pytest.mark.parametrize("protect,ports", [(LOCK, False), (ATOMIC, True)])
def test_generated_c_compiles_warning_free(tmp_path, protect, ports):
    prog = program.build(_spec(), _config(protect, ports), 2, 64, tmp_path)
    assert prog.binary.exists()
    assert prog.warnings.strip() == ""
    src = (prog.binary.parent / "bench.c").read_text()
    assert "nf1_tables[NB_CORES]" in src and "nf2_tables[1]" in src    # private vs shared
    if ports:
        assert "flowmage_dev1_queue" in src


def test_calibration_c_compiles_warning_free(tmp_path):
    _, warnings = program.compile_c({"calibrate.c": calibration.render(2, 1000)}, tmp_path, "cal")
    assert warnings.strip() == ""


def _key(t, fields):
    names = ("src_ip", "dst_ip", "src_port", "dst_port", "protocol")
    return tuple(v if n in fields else None for n, v in zip(names, t))


def test_private_tables_per_core_and_shared_counts_add_up(tmp_path):
    trace = traces.synthetic("uniform", 3000, flows=200, seed=7)
    trace.write(str(tmp_path / "trace.bin"))
    spec = _spec()
    prog = program.build(spec, _config(ATOMIC), 2, trace.flows(), tmp_path)
    res = prog.run(str(tmp_path / "trace.bin"), reps=2, queues_out=str(tmp_path / "q.bin"))
    queues = list(memoryview((tmp_path / "q.bin").read_bytes()).cast("I"))
    assert res["processed"] == len(trace) and res["dropped"] == 0
    assert sum(res["per_core"]) == len(trace) and all(res["per_core"])
    tables = {t["nf"]: t["instances"] for t in res["tables"]}
    for name, fields in (("bysrc", {"src_ip"}), ("flow", {"src_ip", "dst_ip", "src_port",
                                                          "dst_port", "protocol"})):
        per_core = defaultdict(set)
        for t, q in zip(trace.tuples, queues):
            per_core[q].add(_key(t, fields))
        inst = tables[name]
        assert len(inst) == 2
        # each core's private table holds exactly the flows dispatched to that core ...
        assert [i["entries"] for i in inst] == [len(per_core[0]), len(per_core[1])]
        # ... which are disjoint: dispatch on src_ip keeps each key on one core
        assert not per_core[0] & per_core[1]
        assert [i["count"] for i in inst] == [queues.count(0), queues.count(1)]
    # shared per-packet NF under atomics: one instance, every packet counted once
    assert len(tables["bydst"]) == 1
    assert tables["bydst"][0]["count"] == len(trace)
    assert tables["bydst"][0]["entries"] == len({_key(t, {"dst_ip"}) for t in trace.tuples})
    # symmetric per-flow key: both directions would share one entry
    assert tables["pair"][0]["entries"] == len({tuple(sorted(t[:2])) for t in trace.tuples})


def test_lock_protected_shared_table_stays_consistent(tmp_path):
    trace = traces.synthetic("few-dst", 4000, flows=300, seed=3)
    trace.write(str(tmp_path / "trace.bin"))
    res = program.build(_spec(), _config(LOCK), 2, trace.flows(), tmp_path).run(
        str(tmp_path / "trace.bin"), reps=3)
    shared = {t["nf"]: t["instances"] for t in res["tables"]}["bydst"]
    assert shared[0]["count"] == len(trace)
    assert shared[0]["entries"] == len({t[1] for t in trace.tuples}) <= traces.FEW_DESTINATIONS


def test_traces_shapes(tmp_path):
    bidir = traces.synthetic("bidir", 2000, flows=50)
    assert set(bidir.dirs) == {0, 1}
    assert len({t[0] for t in traces.synthetic("prefixes", 2000, flows=500).tuples}) <= \
        traces.PREFIXES * 256
    zipf = traces.synthetic("zipf", 5000, flows=500)
    top = max(zipf.tuples.count(t) for t in set(zipf.tuples))
    assert top > 5 * len(zipf) / 500            # skewed: the head flow far above the mean
    with pytest.raises(Exception):
        traces.synthetic("nope", 10)


def test_capture_trace_reads_pcap(tmp_path):
    import struct
    frames = [traces.ipv4_frame(0x0A000001, 0x0A000002, 1000 + i, 80, 6) for i in range(5)]
    body = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for f in frames:
        body += struct.pack("<IIII", 0, 0, len(f), len(f)) + f
    (tmp_path / "t.pcap").write_bytes(body)
    tr = traces.load(str(tmp_path / "t.pcap"), 0)
    assert len(tr) == 5 and tr.tuples[0][2] == 1000 and tr.frames[0] == frames[0]


def test_bench_demo_chain_prints_table_and_regret(tmp_path):
    out = subprocess.run(CLI + ["bench"] + DEMO + ["--cores", "1,2", "--packets", "3000",
                                                   "--flows", "256", "--reps", "1",
                                                   "--json", str(tmp_path / "b.json")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "configuration" in out.stdout and "all-shared-5tuple" in out.stdout
    assert "plan" in out.stdout and "rank-rule" in out.stdout
    regret = [l for l in out.stdout.splitlines() if l.startswith("regret ")]
    assert regret and float(regret[0].split()[1]) >= 1.0
    data = json.loads((tmp_path / "b.json").read_text())
    assert {r["cores"] for r in data["rows"]} == {1, 2}
    assert all(r["processed"] == 3000 for r in data["rows"])


def test_bench_bad_cores_is_an_input_error():
    out = subprocess.run(CLI + ["bench"] + DEMO + ["--cores", "0,x"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--cores" in out.stderr and "Traceback" not in out.stderr


def _demo_features() -> FeatureSet:
    return FeatureSet(nfs=[
        NFFeatures(name="Classifier"), NFFeatures(name="MarkIPHeader"),
        NFFeatures(name="ProbeWatch", stateful=True, key=["src_ip"], intensity="per-packet",
                   pointer=True, complexity=400, sharing="thread-safe"),
        NFFeatures(name="DstMeter", stateful=True, key=["dst_ip"], intensity="per-packet",
                   complexity=170, sharing="thread-safe"),
        NFFeatures(name="CommonLedger", stateful=True, key=["src_ip", "dst_ip", "src_port",
                                                             "dst_port", "protocol"],
                   intensity="per-packet", complexity=280, sharing="thread-safe")])


def test_calibration_file_changes_the_solvers_cost(tmp_path):
    from flowmagec import frontends
    from flowmagec.solver import nic_profiles, solve
    out = subprocess.run(CLI + ["calibrate", "-o", str(tmp_path / "cal.json"), "--scale", "0.01",
                                "--no-fit"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "cal.json").read_text())
    assert "lock_cycles_per_packet" in data["calibrated"] and "cycles_per_complexity" in data["defaults"]
    consts = CostConstants.load(str(tmp_path / "cal.json"))
    assert consts.lock_cycles_per_packet == data["constants"]["lock_cycles_per_packet"]
    chain = frontends.load(str(ROOT / "examples/demo/chain.click"))
    nic = nic_profiles.load("generic")
    default = solve(chain, _demo_features(), nic, cores=2)
    # one calibrated constant, the rest default: the solver's cost moves with it
    single = CostConstants(nf_fixed_cycles=consts.nf_fixed_cycles + 500)
    assert solve(chain, _demo_features(), nic, cores=2, constants=single).cost > default.cost + 400
    calibrated = solve(chain, _demo_features(), nic, cores=2, constants=consts)
    assert calibrated.cost != default.cost


def test_main_job_reads_calibration(tmp_path):
    (tmp_path / "f.json").write_text(_demo_features().to_json())
    cal = {"constants": {"nf_fixed_cycles": 5000.0}}
    (tmp_path / "cal.json").write_text(json.dumps(cal))
    base = ["examples/demo/chain.click", "--features", str(tmp_path / "f.json"), "--cores", "2",
            "--explain"]
    runs = [subprocess.run(CLI + base + extra, cwd=ROOT, capture_output=True, text=True,
                           timeout=120) for extra in ([], ["--calibration", str(tmp_path / "cal.json")])]
    assert all(r.returncode == 0 for r in runs), runs[1].stderr
    predicted = [[l for l in r.stdout.splitlines() if "predicted" in l][0] for r in runs]
    assert predicted[0] != predicted[1]
    (tmp_path / "bad.json").write_text(json.dumps({"constants": {"no_such": 1}}))
    bad = subprocess.run(CLI + base + ["--calibration", str(tmp_path / "bad.json")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no_such" in bad.stderr


def test_prepared_run_measures_elsewhere(tmp_path):
    (tmp_path / "f.json").write_text(_demo_features().to_json())
    prep = tmp_path / "prep"
    made = subprocess.run(CLI + ["bench", "examples/demo/chain.click", "--features",
                                 str(tmp_path / "f.json"), "--cores", "2", "--packets", "2000",
                                 "--flows", "64", "--reps", "1", "--prepare", str(prep)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert (prep / "run.sh").exists() and (prep / "manifest.json").exists()
    ran = subprocess.run(["sh", str(prep / "run.sh")], capture_output=True, text=True,
                         timeout=120, env={"PATH": "/usr/bin:/bin", "OUT": str(tmp_path / "out")})
    assert ran.returncode == 0, ran.stderr
    shown = subprocess.run(CLI + ["bench", "--results", str(tmp_path / "out" / "prep")],
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert any(l.startswith("regret ") for l in shown.stdout.splitlines())


def test_fit_moves_constants_toward_the_measurements():
    from flowmagec.solver.cost import Measurement
    truth = CostConstants(coherence_per_packet=3.0, pointer_factor=2.0)
    ms = []
    for intensity, pointer, mode in calibration.FIT_FORMS:
        for n in (1, 2, 4, 8):
            nf = dict(complexity=100, intensity=intensity, pointer=pointer, mode=mode)
            m = Measurement(cores=n, mpps=1.0, nfs=[nf])
            m.mpps = m.predicted_mpps(truth)
            ms.append(m)
    start = calibration.Calibration(constants=CostConstants(), calibrated={"pointer_factor": "x"})
    fitted = calibration.fit(start, ms, log=lambda s: None)
    assert fitted.measured["fit"]["error_after"] < fitted.measured["fit"]["error_before"] / 10
    assert fitted.constants.coherence_per_packet > 1.5
    assert fitted.calibrated["coherence_per_packet"].startswith("fit to 32 chain-benchmark runs")
