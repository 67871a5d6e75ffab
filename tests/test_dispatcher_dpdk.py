"""The dispatcher against DPDK 22.11: rte_softrss on 100,000 random tuples, the
set-up code compiled against libdpdk, and an EAL smoke test on net_null.

Skipped (with the reason) when libdpdk-dev is absent; CI installs it.
"""
from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from flowmagec.artifacts import Plan

from test_dispatcher_support import STRICT_CFLAGS, build, have, write_dispatcher_sources

FOUR_TUPLE = ["src_ip", "dst_ip", "src_port", "dst_port"]


def pkg_config(*args: str) -> list[str] | None:
    if not have("pkg-config"):
        return None
    proc = subprocess.run(["pkg-config", *args, "libdpdk"], capture_output=True, text=True)
    return shlex.split(proc.stdout) if proc.returncode == 0 else None


DPDK_CFLAGS = pkg_config("--cflags")
DPDK_LIBS = pkg_config("--libs")
pytestmark = [pytest.mark.needs_dpdk,
              pytest.mark.skipif(DPDK_CFLAGS is None or not have("gcc"),
                                 reason="libdpdk-dev (pkg-config libdpdk) or gcc not available")]


@pytest.mark.parametrize("fields, with_ports", [(FOUR_TUPLE, 1), (["src_ip", "dst_ip"], 0)])
@pytest.mark.parametrize("key", ["", "random"])
def test_hash_equals_rte_softrss_on_100k_tuples(fields, with_ports, key, tmp_path):
    rss_key = os.urandom(40).hex() if key == "random" else ""
    exe = build(Plan(fields=fields, rss_key=rss_key, cores=4), "softrss_compare.c", tmp_path,
                cflags=(*DPDK_CFLAGS, f"-DWITH_PORTS={with_ports}"))
    proc = subprocess.run([str(exe), "100000"], capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["100000", "0"], (rss_key, proc.stdout, proc.stderr)


SETUP_PLANS = {
    "src_only_52_byte_key": Plan(fields=["src_ip"], cores=4, rss_key="ab" * 52),
    "symmetric_toeplitz": Plan(fields=FOUR_TUPLE, cores=4, hash_function="symmetric_toeplitz",
                               rss_types=["ipv4", "ipv4-tcp", "ipv4-udp"]),
}


@pytest.mark.parametrize("name", SETUP_PLANS)
@pytest.mark.parametrize("cc", [c for c in ("gcc", "clang") if have(c)])
def test_dpdk_setup_code_compiles_warning_free(cc, name, tmp_path):
    plan = SETUP_PLANS[name]
    dispatch_c = write_dispatcher_sources(plan, tmp_path)
    proc = subprocess.run([cc, *STRICT_CFLAGS, "-O2", "-DFLOWMAGE_WITH_DPDK", *DPDK_CFLAGS,
                           "-c", str(dispatch_c), "-o", str(tmp_path / "d.o")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


EAL_ARGS = ["--no-huge", "--no-pci", "--vdev=net_null0", "-m", "256", "--no-shconf", "-l", "0",
            "--log-level=error"]


def remove_eal_runtime_dir(prefix: str) -> None:
    """EAL leaves an (empty, with --no-shconf) runtime directory named after the prefix."""
    bases = [Path("/var/run/dpdk"), Path(os.environ.get("XDG_RUNTIME_DIR", "/tmp")) / "dpdk"]
    for base in bases:
        try:
            (base / prefix).rmdir()
        except OSError:
            pass


def run_smoke(plan: Plan, tmp_path) -> list[str]:
    exe = build(plan, "dpdk_smoke.c", tmp_path, cflags=("-DFLOWMAGE_WITH_DPDK", *DPDK_CFLAGS),
                ldflags=tuple(DPDK_LIBS or ()))
    prefix = f"flowmage-test-{os.getpid()}-{tmp_path.name}"
    try:
        proc = subprocess.run([str(exe), *EAL_ARGS, f"--file-prefix={prefix}"],
                              capture_output=True, text=True, timeout=120)
    finally:
        remove_eal_runtime_dir(prefix)
    if proc.returncode == 77:
        pytest.skip(f"EAL cannot initialise in this environment: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.splitlines()


def test_smoke_net_null_configures_rss_and_takes_a_smaller_reta(tmp_path):
    reta = [(i // 3) % 2 for i in range(64)]        # device RETA (128) gets it twice
    out = run_smoke(Plan(fields=FOUR_TUPLE, cores=2, reta=reta), tmp_path)
    assert out[0].startswith("configure=0 ")        # net_null offers all 4-tuple types
    assert "key_len=40" in out[0]
    assert out[1:3] == ["set_reta=0 reta_size=128", "reta ok"]


def test_smoke_net_null_masks_field_selection_it_lacks(tmp_path):
    out = run_smoke(Plan(fields=["src_ip"], cores=2), tmp_path)
    assert out[0].startswith("configure=1 ")        # l3-src-only dropped: not offered
    assert "reta ok" in out
