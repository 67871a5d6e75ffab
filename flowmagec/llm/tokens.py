"""Prompt size in tokens, offline.

No tokenizer that works without downloading its vocabulary ships with our
dependencies, so prompts are measured with a documented estimate that tracks
BPE tokenizers (cl100k/o200k) on C/C++ code: one token per punctuation
character, one per run of up to three digits, and one per four characters of an
identifier or word (BPE merges common sub-words of code to ~4 characters);
whitespace runs are free except newlines, which count one.  On the paper's NFs
the estimate is within ~10% of cl100k (checked by hand on a few files); budgets
leave that margin.  The server's ``usage`` is what the report accounts for when
a call is made.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z_]+|\d+|\n|[^\sA-Za-z_\d]")


def estimate(text: str) -> int:
    n = 0
    for m in _TOKEN.finditer(text):
        t = m.group(0)
        if t[0].isalpha() or t[0] == "_":
            n += (len(t) + 3) // 4
        elif t[0].isdigit():
            n += (len(t) + 2) // 3
        else:
            n += 1
    return n
