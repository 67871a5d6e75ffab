"""Code slices for the LLM: what the static stage found relevant, with file:line.

A slice is made of chunks, in priority order:
  1. per-packet entry points and the functions holding the static evidence
     (state containers, key construction, state writes), most evidence first;
  2. the types (struct/class/union) whose definition holds evidence;
  3. functions of the NF's own files that those functions call (one level).
Each chunk keeps its original line numbers.  Budget policy (reported in the
prompt and the opinion's ``truncation``): chunks are added whole while they fit;
a chunk that does not fit is cut to excerpts of +-6 lines around its evidence
lines; a chunk without evidence that does not fit is dropped.  When the static
stage found nothing, the NF's whole files are sent, head first, cut at the budget.

IR input (``--llm-input ir|both``): the LLVM IR of the per-packet functions and of
the functions in the source slice, from the unit's linked bitcode.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from ..artifacts import Facts, NFUnit
from .tokens import estimate

EXCERPT_CONTEXT = 6
CHUNK_OVERHEAD = 8          # the chunk's heading and code fence in the prompt
_HEADER_KW = re.compile(r"\b(struct|class|union)\s+([A-Za-z_]\w*)")
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_FUNC_NAME = re.compile(r"([A-Za-z_][\w:~]*)\s*\([^;{}]*\)\s*(?:const\s*)?(?:override\s*)?"
                        r"(?:noexcept\s*)?(?::[^{}]*)?$", re.S)


@dataclass
class Block:
    file: str
    start: int          # 1-based, header line
    end: int
    header: str
    kind: str           # 'function' | 'type'
    name: str


@dataclass
class Chunk:
    kind: str           # 'function' | 'type' | 'callee' | 'file' | 'ir'
    where: str          # 'path:start-end'
    lang: str
    text: str
    tokens: int = 0


@dataclass
class Slice:
    chunks: list[Chunk] = field(default_factory=list)
    sliced: bool = True
    truncated: bool = False
    truncation: str = ""
    tokens: int = 0

    def text(self) -> str:
        return "\n".join(f"{c.kind} {c.where}\n{c.text}" for c in self.chunks)


def read_text(path: str) -> str:
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", errors="surrogateescape")


def blocks(path: str, text: str) -> list[Block]:
    """Function and type bodies of a C/C++ file (brace matching outside strings and
    comments), at any depth: a class body and the methods inside it are both blocks."""
    out: list[Block] = []
    stack: list[tuple[int, int]] = []          # (offset of '{', header start offset)
    i, n, last_stmt = 0, len(text), 0
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "#" and (i == 0 or text[i - 1] == "\n"):
            j = text.find("\n", i)
            i = n if j < 0 else j
            last_stmt = i
            continue
        if c == "{":
            stack.append((i, last_stmt))
            last_stmt = i + 1
        elif c == "}":
            if stack:
                open_at, head_at = stack.pop()
                gap = list(re.finditer(r"\n[ \t]*\n", text[head_at:open_at]))
                if gap:                      # the header starts after the last blank line
                    head_at += gap[-1].end()
                header = re.sub(r"//[^\n]*|/\*.*?\*/", "", text[head_at:open_at], flags=re.S).strip()
                b = _block(path, text, head_at, i, header)
                if b is not None:
                    out.append(b)
            last_stmt = i + 1
        elif c == ";":
            last_stmt = i + 1
        i += 1
    return out


def _block(path: str, text: str, head_at: int, close_at: int, header: str) -> Optional[Block]:
    raw = text[head_at:close_at]
    start = text.count("\n", 0, head_at + len(raw) - len(raw.lstrip())) + 1
    end = text.count("\n", 0, close_at) + 1
    m = _HEADER_KW.search(header)
    if m and "(" not in header:
        return Block(path, start, end, header, "type", m.group(2))
    fm = _FUNC_NAME.search(header)
    if fm and not re.match(r"^(if|for|while|switch|do|else|return)\b", header.split()[-1] if header else ""):
        name = fm.group(1).split("::")[-1]
        if name not in ("if", "for", "while", "switch", "sizeof", "return"):
            return Block(path, start, end, header, "function", name)
    return None


def _numbered(lines: list[str], start: int, end: int) -> str:
    return "\n".join(f"{k:5d}| {lines[k - 1]}" for k in range(start, min(end, len(lines)) + 1))


def _excerpt(lines: list[str], block: Block, marks: list[int]) -> str:
    spans: list[list[int]] = []
    for m in sorted(marks):
        lo, hi = max(block.start, m - EXCERPT_CONTEXT), min(block.end, m + EXCERPT_CONTEXT)
        if spans and lo <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    parts = [_numbered(lines, block.start, block.start)] if spans and spans[0][0] > block.start else []
    for lo, hi in spans:
        parts.append("  ...")
        parts.append(_numbered(lines, lo, hi))
    return "\n".join(parts + ["  ..."])


def slice_unit(unit: NFUnit, facts: Optional[Facts], budget: int, source: bool = True,
               ir: bool = False) -> Slice:
    files = [f for f in dict.fromkeys(unit.files + unit.headers) if os.path.isfile(f)]
    own = set(files)
    texts = {f: read_text(f) for f in files}
    lines = {f: t.splitlines() for f, t in texts.items()}
    all_blocks = [b for f in files for b in blocks(f, texts[f])]
    marks: dict[str, set[int]] = {}
    for fact in (facts.facts if facts else []):
        ev = fact.evidence
        path = _resolve(ev.file, own)
        if path and ev.line:
            marks.setdefault(path, set()).add(ev.line)

    def marks_in(b: Block) -> list[int]:
        return [m for m in marks.get(b.file, ()) if b.start <= m <= b.end]

    entries = {e.split("::")[-1] for e in unit.entry_points}
    home = os.path.dirname(os.path.abspath(unit.files[0])) if unit.files else os.getcwd()

    def own(b: Block) -> bool:
        """In the NF's own directory (its base classes' framework headers come after)."""
        return os.path.dirname(os.path.abspath(b.file)) == home

    def where_of(b: Block) -> str:
        rel = os.path.relpath(b.file, home)
        return f"{os.path.basename(b.file) if rel.startswith('..') else rel}:{b.start}-{b.end}"
    funcs = [b for b in all_blocks if b.kind == "function"]
    # innermost function per evidence line (a class body is a type, not a function)
    chosen = [b for b in funcs if b.name in entries or marks_in(b)]
    chosen.sort(key=lambda b: (not own(b), -(b.name in entries), -len(marks_in(b)), b.file,
                               b.start))
    types = sorted((b for b in all_blocks if b.kind == "type" and marks_in(b)
                    and b.end - b.start < 200), key=lambda b: (not own(b), b.file, b.start))
    called = {m.group(1) for b in chosen for m in _CALL.finditer(
        "\n".join(lines[b.file][b.start - 1:b.end]))}
    names = {b.name for b in chosen}
    callees = [b for b in funcs if b.name in called and b.name not in names]
    out = Slice()
    candidates = [("function", b) for b in chosen] + [("type", b) for b in types] + \
                 [("callee", b) for b in callees]
    seen: set[tuple[str, int, int]] = set()
    dropped = excerpts = 0
    if source:
        for kind, b in candidates:
            key = (b.file, b.start, b.end)
            if key in seen or any(s[0] == b.file and s[1] <= b.start and b.end <= s[2]
                                  for s in seen):
                continue
            seen.add(key)
            text = _numbered(lines[b.file], b.start, b.end)
            where = where_of(b)
            cost = estimate(text) + estimate(where) + CHUNK_OVERHEAD
            if out.tokens + cost > budget:
                ms = marks_in(b)
                if not ms:
                    dropped += 1
                    continue
                text = _excerpt(lines[b.file], b, ms)
                cost = estimate(text) + estimate(where) + CHUNK_OVERHEAD
                if out.tokens + cost > budget:
                    dropped += 1
                    continue
                excerpts += 1
                where += " (excerpt)"
            out.chunks.append(Chunk(kind, where, _lang(b.file), text, cost))
            out.tokens += cost
    if ir and unit.bitcode:
        _add_ir(out, unit, entries | names, budget)
    if not out.chunks and source:
        out.sliced = False
        for f in files:
            text = _numbered(lines[f], 1, len(lines[f]))
            cost = estimate(text)
            if out.tokens + cost > budget:
                keep = []
                for k, line in enumerate(lines[f], 1):
                    cost_k = estimate(line) + 3
                    if out.tokens + cost_k > budget:
                        break
                    keep.append(k)
                    out.tokens += cost_k
                if keep:
                    out.chunks.append(Chunk("file", f"{os.path.basename(f)}:1-{keep[-1]}",
                                            _lang(f), _numbered(lines[f], 1, keep[-1])))
                out.truncated = True
                out.truncation = f"whole files cut at {budget} tokens, head first"
                break
            out.chunks.append(Chunk("file", f"{os.path.basename(f)}:1-{len(lines[f])}",
                                    _lang(f), text, cost))
            out.tokens += cost
    if dropped or excerpts:
        out.truncated = True
        out.truncation = (f"budget {budget} tokens: {excerpts} function(s) cut to excerpts "
                          f"around the evidence, {dropped} left out")
    return out


def _add_ir(out: Slice, unit: NFUnit, names: set[str], budget: int) -> None:
    try:
        from ..passes.ir_module import IRModule
        mod = IRModule(unit.bitcode)
    except Exception:                 # no usable bitcode: the source slice stands
        return
    for fn in mod.functions.values():
        simple = fn.qualname.split("::")[-1] if fn.qualname else ""
        if simple not in names:
            continue
        text = str(fn.ref)
        cost = estimate(text)
        if out.tokens + cost > budget:
            out.truncated = True
            out.truncation = (out.truncation + "; " if out.truncation else "") + \
                f"IR of {simple} left out (budget {budget})"
            continue
        out.chunks.append(Chunk("ir", fn.demangled, "llvm", text, cost))
        out.tokens += cost


def _resolve(path: str, own: set[str]) -> Optional[str]:
    if path in own:
        return path
    for f in own:
        if path and (f.endswith("/" + path) or os.path.basename(f) == path):
            return f
    return None


def _lang(path: str) -> str:
    return "c" if path.endswith((".c", ".h")) else "cpp"
