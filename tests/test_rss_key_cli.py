"""`flowmagec rss-key`: hex key, JSON with proof and spread, exit 2 on bad input."""
import json
import re

import pytest

from flowmagec.cli import main
from flowmagec.solver.keys import prove_key, synthesize_key


def run(capsys, *argv):
    code = main(["rss-key", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prints_lowercase_hex_key_that_proves(capsys):
    code, out, _ = run(capsys, "--fields", "src_ip")
    key = out.strip()
    assert code == 0 and re.fullmatch(r"[0-9a-f]{80}", key)
    assert bytes.fromhex(key) == synthesize_key(["src_ip"])
    assert prove_key(bytes.fromhex(key), ["src_ip"], 128).holds


def test_json_has_proof_spread_and_baseline(capsys):
    code, out, _ = run(capsys, "--fields", "dst_ip,src_ip", "--symmetric", "--key-bytes", "52",
                       "--reta", "512", "--json", "--baseline")
    data = json.loads(out)
    assert code == 0 and len(bytes.fromhex(data["key"])) == 52
    assert data["fields"] == ["src_ip", "dst_ip"] and data["symmetric"] and data["reta_size"] == 512
    assert data["proof"]["holds"]
    assert {p["name"] for p in data["proof"]["properties"]} >= {"independent", "symmetric"}
    assert min(data["spread"].values()) >= 0.95
    assert data["baseline_maestro"]["spread"]["clustered_src_ip"] < 0.05


def test_ipv6_input(capsys):
    code, out, _ = run(capsys, "--fields", "dst_ip", "--input", "ipv6", "--json")
    data = json.loads(out)
    assert code == 0 and data["input"] == "ipv6" and data["proof"]["holds"]


@pytest.mark.parametrize("argv,message", [
    (["--fields", "src_ip,proto"], "unknown field(s) in --fields: proto"),
    (["--fields", "protocol"], "not part of the Toeplitz input"),
    (["--fields", "src_ip", "--symmetric"], "add dst_ip"),
    (["--fields", "src_ip", "--reta", "100"], "power of two"),
    (["--fields", "src_ip", "--reta", "lots"], "--reta expects an integer"),
    (["--fields", "src_ip", "--key-bytes", "44"], "--key-bytes 44 is not supported (expected 40 or 52)"),
    (["--fields", "src_ip", "--input", "ipv5"], "unknown --input 'ipv5'"),
    (["--fields", "src_port", "--input", "ipv4"], "not in the ipv4 hash input"),
])
def test_bad_input_exits_2_with_a_clear_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_missing_fields_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        main(["rss-key"])
    assert e.value.code == 2
    assert "--fields" in capsys.readouterr().err


def test_dual_stack_input_list(capsys):
    code, out, _ = run(capsys, "--fields", "src_ip", "--input", "ipv4-l4,ipv6-l4", "--json")
    data = json.loads(out)
    assert code == 0 and data["input"] == "ipv4-l4,ipv6-l4" and data["proof"]["holds"]
    assert "ipv6-l4:clustered_src_ip" in data["spread"]
    code, out, err = run(capsys, "--fields", "dst_ip", "--input", "ipv4-l4,ipv6-l4")
    assert code == 2 and "zero the same key bits" in err


def test_nic_profile_sets_key_length_and_reta(capsys):
    code, out, _ = run(capsys, "--fields", "src_ip", "--nic", "x710", "--json")
    data = json.loads(out)
    assert code == 0 and (data["key_bytes"], data["reta_size"]) == (52, 512)
    code, out, _ = run(capsys, "--fields", "src_ip", "--nic", "x710", "--reta", "128", "--json")
    assert json.loads(out)["reta_size"] == 128
    code, _, err = run(capsys, "--fields", "src_ip", "--nic", "nosuchnic")
    assert code == 2 and "available profiles" in err
