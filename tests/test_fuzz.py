"""A bounded run of tools/fuzz.py: mutants of our own configs through parse, edit and
write, the main job, the feature DB loader and the output planning (the long run:
``python tools/fuzz.py --runs 10000``)."""
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("flowmagec_fuzz", ROOT / "tools" / "fuzz.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod            # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_bounded_fuzz_run_finds_nothing(tmp_path):
    fuzz = _fuzz_module()
    fz = fuzz.Fuzzer(seed=11, work=tmp_path, save=None, slow=10.0, main_every=10,
                     log=lambda s: None)
    stats = fz.run(runs=0, seconds=25, targets=["parse", "edit", "parse", "db", "parse", "plan"])
    assert stats.runs > 50
    assert set(stats.by_target) == {"parse", "edit", "db", "plan", "main"}
    assert stats.exits.get(2, 0) > 0 and stats.exits.get(0, 0) > 0     # both outcomes reached
    assert stats.findings == [], [(f.kind, f.target, f.seed, f.detail[-400:])
                                  for f in stats.findings[:5]]


def test_mutator_reaches_hostile_shapes():
    import random
    fuzz = _fuzz_module()
    m = fuzz.Mutator(random.Random(0), [b"a -> b;"])
    outs = [m.mutate(b"a :: Queue -> Discard;\n") for _ in range(400)]
    assert any(b"\xff" in o or b"\x00" in o for o in outs)
    assert any(o.count(b"{") >= 100 or o.count(b"(") >= 100 for o in outs)
    assert all(len(o) <= fuzz.MAX_INPUT for o in outs)
