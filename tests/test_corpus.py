"""The NF corpus: every NF's extracted features match its CHECK lines; the corpus compiles.

One case per NF directory:
  corpus/fastclick/elements/<dir>/   (element class, CHECK-NAME required)
  corpus/vpp/plugins/<plugin>/       (named after the directory)
  corpus/dpdk/<name>/<name>.c        (named after the file stem)
  corpus/plain/<name>/<name>.c       (named after the file stem)
"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

from flowmagec import adapters, analysis, compile as compile_stage, fusion
from flowmagec.artifacts import KEY_FIELDS
from flowmagec.checklines import (CORPUS_LAYOUT, CorpusNF, Expectations, compare, corpus_nfs,
                                  find_expectations, parse_checks)
from flowmagec.errors import InputError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NFS = corpus_nfs(CORPUS)
FRAMEWORKS = CORPUS_LAYOUT


@lru_cache(maxsize=None)
def _dpdk_cflags() -> tuple[str, ...]:
    try:
        out = subprocess.run(["pkg-config", "--cflags", "libdpdk"], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("pkg-config libdpdk not available")
    return tuple(shlex.split(out))


def syntax_check_command(nf: CorpusNF, src: Path) -> list[str]:
    strict = ["-Wall", "-Werror"]
    if nf.framework == "fastclick":
        return ["clang++", "-std=c++17", "-fsyntax-only", *strict,
                "-I", str(nf.root / "include"), str(src)]
    if nf.framework == "vpp":
        return ["clang", "-fsyntax-only", *strict, "-I", str(nf.root / "include"), str(src)]
    if nf.framework == "dpdk":
        return ["clang", "-fsyntax-only", *strict, *_dpdk_cflags(), str(src)]
    return ["clang", "-fsyntax-only", *strict, str(src)]


# ---------------------------------------------------------------------------
# The corpus itself
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("nf", NFS, ids=lambda nf: nf.id)
def test_corpus_nf_compiles(nf: CorpusNF):
    if shutil.which("clang") is None:
        pytest.skip("clang not installed")
    sources = nf.sources()
    assert sources, f"{nf.dir}: no .c/.cc source"
    for src in sources:
        r = subprocess.run(syntax_check_command(nf, src), capture_output=True, text=True)
        assert r.returncode == 0, f"{src} does not compile:\n{r.stderr}"


def _all_expectations() -> dict[str, Expectations]:
    return {nf.id: find_expectations(nf.dir) for nf in NFS}


def test_corpus_coverage():
    """Enough NFs, enough decoys, every framework and every feature value represented."""
    exps = _all_expectations()
    assert len(exps) >= 40
    assert {nf.framework for nf in NFS} == set(FRAMEWORKS)
    for fw in FRAMEWORKS:
        assert sum(nf.framework == fw for nf in NFS) >= 5, fw

    def values(fname):
        return [e.checks[fname].value for e in exps.values() if fname in e.checks]

    stateful = values("stateful")
    assert len(stateful) == len(exps), "every NF states stateful=true|false"
    assert stateful.count(False) >= 10
    for fname in ("symmetric", "pointer"):
        assert {True, False} <= set(values(fname)), fname
    assert {"per-packet", "per-flow"} <= set(values("intensity"))
    assert {"per-core", "thread-safe", "unsafe"} <= set(values("sharing"))
    used_key_fields = {f for key in values("key") for f in key}
    assert used_key_fields == set(KEY_FIELDS)
    others = {k for ko in values("key_other") for k in ko}
    assert {"src_mac", "ip_id"} <= others and any(k.startswith("anno:") for k in others)
    # stateful NFs say what they key on and how they write; stateless ones list no key
    for nf_id, e in exps.items():
        if e.checks["stateful"].value:
            assert {"key", "intensity", "pointer"} <= set(e.checks), nf_id
        else:
            assert not e.checks.get("key") or e.checks["key"].value == [], nf_id


def test_fastclick_elements_are_registered():
    """Each FastClick corpus element registers the class its CHECK-NAME names."""
    for nf in NFS:
        if nf.framework != "fastclick":
            continue
        exp = find_expectations(nf.dir)
        text = "".join(p.read_text() for p in nf.dir.iterdir() if p.suffix in (".cc", ".hh"))
        assert f"EXPORT_ELEMENT({exp.name})" in text, nf.id
        assert f'return "{exp.name}"' in text, nf.id


def test_entry_comment_in_c_nfs():
    for nf in NFS:
        if nf.framework in ("dpdk", "plain"):
            main = nf.dir / f"{nf.dir.name}.c"
            assert main.is_file(), f"{nf.id}: expected {main.name}"
            assert "// flowmage: entry " in main.read_text(), nf.id


# ---------------------------------------------------------------------------
# The CHECK-line parser
# ---------------------------------------------------------------------------

def test_parse_checks_reads_fields():
    exp = parse_checks("int x;\n// CHECK-NAME: Foo\n// CHECK: key=src_ip,dst_port\n"
                       "// CHECK: stateful=true\n// CHECK: intensity=none\n"
                       "//CHECK: key_other=vlan,src_mac\n", "f.cc")
    assert exp.name == "Foo"
    assert exp.checks["key"].value == ["src_ip", "dst_port"]
    assert exp.checks["key"].line == 3
    assert exp.checks["stateful"].value is True
    assert exp.checks["intensity"].value is None
    assert exp.checks["key_other"].value == ["src_mac", "vlan"]


def test_parse_checks_empty_key():
    assert parse_checks("// CHECK: key=\n", "f.c").checks["key"].value == []


@pytest.mark.parametrize("line, message", [
    ("// CHECK: colour=red", "bad CHECK line"),
    ("// CHECK: stateful=yes", "bad value 'yes' for stateful"),
    ("// CHECK: key=dst_ip,src_ip", "canonical order"),
    ("// CHECK: key=src_mac", "unknown key field"),
    ("// CHECK: sharing=global", "bad value 'global' for sharing"),
])
def test_parse_checks_rejects_bad_lines(line, message):
    with pytest.raises(InputError) as info:
        parse_checks("int x;\n" + line + "\n", "nf.c")
    rendered = info.value.render("int x;\n" + line + "\n")
    assert message in rendered
    assert rendered.startswith("nf.c:2:")


def test_find_expectations_needs_exactly_one_checked_file(tmp_path):
    (tmp_path / "a.c").write_text("int a;\n")
    with pytest.raises(InputError, match="found no file"):
        find_expectations(tmp_path)
    (tmp_path / "b.c").write_text("// CHECK: stateful=false\n")
    assert find_expectations(tmp_path).checks["stateful"].value is False
    (tmp_path / "c.h").write_text("// CHECK: pointer=false\n")
    with pytest.raises(InputError, match="b.c, .*c.h"):
        find_expectations(tmp_path)


def test_compare_reports_expected_got_and_evidence():
    from flowmagec.artifacts import Evidence, NFFeatures
    exp = parse_checks("// CHECK: stateful=true\n// CHECK: key=src_ip\n// CHECK: pointer=false\n", "x.cc")
    feats = NFFeatures(name="X", stateful=True, key=["dst_ip"], pointer=False,
                       evidence={"key": [Evidence("x.cc", 7, "source.KeyPass", "keyed by ip_dst")]})
    (m,) = compare(exp, feats)
    assert m.field == "key" and m.expected == ["src_ip"] and m.got == ["dst_ip"]
    assert "x.cc:2: key: expected [src_ip], got [dst_ip]" in str(m)
    assert "keyed by ip_dst" in str(m)


# ---------------------------------------------------------------------------
# Features extracted by the pipeline match the expectations
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("bitcode"))


@pytest.mark.parametrize("nf", NFS, ids=lambda nf: nf.id)
def test_corpus_features(nf: CorpusNF, cache_dir):
    exp = find_expectations(nf.dir)
    name = nf.expected_name(exp)
    units = adapters.discover_paths([str(nf.dir)], framework=nf.framework, src_dirs=[str(nf.root)])
    found = [u.name for u in units.units]
    assert found == [name], f"{nf.dir}: expected one NF unit named {name}, found {found}"
    units = compile_stage.compile_units(units, cache_dir=cache_dir)
    facts = analysis.analyze(units)
    (features,) = fusion.fuse(facts, units).nfs
    mismatches = compare(exp, features)
    if mismatches:
        stages = "; ".join(f"{k}: {v}" for f in facts for k, v in f.stages.items())
        pytest.fail(f"{name}: {len(mismatches)} feature(s) differ from the CHECK lines "
                    f"(stages: {stages or 'none'}, ir: {units.units[0].ir_status})\n"
                    + "\n".join(str(m) for m in mismatches), pytrace=False)


# ---------------------------------------------------------------------------
# Features come from code, not names: renamed copies get the same features
# ---------------------------------------------------------------------------

RENAMED = ["fastclick/flowtracker", "fastclick/probewatch", "fastclick/pathchoice",
           "fastclick/routeselect", "fastclick/dialogs", "vpp/stickylb", "vpp/aclcheck",
           "vpp/natmap", "dpdk/meterd", "dpdk/fwd_static", "plain/srcfreq", "plain/chains"]
NEW_NAME = "Unit7"


def rename_copy(nf: CorpusNF, dest: Path) -> Path:
    """Copy ``nf`` under ``dest`` with its directory, files, class name and prefixes renamed."""
    old_names = [nf.dir.name]
    exp = find_expectations(nf.dir)
    if exp.name and exp.name != nf.dir.name:
        old_names.insert(0, exp.name)
    pattern = re.compile("|".join(re.escape(n) for n in old_names))
    rel = nf.dir.relative_to(nf.root)
    new_dir = dest / nf.framework / rel.parent / NEW_NAME.lower()
    new_dir.mkdir(parents=True)
    include = nf.root / "include"
    if include.is_dir() and not (dest / nf.framework / "include").exists():
        (dest / nf.framework / "include").symlink_to(include)
    for src in nf.dir.iterdir():
        new = new_dir / pattern.sub(NEW_NAME.lower(), src.name)
        text = src.read_text()
        if exp.name and exp.name != nf.dir.name:
            text = re.sub(rf"\b{re.escape(exp.name)}\b", NEW_NAME, text)
        new.write_text(pattern.sub(NEW_NAME.lower(), text))
    return new_dir


def _features_of(framework: str, nf_dir: Path, root: Path, cache_dir: str):
    units = adapters.discover_paths([str(nf_dir)], framework=framework, src_dirs=[str(root)])
    units = compile_stage.compile_units(units, cache_dir=cache_dir)
    (features,) = fusion.fuse(analysis.analyze(units), units).nfs
    return features


@pytest.mark.parametrize("nf_id", RENAMED)
def test_renamed_copy_has_same_features(nf_id, tmp_path, cache_dir):
    (nf,) = [nf for nf in NFS if nf.id == nf_id]
    copy = rename_copy(nf, tmp_path)
    assert nf.dir.name not in "".join(p.read_text() for p in copy.iterdir())
    exp = find_expectations(nf.dir)
    original = _features_of(nf.framework, nf.dir, nf.root, cache_dir)
    renamed = _features_of(nf.framework, copy, tmp_path / nf.framework, cache_dir)
    assert renamed.name in (NEW_NAME, NEW_NAME.lower())
    differ = {f: (getattr(original, f), getattr(renamed, f)) for f in exp.checks
              if getattr(original, f) != getattr(renamed, f)}
    assert not differ, f"{nf_id}: renaming changed features (original, renamed): {differ}"
