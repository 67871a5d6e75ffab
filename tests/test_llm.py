"""LLM second opinion (issue 10) against a real local OpenAI-compatible server:
structured answers and garbled ones, retries, votes, cache, fusion, CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmagec import adapters, analysis, compile as compile_mod
from flowmagec.cli import main
from flowmagec.llm import Prompts, compare_complexity, fuse_with_llm, opinions_for
from flowmagec.llm.cache import AnswerCache
from flowmagec.llm.client import ChatClient, LLMConfig, extract_json
from flowmagec.llm.tokens import estimate

from llm_server import Script, Server

ROOT = Path(__file__).parent.parent
PROBE = ROOT / "corpus" / "fastclick" / "elements" / "probewatch"
HOPS = ROOT / "corpus" / "fastclick" / "elements" / "hopdecrement"
INC = str(ROOT / "corpus" / "fastclick")

GOOD = {"stateful": True, "key": ["src_ip"], "key_other": [], "symmetric": False,
        "intensity": "per-packet", "pointer": True, "rewrites": []}


def answer(**kw) -> dict:
    return {"content": json.dumps({**GOOD, **kw})}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cc")
    units = adapters.discover_paths([str(PROBE), str(HOPS)], src_dirs=[INC])
    compile_mod.compile_units(units, cache_dir=str(cache))
    return units, analysis.analyze(units)


def cfg_for(server, **kw) -> LLMConfig:
    base = dict(model="test-model", base_url=server.url, api_key="k", samples=3,
                timeout_s=2.0, retries=2, backoff_s=0.01)
    return LLMConfig(**{**base, **kw})


def client_for(cfg, tmp_path, waits=None):
    return ChatClient(cfg, AnswerCache(tmp_path), sleep=(waits.append if waits is not None
                                                         else lambda s: None))


def ask(units, cfg, tmp_path, waits=None):
    return opinions_for(units.units[:1], [], cfg, client=client_for(cfg, tmp_path, waits))


def test_structured_answers_vote_and_count_tokens(analysed, tmp_path):
    units, _ = analysed
    with Server(Script([answer()])) as srv:
        rep = ask(units, cfg_for(srv), tmp_path)
        assert srv.count == 3
        body = srv.script.requests[0]
        assert body["response_format"]["type"] == "json_schema"
        assert body["temperature"] == 0.0
    op = rep.nfs[0]
    assert op.opinions["key"] == {"value": ["src_ip"], "confidence": 1.0, "votes": "3/3"}
    assert op.opinions["pointer"]["value"] is True
    assert rep.usage.prompt_tokens == 300 and rep.usage.completion_tokens == 60


@pytest.mark.parametrize("content", [
    "Sure! Here is the JSON:\n" + json.dumps(GOOD) + "\nHope it helps.",
    "```json\n" + json.dumps(GOOD, indent=2) + "\n```",
])
def test_json_in_prose_or_fences_is_extracted(analysed, tmp_path, content):
    units, _ = analysed
    with Server(Script([{"content": content}])) as srv:
        rep = ask(units, cfg_for(srv, samples=1), tmp_path)
    assert rep.nfs[0].opinions["key"]["value"] == ["src_ip"]


@pytest.mark.parametrize("content", [
    json.dumps({"is_stateful": True, "flow_key": "src_ip"}),          # wrong field names
    json.dumps({**GOOD, "key": "src_ip", "intensity": "often", "stateful": "yes"}),
    "",                                                                # empty answer
    "I cannot answer that.",
])
def test_garbled_answers_give_no_opinion_and_never_crash(analysed, tmp_path, content):
    units, _ = analysed
    with Server(Script([{"content": content}])) as srv:
        rep = ask(units, cfg_for(srv, samples=2), tmp_path)
    ops = rep.nfs[0].opinions
    assert "key" not in ops and "stateful" not in ops and "intensity" not in ops


def test_429_with_retry_after_then_success(analysed, tmp_path):
    units, _ = analysed
    waits: list = []
    with Server(Script([{"status": 429, "headers": {"Retry-After": "0.25"}}, answer()])) as srv:
        rep = ask(units, cfg_for(srv, samples=1), tmp_path, waits)
        assert srv.count == 2
    assert waits == [0.25]
    assert rep.nfs[0].opinions["stateful"]["value"] is True


def test_500_and_timeouts_are_retried_then_given_up(analysed, tmp_path):
    units, _ = analysed
    waits: list = []
    with Server(Script([{"status": 500}, {"delay": 3.0, "content": "late"}, answer()])) as srv:
        rep = ask(units, cfg_for(srv, samples=1, timeout_s=0.5, retries=3), tmp_path, waits)
        assert rep.nfs[0].opinions["stateful"]["value"] is True
    assert len(waits) == 2 and waits[1] == 2 * waits[0]          # exponential backoff
    with Server(Script([{"status": 503}])) as srv:
        rep = ask(units, cfg_for(srv, samples=1, retries=2), tmp_path / "b", [])
        assert srv.count == 3
    assert rep.nfs[0].opinions == {} and "gave up" in rep.usage.errors[0]


def test_servers_without_structured_output_fall_back(analysed, tmp_path):
    units, _ = analysed
    step = {"reject_formats": ("json_schema", "json_object"), "content": json.dumps(GOOD)}
    with Server(Script([step])) as srv:
        rep = ask(units, cfg_for(srv, samples=1), tmp_path)
        formats = [(r.get("response_format") or {}).get("type") for r in srv.script.requests]
    assert formats == ["json_schema", "json_object", None]
    assert rep.nfs[0].opinions["stateful"]["value"] is True


def test_inconsistent_votes_take_the_majority_and_report_the_split(analysed, tmp_path):
    units, _ = analysed
    steps = [answer(), answer(key=["dst_ip"]), answer(), answer(pointer=False), answer()]
    with Server(Script(steps)) as srv:
        rep = ask(units, cfg_for(srv, samples=5), tmp_path)
    op = rep.nfs[0]
    assert op.opinions["key"]["value"] == ["src_ip"] and op.opinions["key"]["votes"] == "4/5"
    assert op.splits["key"] == {"src_ip": 4, "dst_ip": 1}
    with Server(Script([answer(), answer(pointer=False)])) as srv:      # a tie: no opinion
        rep = ask(units, cfg_for(srv, samples=2), tmp_path / "t")
    assert "pointer" not in rep.nfs[0].opinions and "stateful" in rep.nfs[0].opinions


def test_cache_makes_zero_requests_when_nothing_changed(analysed, tmp_path):
    units, _ = analysed
    with Server(Script([answer()])) as srv:
        cfg = cfg_for(srv)
        ask(units, cfg, tmp_path)
        assert srv.count == 3
        ask(units, cfg, tmp_path)
        assert srv.count == 3                       # all from the cache
        ask(units, cfg_for(srv, model="other-model"), tmp_path)
        assert srv.count == 6                       # a new model: new calls
        ask(units, cfg_for(srv, samples=4), tmp_path)
        assert srv.count == 7                       # only the fourth sample is new


def test_changed_code_or_template_needs_exactly_its_calls(analysed, tmp_path, monkeypatch):
    units, _ = analysed
    with Server(Script([answer()])) as srv:
        cfg = cfg_for(srv, samples=1)
        client = client_for(cfg, tmp_path)
        opinions_for(units.units, [], cfg, client=client)
        assert srv.count == 2
        opinions_for(units.units, [], cfg, client=client)
        assert srv.count == 2
        real = Prompts.load
        def edited():
            p = real()
            p.version += "-edited"
            return p
        monkeypatch.setattr(Prompts, "load", classmethod(lambda cls: edited()))
        opinions_for(units.units, [], cfg, client=client)
        assert srv.count == 4


def test_a_wrong_llm_never_changes_a_proven_feature(analysed, tmp_path):
    units, facts = analysed
    static, _ = fuse_with_llm(facts, units, None)
    wrong = answer(stateful=False, key=["dst_ip", "dst_port"], intensity="per-flow",
                   pointer=False)
    with Server(Script([wrong])) as srv:
        fused, rep = fuse_with_llm(facts, units, cfg_for(srv), tmp_path)
    for s, f in zip(static.nfs, fused.nfs):
        for feature in ("stateful", "key", "intensity", "pointer"):
            if s.confidence.get(feature, 0) >= 0.5:
                assert getattr(f, feature) == getattr(s, feature), (s.name, feature)
    probe = next(f for f in fused.nfs if f.name == "ProbeWatch")
    assert any("llm:test-model" in d for d in probe.disagreements)


def test_llm_only_reproduces_the_pure_llm_pipeline(analysed, tmp_path):
    units, facts = analysed
    with Server(Script([answer(key=["dst_ip"])])) as srv:
        fused, _ = fuse_with_llm(facts, units, cfg_for(srv, only=True), tmp_path)
    assert {tuple(f.key) for f in fused.nfs} == {("dst_ip",)}
    assert all(f.evidence["key"][0].source == "llm:test-model" for f in fused.nfs)


def test_slices_are_smaller_than_whole_files_and_keep_line_numbers(analysed):
    units, facts = analysed
    from flowmagec.llm.slicing import slice_unit
    unit = next(u for u in units.units if u.name == "ProbeWatch")
    f = next(x for x in facts if x.nf == "ProbeWatch")
    sl = slice_unit(unit, f, 2400)
    import dataclasses
    bare = dataclasses.replace(unit, entry_points=[])     # nothing found: whole files
    whole = slice_unit(bare, None, 10 ** 6)
    assert sl.sliced and not whole.sliced and sl.tokens < whole.tokens
    assert all(c.where.split(":")[0].endswith(("probewatch.cc", "probewatch.hh"))
               for c in sl.chunks)
    assert "|" in sl.chunks[0].text.splitlines()[0]           # numbered lines
    tiny = slice_unit(unit, f, 60)
    assert tiny.truncated and tiny.tokens <= 60 and "budget 60" in tiny.truncation


def test_complexity_prompt_votes_between_two_nfs(analysed, tmp_path):
    units, facts = analysed
    a, b = units.units[0], units.units[1]
    with Server(Script([{"content": '{"more_work": "A"}'}, {"content": '{"more_work": "B"}'},
                        {"content": '{"more_work": "A"}'}])) as srv:
        cfg = cfg_for(srv)
        assert compare_complexity((a, None), (b, None), cfg, tmp_path) == "A"


def test_json_extraction_is_tolerant():
    assert extract_json('x {"a": "}"} y {"b": 1}') == {"a": "}"}
    assert extract_json("no json") is None
    assert estimate("int x = 10;") == 5


def test_cli_llm_on_audit_and_main_job_off_by_default(tmp_path, capsys, monkeypatch):
    with Server(Script([answer()])) as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.url)
        monkeypatch.setenv("OPENAI_API_KEY", "k")
        rc = main(["audit", str(PROBE), "--src", INC, "--format", "json", "--cache-dir",
                   str(tmp_path / "c"), "--llm", "test-model", "--llm-samples", "2"])
        assert rc == 0 and srv.count == 2
        out = json.loads(capsys.readouterr().out)
        assert out["llm"]["usage"]["requests"] == 2 and out["llm"]["nfs"][0]["nf"] == "ProbeWatch"
        rc = main(["audit", str(PROBE), "--src", INC, "--format", "json", "--cache-dir",
                   str(tmp_path / "c")])
        assert rc == 0 and srv.count == 2                    # --llm off: nothing sent
        demo = ROOT / "examples" / "demo" / "chain.click"
        rc = main([str(demo), "--src", INC, "--cache-dir", str(tmp_path / "c"), "--llm",
                   "test-model", "--llm-samples", "1", "--assume", "Classifier=stateless",
                   "--assume", "MarkIPHeader=stateless"])
        # its three NFs, one sample each; ProbeWatch's first sample is the audit's, cached
        assert rc == 0 and srv.count == 2 + 2
    assert main(["audit", str(PROBE), "--llm-only"]) == 2


def test_main_job_report_carries_llm_usage_and_complexity_votes(tmp_path, monkeypatch):
    from flowmagec.artifacts import FeatureSet, NFFeatures
    from flowmagec.llm import refine_complexity

    def reply(request):
        system = request["messages"][0]["content"]
        return {"content": '{"more_work": "B"}' if "per-packet work of two" in system
                else json.dumps(GOOD)}
    with Server(Script([reply])) as srv:
        cfg = cfg_for(srv, samples=1)
        units = adapters.discover_paths([str(PROBE), str(HOPS)], src_dirs=[INC])
        feats = FeatureSet(nfs=[NFFeatures(name=u.name, stateful=True, complexity=100.0,
                                           confidence={"complexity": 0.2}) for u in units.units])
        assert refine_complexity(feats, units, [], cfg, tmp_path) == 1
        a, b = feats.nfs
        assert b.complexity == pytest.approx(125.0) and a.complexity == 100.0
        assert "pairwise vs" in b.evidence["complexity"][0].detail
        monkeypatch.setenv("OPENAI_BASE_URL", srv.url)
        report = tmp_path / "r.json"
        demo = ROOT / "examples" / "demo" / "chain.click"
        rc = main([str(demo), "--src", INC, "--cache-dir", str(tmp_path / "c"), "--llm", "m",
                   "--llm-samples", "1", "--assume", "Classifier=stateless", "--assume",
                   "MarkIPHeader=stateless", "-o", str(tmp_path / "o.click"), "--report",
                   str(report)])
    assert rc == 0
    data = json.loads(report.read_text())
    assert data["llm"]["model"] == "m" and data["llm"]["usage"]["requests"] >= 3


def test_prompt_definitions_are_those_of_the_docs():
    defs = (ROOT / "prompts" / "definitions.md").read_text().strip()
    assert defs in (ROOT / "docs" / "features.md").read_text()
    system, _ = Prompts.load().feature(
        adapters.discover_paths([str(PROBE)], src_dirs=[INC]).units[0],
        __import__("flowmagec.llm.slicing", fromlist=["Slice"]).Slice())
    assert defs in system
