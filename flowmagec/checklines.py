"""Lit-style expectations embedded in source files (``// CHECK: field=value``).

Corpus NFs carry their expected features in comments::

    // CHECK-NAME: IPFlowTally
    // CHECK: stateful=true
    // CHECK: key=src_ip,dst_ip
    // CHECK: intensity=per-packet

Only the listed fields are compared.  ``parse_checks`` reads them (with file:line:col
for errors), ``compare`` diffs them against an ``NFFeatures`` record, and
``corpus_nfs`` lists the NF directories of a corpus laid out as in docs/corpus.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .artifacts import Evidence, NFFeatures, canonical_fields
from .errors import InputError, span_at

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hh", ".hpp")

_CHECK_RE = re.compile(r"//\s*CHECK(?P<tag>-NAME)?:\s*(?P<body>.*?)\s*$", re.MULTILINE)


def _parse_bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError("expected true or false")
    return text == "true"


def _parse_key(text: str) -> list[str]:
    fields = [f.strip() for f in text.split(",") if f.strip()]
    canon = canonical_fields(fields)
    if canon != fields:
        raise ValueError(f"key fields must be unique and in canonical order ({','.join(canon)})")
    return canon


def _parse_names(text: str) -> list[str]:
    return sorted(f.strip() for f in text.split(",") if f.strip())


def _parse_choice(*choices: str) -> Callable[[str], Optional[str]]:
    def parse(text: str) -> Optional[str]:
        if text == "none":
            return None
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, none")
        return text
    return parse


# field name -> parser of its textual value (the value compared with NFFeatures.<field>)
FIELD_PARSERS: dict[str, Callable[[str], Any]] = {
    "stateful": _parse_bool,
    "key": _parse_key,
    "key_other": _parse_names,
    "symmetric": _parse_bool,
    "intensity": _parse_choice("per-packet", "per-flow"),
    "pointer": _parse_bool,
    "sharing": _parse_choice("per-core", "thread-safe", "unsafe"),
}


@dataclass
class Check:
    field: str
    value: Any
    text: str           # the value as written
    file: str
    line: int


@dataclass
class Expectations:
    file: str                                   # the file carrying the CHECK lines
    name: Optional[str] = None                  # from CHECK-NAME
    checks: dict[str, Check] = field(default_factory=dict)


@dataclass
class Mismatch:
    field: str
    expected: Any
    got: Any
    check: Check
    evidence: list[Evidence] = field(default_factory=list)

    def __str__(self) -> str:
        out = [f"{self.check.file}:{self.check.line}: {self.field}: expected {_show(self.expected)}, "
               f"got {_show(self.got)}"]
        out += [f"    evidence: {e}" for e in self.evidence] or ["    evidence: (none)"]
        return "\n".join(out)


def _show(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ",".join(v) + "]"
    return str(v)


def parse_checks(text: str, file: str) -> Expectations:
    """Every CHECK / CHECK-NAME line of one file.  Bad lines raise InputError (file:line:col)."""
    exp = Expectations(file=file)
    for m in _CHECK_RE.finditer(text):
        body = m.group("body")
        where = span_at(file, text, m.start("body"), len(body))
        if m.group("tag"):
            if not body:
                raise InputError("empty CHECK-NAME", where)
            exp.name = body
            continue
        fname, eq, raw = body.partition("=")
        fname, raw = fname.strip(), raw.strip()
        if not eq or fname not in FIELD_PARSERS:
            raise InputError(f"bad CHECK line '{body}'", where,
                             expected=f"FIELD=VALUE with FIELD one of {', '.join(FIELD_PARSERS)}")
        if fname in exp.checks:
            raise InputError(f"duplicate CHECK for '{fname}'", where)
        try:
            value = FIELD_PARSERS[fname](raw)
        except ValueError as err:
            raise InputError(f"bad value '{raw}' for {fname}: {err}", where) from None
        exp.checks[fname] = Check(fname, value, raw, file, where.line)
    return exp


def find_expectations(nf_dir: str | Path) -> Expectations:
    """The expectations of the NF in ``nf_dir``: exactly one of its source files carries CHECK lines."""
    found = []
    for path in sorted(Path(nf_dir).rglob("*")):
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            exp = parse_checks(path.read_text(encoding="utf-8"), str(path))
            if exp.checks or exp.name:
                found.append(exp)
    if len(found) != 1:
        where = ", ".join(e.file for e in found) or "no file"
        raise InputError(f"{nf_dir}: expected CHECK lines in exactly one source file, found {where}")
    return found[0]


def compare(exp: Expectations, features: NFFeatures) -> list[Mismatch]:
    """Fields whose value in ``features`` differs from the expectation."""
    out = []
    for fname, check in exp.checks.items():
        got = getattr(features, fname)
        if fname == "key_other":
            got = sorted(got)
        if got != check.value:
            out.append(Mismatch(fname, check.value, got, check,
                                list(features.evidence.get(fname, []))))
    return out


# ---------------------------------------------------------------------------
# Corpus layout (docs/corpus.md): where each framework's NF directories live
# ---------------------------------------------------------------------------

# framework -> glob of its NF directories, relative to <corpus>/<framework>
CORPUS_LAYOUT = {
    "fastclick": "elements/*",
    "vpp": "plugins/*",
    "dpdk": "*",
    "plain": "*",
}


@dataclass(frozen=True)
class CorpusNF:
    framework: str
    root: Path          # <corpus>/<framework>: the --src tree (holds include/ if any)
    dir: Path           # the NF's own directory

    @property
    def id(self) -> str:
        return f"{self.framework}/{self.dir.name}"

    def sources(self) -> list[Path]:
        return sorted(p for p in self.dir.iterdir() if p.suffix in (".c", ".cc"))

    def expected_name(self, exp: Expectations) -> str:
        """The audit record name: CHECK-NAME, else the VPP plugin dir / DPDK and plain file stem."""
        if exp.name:
            return exp.name
        if self.framework == "fastclick":
            raise InputError(f"{exp.file}: FastClick corpus elements need '// CHECK-NAME: <class>'")
        return self.dir.name


def corpus_nfs(corpus_root: str | Path) -> list[CorpusNF]:
    """Every NF directory of the corpus, framework by framework, sorted by name."""
    out = []
    for fw, pattern in CORPUS_LAYOUT.items():
        root = Path(corpus_root) / fw
        out += [CorpusNF(fw, root, d) for d in sorted(root.glob(pattern))
                if d.is_dir() and d.name != "include"]
    return out
