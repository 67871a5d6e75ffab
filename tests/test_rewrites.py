"""The ``rewrites`` feature: header fields an NF writes, from source and IR.

Corpus NFs of our own writing, each with the fields its code really stores
into the packet's headers (checksum updates are not fields)."""
from __future__ import annotations

from pathlib import Path

import pytest

from flowmagec import adapters, analysis, compile as compile_stage, fusion

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# (framework, NF directory under corpus/<framework>, expected rewrites)
EXPECTED = [
    ("dpdk", "srcnat", ["src_ip", "src_port"]),             # helper writes through its params
    ("fastclick", "elements/outsidemap", ["src_ip", "src_port"]),
    ("vpp", "plugins/natmap", ["src_ip", "src_port"]),
    ("fastclick", "elements/reflect", ["src_ip", "dst_ip", "src_port", "dst_port",
                                       "dst_mac", "src_mac"]),   # memcpy + T& swap helper
    ("dpdk", "macswap", ["dst_mac", "src_mac", "ttl"]),     # rte_ether_addr_copy (src, dst)
    ("fastclick", "elements/hopdecrement", ["ttl"]),        # ip_ttl--, ip_sum is not a field
    ("vpp", "plugins/hdrfix", ["tos", "ttl"]),                # ttl -= 1 under a guard
    ("fastclick", "elements/tokengate", []),                # reads headers, writes none
    ("vpp", "plugins/flowstat", []),
]


def _run(framework: str, rel: str, cache_dir: str):
    root = CORPUS / framework
    units = adapters.discover_paths([str(root / rel)], framework=framework, src_dirs=[str(root)])
    units = compile_stage.compile_units(units, cache_dir=cache_dir)
    facts = analysis.analyze(units)
    (features,) = fusion.fuse(facts, units).nfs
    return facts[0], features


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bitcode"))


@pytest.mark.parametrize("framework, rel, expected", EXPECTED, ids=[e[1] for e in EXPECTED])
def test_rewrites_of_corpus_nfs(framework, rel, expected, cache_dir):
    facts, features = _run(framework, rel, cache_dir)
    assert features.rewrites == expected, [str(e) for e in features.evidence.get("rewrites", [])]
    for ev in features.evidence.get("rewrites", []):
        assert ev.file and ev.line > 0 and ev.source.endswith("RewritePass")


@pytest.mark.parametrize("framework, rel", [("dpdk", "srcnat"), ("fastclick", "elements/outsidemap"),
                                            ("vpp", "plugins/natmap")])
def test_ir_level_finds_the_same_rewrites(framework, rel, cache_dir):
    """The IR pass sees the stores through the header pointers on its own."""
    facts, features = _run(framework, rel, cache_dir)
    if not facts.stages.get("ir", "").startswith("ok"):
        pytest.skip(f"no IR: {facts.stages.get('ir')}")
    ir = {f.value["field"] for f in facts.of("rewrite") if f.evidence.source == "ir.RewritePass"}
    assert ir == set(features.rewrites)


def test_stateless_rewriter_keeps_rewrites(cache_dir):
    """A stateless NF still reports what it writes (the solver needs it)."""
    _, features = _run("fastclick", "elements/hopdecrement", cache_dir)
    assert not features.stateful and features.rewrites == ["ttl"]


def test_header_copy_in_a_local_is_not_a_rewrite(tmp_path, cache_dir):
    """Storing into a header struct copied into a local is not a packet write."""
    nf = tmp_path / "copyonly"
    nf.mkdir()
    (nf / "copyonly.c").write_text(
        "// flowmage: entry copyonly_packet\n"
        "#include <netinet/ip.h>\n"
        "unsigned copyonly_packet(const unsigned char *l3) {\n"
        "    struct iphdr h = *(const struct iphdr *)l3;\n"
        "    h.saddr = 0;\n"
        "    return h.daddr ^ h.saddr;\n"
        "}\n")
    units = adapters.discover_paths([str(nf)], framework="plain")
    (features,) = fusion.fuse(analysis.analyze(units), units).nfs
    assert features.rewrites == []


@pytest.mark.parametrize("stmt, expected", [
    ("q -> rewrite_ipport ( ip , port , 0 , true )", {"src_ip", "src_port"}),
    ("q -> rewrite_ipport ( ip , port , 1 , true )", {"dst_ip", "dst_port"}),
    ("q -> rewrite_ipport ( ip , port , shift , true )", {"src_ip", "src_port", "dst_ip", "dst_port"}),
    ("h . rewrite_ipport ( q , ip , port , 1 , true )", {"dst_ip", "dst_port"}),   # IPHelper's form
    ("q -> uniqueify ( )", set()),
])
def test_framework_header_setters_from_knowledge(stmt, expected):
    """FastClick's ``rewrite_ipport`` writes the source or the destination pair,
    picked by its constant ``shift`` argument (knowledge row, role header-setter)."""
    from flowmagec.passes.source_rewrites import setter_fields
    from flowmagec.passes.source_tu import calls_in
    (call,) = [c for c in calls_in(stmt.split()) if c.name in ("rewrite_ipport", "uniqueify")]
    assert setter_fields(call) == expected
