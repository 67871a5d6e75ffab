"""Fuzz the generated frame parser under AddressSanitizer + UBSan: mutated and
truncated frames of every shape, each in a heap buffer of exactly its length."""
from __future__ import annotations

import subprocess

import pytest

from flowmagec.artifacts import Plan, Stage

from test_dispatcher_support import build, have

SANITIZE = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
            "-g")
PLANS = {
    "four_tuple_two_stage": Plan(fields=["src_ip", "dst_ip", "src_port", "dst_port"], cores=3,
                                 stages=[Stage(0, ["src_ip"]),
                                         Stage(1, ["dst_port", "protocol"], dispatch="software")]),
    "src_only": Plan(fields=["src_ip"], cores=8),
}


def sanitizers_work(cc: str) -> bool:
    proc = subprocess.run([cc, *SANITIZE, "-x", "c", "-", "-o", "/dev/null"],
                          input="int main(void){return 0;}", capture_output=True, text=True)
    return proc.returncode == 0


FUZZ_CC = "clang" if have("clang") else "gcc"


@pytest.mark.parametrize("name", PLANS)
def test_parser_survives_malformed_frames_under_asan(name, tmp_path):
    cc = FUZZ_CC
    if not have(cc) or not sanitizers_work(cc):
        pytest.skip(f"{cc} cannot build with -fsanitize=address,undefined here")
    exe = build(PLANS[name], "fuzz_parser.c", tmp_path, cc=cc, cflags=SANITIZE,
                ldflags=SANITIZE[:1])
    proc = subprocess.run([str(exe), "200000"], capture_output=True, text=True, timeout=120,
                          env={"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
                               "UBSAN_OPTIONS": "print_stacktrace=1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    total, parsed = map(int, proc.stdout.split())
    assert total == 200000
    assert 0.2 * total < parsed < 0.9 * total, "mutations should hit both accept and reject paths"


def libfuzzer_works() -> bool:
    proc = subprocess.run(["clang", "-fsanitize=fuzzer", "-x", "c", "-", "-o", "/dev/null"],
                          input="#include <stdint.h>\n#include <stddef.h>\n"
                                "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)"
                                "{(void)d;(void)n;return 0;}",
                          capture_output=True, text=True)
    return proc.returncode == 0


@pytest.mark.skipif(not have("clang") or not libfuzzer_works(),
                    reason="clang with -fsanitize=fuzzer (libFuzzer) not available")
def test_parser_under_libfuzzer(tmp_path):
    exe = build(PLANS["four_tuple_two_stage"], "fuzz_parser.c", tmp_path, cc="clang",
                cflags=("-DFLOWMAGE_LIBFUZZER", "-fsanitize=fuzzer,address,undefined",
                        "-fno-sanitize-recover=all", "-g"),
                ldflags=("-fsanitize=fuzzer,address,undefined",))
    proc = subprocess.run([str(exe), "-runs=200000", "-max_len=256", "-seed=1"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 200000 runs" in proc.stderr
