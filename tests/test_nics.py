"""NIC profiles (package data) and how each NIC realises dispatch on a field set (rss.py)."""
import json
import os
import re

import pytest

from flowmagec.artifacts import NICProfile
from flowmagec.errors import InputError
from flowmagec.solver import nic_profiles
from flowmagec.solver.keys import reta_indices, uniform_traffic
from flowmagec.solver.rss import RSS_TYPE_FLAGS, hashable, hashable_field_sets, realise
from flowmagec.solver.toeplitz import Flow

ETHDEV_H = "/usr/include/dpdk/rte_ethdev.h"


def test_shipped_profiles_load_with_driver_facts():
    assert set(nic_profiles.available()) >= {"mlx5", "ixgbe", "i40e", "ice", "generic", "net_null"}
    facts = {name: (p.key_bytes, p.reta_size, p.field_selection)
             for name in nic_profiles.available() for p in [nic_profiles.load(name)]}
    assert facts["ixgbe"] == (40, 128, "none")
    assert facts["i40e"] == (52, 512, "rte_flow")
    assert facts["ice"] == (52, 512, "rte_flow")
    assert facts["mlx5"][0::2] == (40, "port")
    assert isinstance(nic_profiles.load("generic"), NICProfile)


def test_aliases_and_unknown_names():
    assert nic_profiles.load("X710").name == "i40e"
    assert nic_profiles.load("cx5").name == "mlx5"
    assert nic_profiles.load("82599").name == "ixgbe"
    with pytest.raises(InputError) as e:
        nic_profiles.load("connectx-9000")
    assert "mlx5" in e.value.render() and "i40e" in e.value.render()


def test_user_profile_from_json_path_and_errors_with_location(tmp_path):
    good = tmp_path / "mynic.json"
    good.write_text(json.dumps({"name": "mynic", "driver": "mydrv", "key_bytes": 52, "reta_size": 256,
                                "field_selection": "port", "key_settable": False}))
    p = nic_profiles.load(str(good))
    assert (p.name, p.reta_size, p.key_settable) == ("mynic", 256, False)
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "name": "x", "driver": "y",\n  "reta_size": 100\n}\n')
    with pytest.raises(InputError) as e:
        nic_profiles.load(str(bad))
    assert e.value.render().startswith(f"{bad}:3:3: error: reta_size 100")
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x",,}')
    with pytest.raises(InputError, match="invalid JSON") as e:
        nic_profiles.load(str(broken))
    assert e.value.span.line == 1 and e.value.span.col == 14
    with pytest.raises(InputError, match="cannot read"):
        nic_profiles.load(str(tmp_path / "missing.json"))


def test_mlx5_selects_fields_at_port_level():
    r = realise(["dst_ip", "dst_port"], nic_profiles.load("mlx5"))
    assert (r.via, r.feasible, r.key) == ("port", True, None)
    assert r.hash_input == ["dst_ip", "dst_port"]
    assert {"l3-dst-only", "l4-dst-only", "ipv4-tcp"} <= set(r.rss_types)
    assert "RTE_ETH_RSS_L3_DST_ONLY" in r.rss_hf and "RTE_ETH_RSS_L4_DST_ONLY" in r.rss_hf


def test_ixgbe_gets_a_proven_key_that_ignores_other_fields():
    nic = nic_profiles.load("ixgbe")
    r = realise(["src_ip"], nic)
    assert (r.via, r.feasible) == ("key", True)
    assert len(r.key) == 40 and r.proof.holds
    assert r.hash_input == ["src_ip", "dst_ip", "src_port", "dst_port"]
    assert r.rss_hf == ["RTE_ETH_RSS_IPV4", "RTE_ETH_RSS_NONFRAG_IPV4_TCP", "RTE_ETH_RSS_NONFRAG_IPV4_UDP"]
    flows = uniform_traffic(300, seed=8)
    moved = [Flow(f.src, f.dst ^ 0xDEAD, f.sport ^ 1, f.dport ^ 7) for f in flows]
    assert reta_indices(r.key, flows, nic.reta_size) == reta_indices(r.key, moved, nic.reta_size)
    assert r.plan_fields()["rss_key"] == r.key.hex()


def test_default_five_tuple_needs_no_key():
    r = realise(["src_ip", "dst_ip", "src_port", "dst_port"], nic_profiles.load("ixgbe"))
    assert (r.via, r.key, r.rss_types) == ("port", None, ["ipv4", "ipv4-tcp", "ipv4-udp"])


def test_fallbacks_when_the_framework_cannot_set_keys():
    no_key = ("port", "rte_flow", "software")
    r = realise(["src_ip"], nic_profiles.load("i40e"), mechanisms=no_key)
    assert (r.via, r.rss_types) == ("rte_flow", ["ipv4", "l3-src-only"])
    r = realise(["src_ip", "dst_ip"], nic_profiles.load("ice"), symmetric=True, mechanisms=no_key)
    assert (r.via, r.hash_function) == ("rte_flow", "symmetric_toeplitz")
    r = realise(["src_ip"], nic_profiles.load("ixgbe"), mechanisms=no_key)
    assert (r.via, r.feasible) == ("software", True)
    assert "no L3/L4 *_ONLY" in r.why or "does not hash" in r.why
    r = realise(["src_ip"], nic_profiles.load("ixgbe"), mechanisms=("port",))
    assert not r.feasible and "ixgbe cannot dispatch on src_ip" in r.why


def test_symmetric_gets_a_symmetric_key_or_is_explained():
    nic = nic_profiles.load("generic")
    r = realise(["src_ip", "dst_ip"], nic, symmetric=True)
    assert r.feasible and r.key and r.proof.holds
    assert "symmetric" in [p.name for p in r.proof.properties]
    flows = uniform_traffic(200, seed=1)
    assert reta_indices(r.key, flows, nic.reta_size, r.hash_input, "ipv4") == \
        reta_indices(r.key, [f.swapped() for f in flows], nic.reta_size, r.hash_input, "ipv4")
    bad = realise(["src_ip"], nic, symmetric=True)
    assert not bad.feasible and "dst_ip" in bad.why
    proto = realise(["protocol"], nic)
    assert not proto.feasible and "protocol" in proto.why


def test_hashable_and_field_set_domain():
    ixgbe = nic_profiles.load("ixgbe")
    assert hashable(["src_port"], ixgbe)                       # via a synthesised key
    assert not hashable(["src_port"], ixgbe, mechanisms=("port", "rte_flow"))
    assert hashable_field_sets(ixgbe, mechanisms=("port",)) == [
        ["src_ip", "dst_ip"], ["src_ip", "dst_ip", "src_port", "dst_port"]]
    assert len(hashable_field_sets(nic_profiles.load("mlx5"), mechanisms=("port",))) == 12   # every set with an L3 field
    assert not hashable(["protocol"], ixgbe)


@pytest.mark.needs_dpdk
def test_rss_flag_names_exist_in_dpdk_headers():
    if not os.path.exists(ETHDEV_H):
        pytest.skip("libdpdk-dev not installed")
    text = open(ETHDEV_H).read()
    for word, flag in RSS_TYPE_FLAGS.items():
        assert re.search(rf"#define {flag}\b", text), (word, flag)


@pytest.mark.parametrize("body,message", [
    ('{"driver": "d"}', "non-empty 'name'"),
    ('{"name": "n", "driver": "d", "key_bytes": 44}', "key_bytes 44 is not supported"),
    ('{"name": "n", "driver": "d", "field_selection": "magic"}', "field_selection 'magic'"),
    ('{"name": "n", "driver": "d", "hash_functions": ["crc32"]}', "unknown hash function(s) crc32"),
    ('{"name": "n", "driver": "d", "hashable_field_sets": [["src_ip", "vlan"]]}', "bad hashable field set"),
    ('{"name": "n", "driver": "d", "max_queues": 0}', "max_queues 0"),
    ('[1, 2]', "must be a JSON object"),
])
def test_profile_validation_messages(tmp_path, body, message):
    path = tmp_path / "p.json"
    path.write_text(body)
    with pytest.raises(InputError, match=re.escape(message)) as e:
        nic_profiles.load(str(path))
    assert e.value.span is not None and e.value.span.file == str(path)


def test_port_selection_with_default_key_spreads_a_slash16():
    from flowmagec.solver.keys import clustered_traffic, reta_spread
    from flowmagec.solver.toeplitz import DEFAULT_KEY
    nic = nic_profiles.load("mlx5")
    r = realise(["src_ip"], nic)
    assert r.key is None
    traffic = clustered_traffic(16 * nic.reta_size, "src_ip", seed=2)
    assert reta_spread(DEFAULT_KEY, traffic, nic.reta_size, fields=r.hash_input) >= 0.95


def test_dual_stack_realisation_falls_back_when_no_key_exists():
    i40e = nic_profiles.load("i40e")
    r = realise(["src_ip"], i40e, input="ipv4-l4,ipv6-l4")
    assert (r.via, r.input) == ("key", "ipv4-l4,ipv6-l4") and r.proof.holds
    assert {"ipv4-tcp", "ipv6-tcp"} <= set(r.rss_types)
    r = realise(["dst_ip"], i40e, input="ipv4-l4,ipv6-l4")
    assert r.via == "rte_flow" and "zero the same key bits" in r.why
    assert not hashable(["dst_ip"], nic_profiles.load("ixgbe"), input="ipv4-l4,ipv6-l4")
    assert hashable(["dst_ip"], nic_profiles.load("ixgbe"), input="ipv6-l4")
