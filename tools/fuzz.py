#!/usr/bin/env python3
"""Mutation fuzzer for flowmagec's input paths (no dependencies beyond flowmagec).

Targets, each fed mutants of our own configurations (``tests/data``, ``examples``):

* ``parse``   - ``flowmagec parse --json FILE`` (Click and VPP frontends);
* ``edit``    - parse, edit and write back through an OutputSet (the emitters'
                path): an unedited document must render byte for byte, an edited
                one must be written without error or temp file;
* ``main``    - the main job ``flowmagec FILE -o OUT`` (every ``--main-every``-th run);
* ``db``      - the feature DB loader on mutated DB files (bytes and field types);
* ``plan``    - the CLI's output planning: random ``-o/--report/--dispatcher`` paths
                (inputs, directories, /dev/null, missing directories, duplicates).

Everything runs in-process (a run costs milliseconds, not an interpreter start);
a run over ``--slow`` seconds is interrupted by an alarm and counted.  Findings:
Python tracebacks (any exception other than a clean exit 0/2 or a handled
FlowmageError), slow runs, and temp files left in the work directory.  The
inputs behind them are saved under ``--save``.

    python tools/fuzz.py --runs 10000            # the long run, by hand
    python tools/fuzz.py --seconds 30 --seed 1   # what tests/test_fuzz.py runs
    python tools/fuzz.py --faults 100            # SIGTERM/SIGINT into real runs
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED_DIRS = [ROOT / "tests" / "data", ROOT / "examples"]
SEED_SUFFIXES = (".click", ".conf", ".cli")
MAX_INPUT = 1 << 20             # mutants are capped at 1 MiB

# Fragments of both languages and hostile bytes, spliced in by the mutator.
TOKENS = [b"{", b"}", b"(", b")", b"[", b"]", b"[0]", b"->", b"=>", b"~>", b"::", b";", b",",
          b"||", b"...", b"|", b"$x", b"$(", b"\\", b'"', b"'", b"/*", b"*/", b"//", b"#", b"\n",
          b"\r\n", b"\t", b"elementclass E ", b"require(library lib/common.click)",
          b"define($X 1)", b"input", b"output", b"input -> output", b"Null", b"Queue(",
          b"FromDPDKDevice(0, N_QUEUES 4)", b"dpdk {", b"dev 0000:00:01.0 {", b"cpu {",
          b"workers 4", b"unix {", b"exec ", b"startup-config ", b"define m $m\n",
          b"set interface nat44 in ", b"\xff", b"\xfe\xff", b"\x00", b"\x1b[2J", b"\xc3",
          b"\xed\xa0\x80", b"\xe2\x80\xae", b"0x", b"-1", b"99999999999999999999"]


@dataclass
class Finding:
    kind: str                   # traceback | slow | tempfile | mismatch
    target: str
    seed: str
    detail: str
    saved: str = ""


@dataclass
class Stats:
    runs: int = 0
    by_target: dict = field(default_factory=dict)
    exits: dict = field(default_factory=dict)
    findings: list = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: str = ""

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


class Slow(BaseException):
    """Raised by the alarm: the run took longer than the limit."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt after ``seconds`` of this process's CPU time (ITIMER_PROF): the
    machines this runs on are shared, and wall time there measures the neighbours."""
    def on_alarm(signum, frame):
        raise Slow()
    old = signal.signal(signal.SIGPROF, on_alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


# ---------------------------------------------------------------------------
# Mutation
# ---------------------------------------------------------------------------

class Mutator:
    def __init__(self, rng: random.Random, seeds: list[bytes]):
        self.rng = rng
        self.seeds = seeds

    def mutate(self, data: bytes) -> bytes:
        for _ in range(self.rng.choice((1, 1, 2, 3, 5, 8))):
            data = self.rng.choice(self.OPS)(self, data)
            if len(data) > MAX_INPUT:
                data = data[:MAX_INPUT]
        return data

    def _pos(self, data: bytes) -> int:
        return self.rng.randint(0, len(data))

    def flip(self, data):
        if not data:
            return bytes([self.rng.randrange(256)])
        i = self.rng.randrange(len(data))
        return data[:i] + bytes([self.rng.randrange(256)]) + data[i + 1:]

    def insert_token(self, data):
        i = self._pos(data)
        return data[:i] + self.rng.choice(TOKENS) + data[i:]

    def insert_random(self, data):
        i = self._pos(data)
        return data[:i] + os.urandom(self.rng.randint(1, 16)) + data[i:]

    def delete(self, data):
        if not data:
            return data
        i = self.rng.randrange(len(data))
        return data[:i] + data[i + self.rng.randint(1, 64):]

    def duplicate(self, data):
        if not data:
            return data
        i = self.rng.randrange(len(data))
        chunk = data[i:i + self.rng.randint(1, 200)]
        times = self.rng.choice((1, 2, 10, 100, 1000))
        j = self._pos(data)
        return data[:j] + chunk * times + data[j:]

    def nest(self, data):
        """Deep nesting: a brace or parenthesis run (balanced or not)."""
        opener, closer = self.rng.choice(((b"{ ", b" }"), (b"( ", b" )"), (b"{ input -> ", b" -> output }")))
        n = self.rng.choice((10, 100, 1000, 5000))
        i = self._pos(data)
        body = opener * n + b"Null" + (closer * n if self.rng.random() < 0.7 else b"")
        return data[:i] + body + data[i:]

    def splice(self, data):
        other = self.rng.choice(self.seeds)
        i, j = self._pos(data), self.rng.randint(0, len(other))
        return data[:i] + other[j:j + self.rng.randint(1, 400)] + data[i:]

    def truncate(self, data):
        return data[:self._pos(data)]

    OPS = [flip, insert_token, insert_token, insert_random, delete, duplicate, nest, splice,
           truncate]


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------

def _seed_files() -> list[Path]:
    out = []
    for d in SEED_DIRS:
        if d.is_dir():
            out += sorted(p for p in d.rglob("*") if p.suffix in SEED_SUFFIXES and p.is_file()
                          and "/out/" not in str(p))
    return out


def _quiet_main(argv: list[str]) -> int:
    from flowmagec.cli import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


def _temp_leftovers(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*")
            if p.name.startswith(".") and (p.name.endswith(".tmp") or p.name.endswith(".old"))]


class Fuzzer:
    def __init__(self, seed: int, work: Path, save: Path | None, slow: float, main_every: int,
                 log=print):
        self.rng = random.Random(seed)
        self.work = work
        self.save_dir = save
        self.slow = slow
        self.main_every = main_every
        self.log = log
        self.files = _seed_files()
        self.seed_bytes = [p.read_bytes() for p in self.files]
        self.mutator = Mutator(self.rng, self.seed_bytes)
        self.stats = Stats()
        self.cache = work / "cache"
        self.hung = False           # a run could not be interrupted (the loop stops)

    # -- one run ----------------------------------------------------------------

    def _stage(self, index: int, data: bytes) -> Path:
        """The mutant at the seed's file name, next to copies of the seed's siblings
        (libraries, exec scripts), in a fresh directory."""
        seed = self.files[index]
        d = self.work / "run"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for sib in seed.parent.iterdir():
            if sib.is_file() and sib.stat().st_size < 200_000:
                shutil.copy(sib, d / sib.name)
            elif sib.is_dir() and sib.name == "lib":
                shutil.copytree(sib, d / sib.name)
        target = d / seed.name
        target.write_bytes(data)
        return target

    def run_one(self, target: str, label: str, fn) -> None:
        self.stats.runs += 1
        self.stats.by_target[target] = self.stats.by_target.get(target, 0) + 1
        t0 = time.process_time()
        try:
            with time_limit(self.slow):
                code = fn()
            self.stats.exits[code] = self.stats.exits.get(code, 0) + 1
            if code not in (0, 1, 2):
                self._finding("traceback", target, label, f"exit {code}")
        except Slow:
            self._finding("slow", target, label, f"over {self.slow} s")
            from flowmagec.frontends.deep import wait_idle
            if not wait_idle(timeout=60):   # the interrupted parse still runs: stop here
                self.hung = True
        except SystemExit as e:
            self.stats.exits[e.code] = self.stats.exits.get(e.code, 0) + 1
        except AssertionError as e:
            self._finding("mismatch", target, label, str(e)[:300])
        except BaseException:     # noqa: BLE001 - any escape from main is a finding
            tb = traceback.format_exc()
            self._finding("traceback", target, label, tb[-1500:])
        took = time.process_time() - t0
        if took > self.stats.slowest:
            self.stats.slowest, self.stats.slowest_input = took, f"{target}:{label}"
        left = _temp_leftovers(self.work / "run") if (self.work / "run").exists() else []
        if left:
            self._finding("tempfile", target, label, ", ".join(left[:3]))

    def _finding(self, kind: str, target: str, label: str, detail: str) -> None:
        saved = ""
        if self.save_dir is not None and (self.work / "run").exists():
            dest = self.save_dir / f"{len(self.stats.findings):04d}-{kind}-{target}"
            shutil.copytree(self.work / "run", dest, dirs_exist_ok=True)
            saved = str(dest)
        self.stats.findings.append(Finding(kind, target, label, detail, saved))
        self.log(f"[{kind}] {target} {label}: {detail.splitlines()[-1] if detail else ''}")

    # -- targets ----------------------------------------------------------------

    def parse(self, path: Path) -> int:
        return _quiet_main(["parse", "--json", str(path)])

    def edit(self, path: Path, original: bytes) -> int:
        from flowmagec.errors import FlowmageError
        from flowmagec.outputs import OutputSet
        try:
            if path.suffix == ".click":
                from flowmagec.frontends.click import ClickDocument
                doc = ClickDocument.parse_file(str(path))
                rendered = doc.render()
                assert rendered.encode("utf-8", "surrogateescape") == original, \
                    "unedited Click document does not render byte for byte"
                names = [e.name for e in doc.chain.elements] if hasattr(doc, "chain") else []
                if names:
                    with contextlib.suppress(FlowmageError):
                        doc.set_keyword(self.rng.choice(names), "BURST", "32")
                text = doc.render()
            else:
                from flowmagec.frontends.vpp import VppDocument, VppScript, looks_like_startup_conf
                raw = original.decode("utf-8", "surrogateescape")
                if path.suffix == ".conf" or looks_like_startup_conf(raw):
                    doc = VppDocument(raw, str(path))
                    assert doc.render() == raw, "unedited startup.conf does not render as read"
                    with contextlib.suppress(FlowmageError):
                        doc.set_cpu_workers(self.rng.randint(1, 64))
                else:
                    doc = VppScript(raw, str(path))
                    assert doc.render() == raw, "unedited CLI script does not render as read"
                    doc.append(["set interface rx-placement eth0 queue 0 worker 1"], "fuzz")
                text = doc.render()
        except FlowmageError:
            return 2
        out = path.with_name("edited" + path.suffix)
        with OutputSet(protected=[str(path)], force=True) as outs:
            outs.write(out, text)
        assert out.read_bytes() == text.encode("utf-8", "surrogateescape"), "written bytes differ"
        return 0

    def main_job(self, path: Path) -> int:
        out = path.with_name("out" + path.suffix)
        return _quiet_main([str(path), "-o", str(out), "--force", "--cores", "4",
                            "--solver-timeout-ms", "2000", "--cache-dir", str(self.cache)])

    def db(self) -> int:
        from flowmagec.artifacts import SCHEMA_FEATURES
        from flowmagec.features_db import FeatureDB, record_digest
        d = self.work / "run"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        rec = {"name": "N", "stateful": True, "key": ["src_ip"], "key_other": [],
               "evidence": {"key": [{"file": "a.cc", "line": 3, "source": "s", "detail": ""}]},
               "confidence": {"key": 0.5}, "digest": "x", "framework": "fastclick"}
        values = ["src_ip", 1, 1.5, True, None, [], {}, ["a"], [1], {"a": 1}, "\udcff", -1,
                  [[[]]], {"file": 1}]
        recs = []
        for _ in range(self.rng.randint(0, 4)):
            r = dict(rec)
            for _ in range(self.rng.randint(0, 3)):
                r[self.rng.choice(list(rec) + ["schema", "sharing", "intensity", "extra"])] = \
                    self.rng.choice(values)
            if self.rng.random() < 0.5:
                r["record_digest"] = record_digest(r)
            recs.append(r)
        doc = {"nfs": recs, "schema": self.rng.choice([SCHEMA_FEATURES] * 4 + ["x", 1, None])}
        data = json.dumps(doc).encode("utf-8", "surrogatepass")
        if self.rng.random() < 0.5:
            data = self.mutator.mutate(data)
        path = d / "features.json"
        path.write_bytes(data)
        db = FeatureDB.open(str(path))
        db.update([])
        db.save()
        FeatureDB.open(str(path))
        return 0

    def plan(self) -> int:
        """Random output paths: refused plans exit 2 and change nothing."""
        d = self.work / "run"
        if d.exists():
            shutil.rmtree(d)
        (d / "adir").mkdir(parents=True)
        cfg = d / "chain.click"
        cfg.write_bytes((ROOT / "tests" / "data" / "click" / "basic.click").read_bytes())
        (d / "old.click").write_text("previous output")
        os.link(d / "old.click", d / "hard.click")
        (d / "link.click").symlink_to(cfg)
        choices = [str(cfg), str(d / "adir"), "/dev/null", str(d / "missing" / "x.click"),
                   str(d / "old.click"), str(d / "hard.click"), str(d / "link.click"),
                   str(d / "new.click"), str(d / "new.json"), str(d / "d.c"), str(d / "d.h"),
                   str(d / "." / "new.click")]
        argv = [str(cfg), "--cache-dir", str(d / "cache"), "--solver-timeout-ms", "2000"]
        for opt in ("-o", "--report", "--dispatcher"):
            if self.rng.random() < 0.7:
                argv += [opt, self.rng.choice(choices)]
        for flag in ("--force", "--mkdir"):
            if self.rng.random() < 0.5:
                argv.append(flag)
        before = {p: p.read_bytes() for p in d.rglob("*") if p.is_file() and not p.is_symlink()}
        code = _quiet_main(argv)
        if code == 2:
            after = {p: p.read_bytes() for p in d.rglob("*") if p.is_file() and not p.is_symlink()}
            assert after == before, f"refused plan changed files: {argv}"
            assert not (d / "cache").exists(), f"refused plan did work first: {argv}"
        assert cfg.read_bytes() == (ROOT / "tests/data/click/basic.click").read_bytes(), \
            f"input overwritten: {argv}"
        return code

    # -- the loop -------------------------------------------------------------------

    def run(self, runs: int, seconds: float, targets: list[str]) -> Stats:
        deadline = time.monotonic() + seconds if seconds else None
        i = 0
        while (not runs or i < runs) and (deadline is None or time.monotonic() < deadline) \
                and not self.hung:
            i += 1
            target = targets[i % len(targets)]
            if target in ("db", "plan"):
                self.run_one(target, f"#{i}", getattr(self, target))
                continue
            k = self.rng.randrange(len(self.files))
            data = self.mutator.mutate(self.seed_bytes[k])
            label = f"#{i} {self.files[k].relative_to(ROOT)} ({len(data)} bytes)"
            path = self._stage(k, data)
            if target == "parse":
                self.run_one("parse", label, lambda: self.parse(path))
                if self.main_every and i % self.main_every == 0:
                    self.run_one("main", label, lambda: self.main_job(path))
            elif target == "edit":
                self.run_one("edit", label, lambda: self.edit(path, data))
        return self.stats


# ---------------------------------------------------------------------------
# Fault injection: signals into real `flowmagec` processes
# ---------------------------------------------------------------------------

def faults(n: int, work: Path, seed: int, log=print) -> dict:
    """SIGTERM/SIGINT into real runs at random times (half of them during the
    commit, slowed by FLOWMAGEC_TEST_COMMIT_DELAY): the old files or the whole new
    set, no temp files."""
    from flowmagec.outputs import COMMIT_DELAY_ENV
    rng = random.Random(seed)
    names = ["chain.opt.click", "report.json", "d.c", "d.h"]
    result = {"runs": 0, "old": 0, "new": 0, "partial": 0, "tempfiles": 0, "tracebacks": 0}
    for i in range(n):
        d = work / f"fault{i}"
        d.mkdir(parents=True)
        for name in names:
            (d / name).write_text("OLD")
        during_commit = i % 2 == 1
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        if during_commit:
            env[COMMIT_DELAY_ENV] = "0.2"
        argv = [sys.executable, "-m", "flowmagec", str(ROOT / "tests/data/click/basic.click"),
                "-o", str(d / names[0]), "--report", str(d / names[1]), "--dispatcher",
                str(d / names[2]), "--force", "--cache-dir", str(work / "cache")]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if during_commit:
            while proc.poll() is None and all((d / x).read_text() == "OLD" for x in names):
                time.sleep(0.01)
        else:
            time.sleep(rng.uniform(0.05, 3.0))
        proc.send_signal(rng.choice([signal.SIGTERM, signal.SIGINT, signal.SIGHUP]))
        err = proc.communicate(timeout=300)[1]
        result["runs"] += 1
        if b"Traceback" in err or b"Fatal Python error" in err:
            result["tracebacks"] += 1
            log(f"[fault] run {i}: traceback:\n{err.decode(errors='replace')[-1500:]}")
        old = [(d / x).read_text() == "OLD" for x in names]
        kind = "old" if all(old) else "new" if not any(old) else "partial"
        result[kind] += 1
        left = _temp_leftovers(d)
        result["tempfiles"] += len(left)
        if kind == "partial" or left:
            log(f"[fault] run {i}: {kind}, temp files {left}")
        shutil.rmtree(d)
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=0, help="mutations to run (0: until --seconds)")
    ap.add_argument("--seconds", type=float, default=0, help="time budget (0: until --runs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--targets", default="parse,edit,parse,db,parse,plan",
                    help="comma-separated, cycled: parse, edit, db, plan")
    ap.add_argument("--main-every", type=int, default=10,
                    help="also run the main job on every N-th parse mutant (0: never)")
    ap.add_argument("--slow", type=float, default=10.0,
                    help="CPU seconds after which a run is slow (and interrupted)")
    ap.add_argument("--save", metavar="DIR", help="keep the inputs behind findings here")
    ap.add_argument("--faults", type=int, default=0, metavar="N",
                    help="instead: N signal fault-injection runs of the real CLI")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    if not args.runs and not args.seconds and not args.faults:
        args.runs = 1000
    work = Path(tempfile.mkdtemp(prefix="flowmagec-fuzz-"))
    try:
        if args.faults:
            res = faults(args.faults, work, args.seed)
            print(json.dumps(res, indent=2))
            return 0 if not (res["partial"] or res["tempfiles"] or res["tracebacks"]) else 1
        fz = Fuzzer(args.seed, work, Path(args.save) if args.save else None, args.slow,
                    args.main_every, log=lambda s: print(s, file=sys.stderr))
        t0 = time.monotonic()
        st = fz.run(args.runs, args.seconds, args.targets.split(","))
        summary = {"runs": st.runs, "seconds": round(time.monotonic() - t0, 1),
                   "by_target": st.by_target, "exits": {str(k): v for k, v in st.exits.items()},
                   "tracebacks": st.count("traceback"), "slow": st.count("slow"),
                   "tempfiles": st.count("tempfile"), "mismatches": st.count("mismatch"),
                   "slowest_s": round(st.slowest, 2), "slowest": st.slowest_input,
                   "findings": [f.__dict__ for f in st.findings[:50]]}
        print(json.dumps(summary, indent=2) if args.json else
              "\n".join(f"{k}: {v}" for k, v in summary.items() if k != "findings"))
        return 0 if not st.findings else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
