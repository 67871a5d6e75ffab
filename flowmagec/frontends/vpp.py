"""VPP frontend: ``startup.conf`` + exec/startup-config CLI script -> Chain.

Two Lark grammars (``grammar/vpp_startup.lark``, ``grammar/vpp_cli.lark``)
give token spans; this module interprets them the way VPP does:

* ``VppDocument`` - a startup.conf: top-level ``section value`` pairs (a
  repeated section concatenates), the ``cpu``, ``dpdk`` and ``unix``
  sections, and span-preserving edits (workers, device queues, ``rss {}``,
  ``workers``, new ``dev`` blocks, the exec script reference).
* ``VppScript`` - a CLI script: one command per line with ``define``
  macros; edits append lines.
* ``load(path)`` - the Chain: ``deployment`` holds cores, devices,
  interfaces and the exec script; ``elements`` are the stateful features the
  script enables per interface (NAT44, ACL, LB, NAT64, flowprobe, ct6, det44,
  cnat, ``set interface feature`` nodes, reassembly, IPsec, policers).

Every edit rewrites only the bytes it targets; parse + render without edits
returns the input byte for byte.
"""
from __future__ import annotations

import bisect
import functools
import importlib.resources
import os
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Union

from lark import Lark
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..artifacts import Chain, Diagnostic, Element, Span
from ..errors import InputError, printable, span_at

# --------------------------------------------------------------------------
# Grammars
# --------------------------------------------------------------------------


@functools.cache
def _parser(grammar: str) -> Lark:
    text = importlib.resources.files("flowmagec.grammar").joinpath(grammar).read_text()
    # Tokens carry their offsets; groups take theirs from their brace tokens, so
    # Lark's (slower) position propagation is not needed.
    return Lark(text, parser="lalr", maybe_placeholders=False)


_TOKEN_NAMES = {"LBRACE": "'{'", "RBRACE": "'}'", "WORD": "a word", "$END": "end of file",
                "_NL": "end of line"}


def _syntax_error(err: UnexpectedInput, path: str, text: str) -> InputError:
    """Turn a Lark error into an InputError at the offending character."""
    if isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken)
                                          and err.token.type == "$END"):
        offset = len(text.rstrip())
        offset = max(0, min(offset, len(text) - 1))
        expected = sorted(getattr(err, "expected", ()) or ())
        what = "unexpected end of file"
    else:
        offset = err.pos_in_stream if err.pos_in_stream is not None else 0
        expected = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())
        tok = getattr(err, "token", None)
        what = f"unexpected {_TOKEN_NAMES.get(tok.type, repr(str(tok)))}" if tok is not None \
            else f"unexpected character {text[offset]!r}"
        if tok is not None and tok.type == "RBRACE":
            what = "unbalanced '}' (no '{' open here)"
    names = [_TOKEN_NAMES.get(e, e) for e in expected]
    return InputError(what, span=span_at(path, text, offset),
                      expected=" or ".join(names) if names else None)


# --------------------------------------------------------------------------
# startup.conf syntax: words and brace groups with byte offsets
# --------------------------------------------------------------------------


_ESCAPE = re.compile(r"\\(.)")


@dataclass(slots=True)         # generated configs have millions of words
class Word:
    text: str
    start: int
    end: int

    @property
    def value(self) -> str:
        """The word as unformat sees it: backslash escapes removed."""
        if "\\" not in self.text:
            return self.text
        return _ESCAPE.sub(r"\1", self.text)


@dataclass(slots=True)
class Group:
    start: int                  # offset of '{'
    end: int                    # offset just after '}'
    items: list[Union[Word, "Group"]] = field(default_factory=list)

    @property
    def inner_start(self) -> int:
        return self.start + 1

    @property
    def inner_end(self) -> int:
        return self.end - 1


Item = Union[Word, Group]


# One token of grammar/vpp_startup.lark: whitespace, a comment, a brace or a WORD.
# startup.conf is scanned by hand with it (an explicit stack of open groups), not
# by Lark: a Lark parse costs ~10 us per token, i.e. seconds for a generated file.
_STARTUP_TOKEN = re.compile(r"[ \t\r\n\f\v]+|#[^\n]*|(\{)|(\})|((?:[^\s{}#\\]|\\[^\n])+)")


def parse_startup_items(text: str, path: str) -> list[Item]:
    """Words and brace groups of a startup.conf, with byte offsets (linear time;
    nesting depth is bounded by memory only)."""
    top: list[Item] = []
    open_groups: list[Group] = []
    items = top
    pos, n = 0, len(text)
    match = _STARTUP_TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise InputError(f"unexpected character {printable(repr(text[pos]))}",
                             span=span_at(path, text, pos), expected="a word, '{' or '}'")
        if m.group(3) is not None:
            items.append(Word(m.group(3), pos, m.end()))
        elif m.group(1) is not None:
            group = Group(pos, -1)
            items.append(group)
            open_groups.append(group)
            items = group.items
        elif m.group(2) is not None:
            if not open_groups:
                raise InputError("unbalanced '}' (no '{' open here)",
                                 span=span_at(path, text, pos), expected="a word or '{'")
            open_groups.pop().end = m.end()
            items = open_groups[-1].items if open_groups else top
        pos = m.end()
    if open_groups:
        raise InputError("'{' is never closed", span=span_at(path, text, open_groups[-1].start),
                         expected="'}' before the end of the file")
    return top


# Config sections VPP registers (VLIB_CONFIG_FUNCTION / VLIB_EARLY_CONFIG_FUNCTION,
# plus the ones vpp/vnet/main.c and the plugin loader read themselves), current
# and from older releases.  Anything else makes VPP refuse to start.
KNOWN_SECTIONS = frozenset("""
acl-plugin api-fuzz api-queue api-segment api-trace buffers cnat cpu crypto-engines
crypto_sw_scheduler ct6 devices dns dpdk dsa dslite ethernet fateshare http interface ip ip6
ipsec l2fib l2learn l2tp l3fib linux-cp linux-nl logging mactime mc memory mpls node
npol-plugin nsim physmem plugin_path plugins punt pvti quic selog session sfdp socksvr statseg
tcp test-proxy test_plugin_path tls trace tuntap udp unix unix-cli vhost-user vlib
calico-policy-plugin cj heapsize ikev2 map nat oam snat ssvm_eth stats tap tapcli vmxnet3
""".split())

# Keys that take no value, per section (everything else takes one value).
FLAG_KEYS = {
    "cpu": {"use-pthreads", "relative"},
    "unix": {"interactive", "nodaemon", "nosyslog", "nocolor", "nobanner", "use-current-dir",
             "cli-line-mode", "cli-no-banner", "cli-no-pager", "full-coredump"},
    "dpdk": {"no-hugetlb", "telemetry", "enable-tcp-udp-checksum", "enable-outer-checksum-offload",
             "no-tx-checksum-offload", "decimal-interface-names", "no-multi-seg",
             "enable-mbuf-fast-free", "enable-lro", "uio-bind-force", "no-pci", "no-vmbus",
             "default", "vlan-strip-offload", "no-vlan-strip-offload"},
    "dev": {"no-rx-interrupts"},
}


@dataclass
class Entry:
    """``key [value]`` inside a group: value is a word, a group, or None (flag)."""
    key: Word
    value: Optional[Item] = None
    block: Optional[Group] = None       # for 'dev ADDR { ... }': the device block

    @property
    def end(self) -> int:
        last = self.block or self.value or self.key
        return last.end


def entries(items: list[Item], flags: set[str] = frozenset()) -> Iterator[Entry]:
    """Pair the words of a group into ``key value`` entries (``dev X {..}`` kept whole)."""
    i = 0
    while i < len(items):
        key = items[i]
        if isinstance(key, Group):          # stray group: unformat would reject; skip it
            i += 1
            continue
        nxt = items[i + 1] if i + 1 < len(items) else None
        # an unknown flag before 'dev' must not swallow it as its value
        if key.value in flags or nxt is None or (isinstance(nxt, Word) and nxt.value == "dev"):
            yield Entry(key)
            i += 1
            continue
        value = nxt
        # 'dev ADDR { ... }' and 'dev default { ... }' keep their block; a bare 'dev ADDR' does not
        if key.value == "dev" and isinstance(value, Word) and i + 2 < len(items) \
                and isinstance(items[i + 2], Group):
            yield Entry(key, value, items[i + 2])
            i += 3
            continue
        yield Entry(key, value)
        i += 2


@dataclass
class Section:
    name: Word
    body: Item                       # normally a Group; unformat also accepts one word


def _word_list(item: Optional[Item]) -> list[str]:
    if item is None:
        return []
    if isinstance(item, Word):
        return [item.value]
    return [w.value for w in item.items if isinstance(w, Word)]


def parse_bitmap_list(text: str) -> list[int]:
    """vppinfra unformat_bitmap_list: '0-3,6,8-9' -> [0,1,2,3,6,8,9]."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise ValueError(part)
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        out.extend(range(lo, hi + 1))
    return sorted(set(out))


def format_bitmap_list(values: list[int]) -> str:
    """Inverse of parse_bitmap_list, with ranges: [0,1,2,5] -> '0-2,5'."""
    vals = sorted(set(values))
    parts, i = [], 0
    while i < len(vals):
        j = i
        while j + 1 < len(vals) and vals[j + 1] == vals[j] + 1:
            j += 1
        parts.append(str(vals[i]) if i == j else f"{vals[i]}-{vals[j]}")
        i = j + 1
    return ",".join(parts)


def pci_interface_suffix(pci: str) -> Optional[str]:
    """VPP's dpdk interface names end in bus/slot/function in hex: 0000:3b:00.1 -> '3b/0/1'."""
    m = re.fullmatch(r"(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])", pci)
    if not m:
        return None
    dom, bus, dev, fn = (int(x, 16) if x else 0 for x in m.groups())
    base = f"{bus:x}/{dev:x}/{fn:x}"
    return f"{dom:x}/{base}" if dom else base


# --------------------------------------------------------------------------
# VppDocument: startup.conf with span-preserving edits
# --------------------------------------------------------------------------


def _is_text(s: str) -> bool:
    """No undecodable byte (surrogateescape) in ``s``."""
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def read_config_text(path: str, what: str = "") -> str:
    """A configuration file's text with its line endings as they are (edits keep CRLF).

    Bytes that are not UTF-8 decode to lone surrogates (``surrogateescape``) and
    are written back byte for byte by the emitters."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape", newline="") as fh:
            return fh.read()
    except OSError as e:
        raise InputError(f"cannot read {what}'{path}': {e.strerror}") from None


class VppDocument:
    """A startup.conf.  Read accessors interpret it; edit methods splice text.

    Each edit rewrites one contiguous range and re-parses, so offsets stay
    valid and the result is always syntactically checked.
    """

    def __init__(self, text: str, path: str = "startup.conf"):
        self.path = path
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"   # inserted lines follow the file
        self._reparse()

    @classmethod
    def load(cls, path: str) -> "VppDocument":
        return cls(read_config_text(path), path)

    def render(self) -> str:
        return self.text

    # -- parsing ---------------------------------------------------------

    def _reparse(self) -> None:
        self.items = parse_startup_items(self.text, self.path)
        self.sections = self._pair_sections(self.items)

    def _span(self, item: Item) -> Span:
        return span_at(self.path, self.text, item.start, item.end - item.start)

    def _pair_sections(self, items: list[Item]) -> list[Section]:
        out = []
        i = 0
        while i < len(items):
            name = items[i]
            if isinstance(name, Group):
                raise InputError("expected a section name before '{'", span=self._span(name),
                                 expected="a section name such as 'unix', 'cpu' or 'dpdk'")
            if i + 1 >= len(items):
                raise InputError(f"section '{name.value}' has no value", span=self._span(name),
                                 expected="'{ ... }' or a value")
            if name.value not in KNOWN_SECTIONS:
                raise InputError(f"unknown input '{name.value}': VPP has no such startup section",
                                 span=self._span(name),
                                 expected="a known section (unix, cpu, dpdk, buffers, ...)")
            out.append(Section(name, items[i + 1]))
            i += 2
        return out

    def sections_named(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name.value == name]

    def section_entries(self, name: str) -> list[Entry]:
        """Entries of every ``name { }`` section, concatenated as VPP does."""
        out = []
        for s in self.sections_named(name):
            if isinstance(s.body, Group):
                out.extend(entries(s.body.items, FLAG_KEYS.get(name, set())))
        return out

    def _entry(self, name: str, key: str) -> Optional[Entry]:
        found = [e for e in self.section_entries(name) if e.key.value == key]
        return found[-1] if found else None    # the last one wins in VPP

    # -- interpreted views ----------------------------------------------

    def cpu(self) -> dict:
        info: dict = {}
        for e in self.section_entries("cpu"):
            k = e.key.value
            if isinstance(e.value, Word):
                info[k.replace("-", "_")] = e.value.value
            elif e.value is None:
                info[k.replace("-", "_")] = True
        return info

    def worker_count(self) -> Optional[int]:
        """Worker threads as VPP computes them from ``cpu { }``; None if not set."""
        info = self.cpu()
        if "corelist_workers" in info:
            try:
                return len(parse_bitmap_list(info["corelist_workers"]))
            except ValueError:
                return None
        if "coremask_workers" in info:
            try:
                return bin(int(info["coremask_workers"], 16)).count("1")
            except ValueError:
                return None
        if "workers" in info:
            try:
                return int(info["workers"])
            except ValueError:
                return None
        return None

    def device_entries(self) -> list[Entry]:
        return [e for e in self.section_entries("dpdk") if e.key.value == "dev"]

    def device_entry(self, dev: str) -> Optional[Entry]:
        for e in self.device_entries():
            if isinstance(e.value, Word) and e.value.value.lower() == dev.lower():
                return e
        return None

    def device_options(self, entry: Entry) -> dict:
        opts: dict = {}
        if entry.block is None:
            return opts
        for d in entries(entry.block.items, FLAG_KEYS["dev"]):
            k = d.key.value
            if k == "rss":
                opts["rss"] = _word_list(d.value)
            elif isinstance(d.value, Word):
                opts[k] = d.value.value
            elif d.value is None:
                opts[k] = True
        return opts

    def devices(self) -> list[dict]:
        out = []
        for e in self.device_entries():
            addr = e.value.value if isinstance(e.value, Word) else ""
            opts = self.device_options(e)
            dev = {"address": addr, "default": addr == "default", "name": opts.get("name"),
                   "num_rx_queues": _int_or_none(opts.get("num-rx-queues")),
                   "num_tx_queues": _int_or_none(opts.get("num-tx-queues")),
                   "workers": opts.get("workers"), "rss": opts.get("rss"),
                   "options": opts, "span": self._span(e.key).to_dict()}
            dev["span"]["end"] = e.end
            out.append(dev)
        return out

    def plugin_enabled(self, so_name: str) -> bool:
        """``plugins { plugin default { disable } plugin X.so { enable } }`` as VPP reads it."""
        state = {"default": True}
        items = [it for s in self.sections_named("plugins") if isinstance(s.body, Group)
                 for it in s.body.items]
        for i, it in enumerate(items[:-2]):
            if isinstance(it, Word) and it.value == "plugin" and isinstance(items[i + 1], Word) \
                    and isinstance(items[i + 2], Group):
                words = _word_list(items[i + 2])
                if "disable" in words or "enable" in words:
                    state[items[i + 1].value] = "enable" in words
        return state.get(so_name, state["default"])

    def exec_script(self) -> tuple[Optional[str], Optional[str]]:
        """(key, path) of ``unix { exec F | startup-config F }`` (the last wins)."""
        found = None
        for e in self.section_entries("unix"):
            if e.key.value in ("exec", "startup-config") and isinstance(e.value, Word):
                found = (e.key.value, e.value.value)
        return found or (None, None)

    # -- edit primitives -------------------------------------------------

    def _splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]
        self._reparse()

    def _line_indent(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        m = re.match(r"[ \t]*", self.text[line_start:])
        return m.group(0) if m else ""

    def _indent_unit(self) -> str:
        """The file's indentation step, guessed from its first indented line."""
        m = re.search(r"^([ \t]+)\S", self.text, re.M)
        if not m:
            return "  "
        ws = m.group(1)
        return "\t" if ws.startswith("\t") else ws

    def _insert_in_group(self, group: Group, line: str) -> None:
        """Add ``line`` as a new last line inside ``group``, indented like its items."""
        words = group.items
        if words:
            last = words[-1]
            multiline = "\n" in self.text[group.start:words[0].start]
            indent = self._line_indent(words[0].start) if multiline else None
            if indent is None:          # one-line group: '{ a b }' -> '{ a b line }'
                self._splice(last.end, last.end, " " + line)
                return
            eol = self.text.find("\n", last.end)
            if eol > 0 and self.text[eol - 1] == "\r":
                eol -= 1
            comment_tail = self.text[last.end:eol if eol >= 0 else len(self.text)]
            at = last.end if "#" not in comment_tail else (eol if eol >= 0 else len(self.text))
            if at > group.inner_end:   # comment runs past the closing brace's line? keep in group
                at = last.end
            self._splice(at, at, self.newline + indent + line)
            return
        # empty group '{ }' or '{\n}'
        outer = self._line_indent(group.start)
        inner = self.text[group.inner_start:group.inner_end]
        if "\n" in inner:
            self._splice(group.inner_start, group.inner_start,
                         self.newline + outer + self._indent_unit() + line)
        else:                           # '{ }' stays on its line: '{ line }'
            self._splice(group.inner_start, group.inner_end, " " + line + " ")

    def _set_entry_value(self, section_group: Group, flags: set[str], key: str, value: str) -> None:
        found = [e for e in entries(section_group.items, flags) if e.key.value == key]
        if found and found[-1].value is not None:
            v = found[-1].value
            self._splice(v.start, v.end, value)
        else:
            self._insert_in_group(section_group, f"{key} {value}")

    def _ensure_section(self, name: str) -> Group:
        secs = [s for s in self.sections_named(name) if isinstance(s.body, Group)]
        if secs:
            return secs[-1].body
        unit = self._indent_unit()
        nl = self.newline
        sep = "" if self.text.endswith("\n") or not self.text else nl
        gap = nl if self.text.strip() else ""
        self._splice(len(self.text), len(self.text), f"{sep}{gap}{name} {{{nl}{unit}{nl}}}{nl}")
        # replace the placeholder blank line by nothing: keep an empty but
        # multi-line group so inserted lines get the file's indentation
        sec = [s for s in self.sections_named(name) if isinstance(s.body, Group)][-1]
        self._splice(sec.body.inner_start, sec.body.inner_end, nl)
        return [s for s in self.sections_named(name) if isinstance(s.body, Group)][-1].body

    # -- edits -------------------------------------------------------------

    def set_cpu_workers(self, n: int) -> list[str]:
        """Run ``n`` worker threads.  Keeps a corelist (trimmed) when it has enough cores."""
        notes: list[str] = []
        cpu = self._ensure_section("cpu")
        corelist = self._entry("cpu", "corelist-workers")
        coremask = self._entry("cpu", "coremask-workers")
        if corelist is not None and isinstance(corelist.value, Word):
            cores = parse_bitmap_list(corelist.value.value)
            if len(cores) >= n:
                self._splice(corelist.value.start, corelist.value.end,
                             format_bitmap_list(cores[:n]))
                return notes
            notes.append(f"cpu corelist-workers lists {len(cores)} cores but the plan uses {n}; "
                         f"replaced it by 'workers {n}'")
            self._splice(corelist.key.start, corelist.value.end, f"workers {n}")
            return notes
        if coremask is not None and isinstance(coremask.value, Word):
            notes.append(f"cpu coremask-workers replaced by 'workers {n}'")
            self._splice(coremask.key.start, coremask.value.end, f"workers {n}")
            return notes
        self._set_entry_value(cpu, FLAG_KEYS["cpu"], "workers", str(n))
        return notes

    def _device_group(self, dev: str) -> Group:
        """The ``{ }`` block of ``dev`` in ``dpdk { }``, created when missing."""
        e = self.device_entry(dev)
        if e is not None and e.block is not None:
            return e.block
        if e is not None:               # bare 'dev ADDR': give it a block
            self._splice(e.value.end, e.value.end, " { }")
        else:
            dpdk = self._ensure_section("dpdk")
            self._insert_in_group(dpdk, f"dev {dev} {{{self.newline}}}")
            e = self.device_entry(dev)
            # indent the closing brace like the 'dev' line
            indent = self._line_indent(e.key.start)
            if indent:
                self._splice(e.block.inner_end, e.block.inner_end, indent)
        e = self.device_entry(dev)
        return e.block

    def set_device_option(self, dev: str, key: str, value: str) -> None:
        group = self._device_group(dev)
        self._set_entry_value(group, FLAG_KEYS["dev"], key, value)

    def set_device_queues(self, dev: str, n: int) -> None:
        """``num-rx-queues n``; a ``workers`` list, if present, is resized to match (VPP checks)."""
        self.set_device_option(dev, "num-rx-queues", str(n))
        if "workers" in self.device_options(self.device_entry(dev)):
            self.set_device_workers(dev, list(range(n)))

    def set_device_workers(self, dev: str, workers: list[int]) -> None:
        self.set_device_option(dev, "workers", format_bitmap_list(workers))

    def set_device_rss(self, dev: str, types: list[str]) -> None:
        """Replace the words of ``rss { ... }`` (or add the block)."""
        group = self._device_group(dev)
        found = [e for e in entries(group.items, FLAG_KEYS["dev"]) if e.key.value == "rss"]
        new = " ".join(types)
        if found and isinstance(found[-1].value, Group):
            g = found[-1].value
            words = [w for w in g.items if isinstance(w, Word)]
            if words and "\n" not in self.text[words[0].start:words[-1].end] \
                    and "#" not in self.text[words[0].start:words[-1].end]:
                self._splice(words[0].start, words[-1].end, new)
            else:
                self._splice(g.start, g.end, "{ " + new + " }")
        elif found and found[-1].value is not None:
            v = found[-1].value
            self._splice(v.start, v.end, "{ " + new + " }")
        else:
            self._insert_in_group(group, "rss { " + new + " }")

    def set_exec_script(self, path: str) -> None:
        """Point ``unix { exec F }`` (or the existing startup-config key) at ``path``."""
        key, _ = self.exec_script()
        unix = self._ensure_section("unix")
        self._set_entry_value(unix, FLAG_KEYS["unix"], key or "exec", path)


def _int_or_none(v) -> Optional[int]:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------
# VppScript: the CLI script
# --------------------------------------------------------------------------


@dataclass
class CliCommand:
    words: list[Word]
    start: int
    end: int
    expanded: list[str]              # words after macro expansion

    @property
    def raw(self) -> str:
        return " ".join(w.text for w in self.words)


_MACRO = re.compile(r"\\(.)|\$\(([^)]*)\)|\$([A-Za-z0-9_]+)")


MAX_MACRO_DEPTH = 8          # clib_macro_eval's recursion limit
MAX_EXPANSION = 1 << 20      # characters one command may expand to (defines nest 8 deep)


class MacroDepthError(Exception):
    def __init__(self, name: str, why: str = "deep"):
        super().__init__(name)
        self.name = name
        self.why = why


def expand_macros(line: str, macros: dict[str, str], undefined: list[str]) -> str:
    """clib_macro_eval: ``$NAME`` / ``$(NAME)``, backslash escapes; recursion depth 8.

    Undefined names stay verbatim (VPP would also look in its environment).  A
    chain deeper than 8 (VPP substitutes the word ``CIRCULAR``) raises
    MacroDepthError naming the macro.
    """
    def one(text: str, depth: int) -> str:
        def sub(m: re.Match) -> str:
            if m.group(1) is not None:
                return m.group(1)
            name = m.group(2) if m.group(2) is not None else m.group(3)
            if name not in macros:
                undefined.append(name)
                return m.group(0)
            if depth >= MAX_MACRO_DEPTH:
                raise MacroDepthError(name)
            return one(macros[name], depth + 1)
        out = _MACRO.sub(sub, text)
        if len(out) > MAX_EXPANSION:
            raise MacroDepthError(line.split()[0] if line.split() else "", "long")
        return out
    return one(line, 0)


class VppScript:
    """A CLI script: commands with spans, macro-expanded words, append-only edits."""

    def __init__(self, text: str, path: str = "setup.cli"):
        self.path = path
        self.text = text
        self._reparse()

    @classmethod
    def load(cls, path: str) -> "VppScript":
        return cls(read_config_text(path, "CLI script "), path)

    def render(self) -> str:
        return self.text

    def _reparse(self) -> None:
        src = self.text if self.text.endswith("\n") else self.text + "\n"
        try:
            tree = _parser("vpp_cli.lark").parse(src)
        except UnexpectedInput as e:
            raise _syntax_error(e, self.path, src) from None
        self._line_starts: Optional[list[int]] = None
        self.macros: dict[str, str] = {}
        self.undefined: list[tuple[str, int]] = []
        self.commands: list[CliCommand] = []
        for cmd in tree.children:
            words = [Word(str(t), t.start_pos, t.end_pos) for t in cmd.children]
            missing: list[str] = []
            try:
                line = expand_macros(" ".join(w.text for w in words), self.macros, missing)
            except MacroDepthError as e:
                what = (f"macro '${e.name}' expands more than {MAX_MACRO_DEPTH} levels deep "
                        f"(circular, or too long a chain of defines)" if e.why == "deep" else
                        f"this command expands to more than {MAX_EXPANSION} characters")
                raise InputError(what, span=span_at(self.path, src, words[0].start)) from None
            self.undefined.extend((n, words[0].start) for n in missing)
            expanded = line.split()
            self.commands.append(CliCommand(words, words[0].start, words[-1].end, expanded))
            if len(expanded) >= 3 and expanded[0] == "define":
                # value = rest of the (unexpanded) line, as vlib stores it
                self.macros[expanded[1]] = " ".join(w.text for w in words[2:])

    def span_of(self, cmd: CliCommand) -> Span:
        """Span of a command; line starts are indexed once so long scripts stay linear."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, cmd.start)
        return Span(self.path, cmd.start, cmd.end, line, cmd.start - self._line_starts[line - 1] + 1)

    def append(self, lines: list[str], comment: Optional[str] = None) -> None:
        """Append commands at the end (after a blank line and an optional '# comment')."""
        if not lines:
            return
        block = ([f"# {comment}"] if comment else []) + lines
        nl = "\r\n" if "\r\n" in self.text else "\n"
        prefix = ""
        if self.text and not self.text.endswith("\n"):
            prefix = nl
        if self.text.strip():
            prefix += nl
        self.text += prefix + nl.join(block) + nl
        self._reparse()

    def count(self, predicate: Callable[[list[str]], bool]) -> int:
        return sum(1 for c in self.commands if predicate(c.expanded))


# --------------------------------------------------------------------------
# CLI interpretation: the stateful features a script enables
# --------------------------------------------------------------------------

def _path_matches(words: list[str], path: tuple[str, ...]) -> bool:
    """VPP accepts unique prefixes of command-path words ('set int nat44')."""
    if len(words) < len(path):
        return False
    for w, p in zip(words, path):
        if w == p:
            continue
        if not (len(w) >= 2 and p.startswith(w)):
            return False
    return True


# Where each feature's code lives in the VPP tree (relative to src/plugins or src/vnet).
PLUGIN_DIRS = {
    "nat44": "nat/nat44-ed", "nat44-ei": "nat/nat44-ei", "nat64": "nat/nat64",
    "nat66": "nat/nat66", "det44": "nat/det44", "acl": "acl", "lb": "lb",
    "flowprobe": "flowprobe", "ct6": "ct6", "cnat": "cnat", "policer": "policer",
    "ip-reassembly": "ip/reass", "ipsec": "ipsec", "dslite": "nat/dslite",
}
SRC_ROOTS = {"ip-reassembly": "vnet", "ipsec": "vnet"}


class CliInterpreter:
    """Replays a script's commands and records the enabled features, in order.

    ``del``/``disable`` remove what an earlier line enabled, as in VPP.
    """

    def __init__(self, script: VppScript, nat44_mode: str = "ed"):
        self.script = script
        self.features: dict[str, Element] = {}
        self.plugins: dict[str, dict] = {}
        self.interfaces: dict[str, None] = {}
        self.handoff: list[dict] = []
        self.flows: list[dict] = []
        self.soft_rss: list[dict] = []
        self.diagnostics: list[Diagnostic] = []
        self.nat44_mode = nat44_mode      # until a 'nat44 [ei] plugin enable' line says
        self._cmd: Optional[CliCommand] = None

    # Dispatch table: command path -> handler.  Longer paths first.
    def _handlers(self) -> list[tuple[tuple[str, ...], Callable[[list[str]], None]]]:
        table = [
            (("set", "interface", "nat44", "ei"), self._nat44_interface_ei),
            (("set", "interface", "snat"), self._nat44_interface_ei),     # VPP <= 17.10
            (("set", "interface", "nat44"), self._nat44_interface),
            (("nat44", "ei", "plugin"), self._nat44_ei_plugin),
            (("nat44", "plugin"), self._nat44_plugin),
            (("nat44", "enable"), self._nat44_enable_legacy),
            (("set", "acl-plugin", "interface"), self._acl_interface),
            (("lb", "vip"), self._lb_vip),
            (("lb", "as"), self._lb_as),
            (("set", "interface", "nat64"), self._inout("nat64")),
            (("set", "interface", "nat66"), self._inout("nat66")),
            (("nat64", "plugin"), self._plugin_enable("nat64")),
            (("flowprobe", "feature", "add-del"), self._flowprobe),
            (("set", "ct6"), self._ct6),
            (("set", "interface", "feature"), self._interface_feature),
            (("det44", "plugin"), self._plugin_enable("det44")),
            (("set", "interface", "det44"), self._det44_interface),
            (("set", "cnat", "feature"), self._cnat_feature),
            (("cnat", "translation", "add"), self._cnat_translation),
            (("set", "interface", "reassembly"), self._reassembly),
            (("set", "interface", "ipsec", "spd"), self._ipsec_spd),
            (("policer", "input"), self._policer_input),
            (("set", "interface", "handoff"), self._handoff),
            (("set", "interface", "state"), self._interface_state),
            (("set", "interface", "ip", "address"), self._interface_ref),
            (("test", "flow"), self._flow),
            (("flow",), self._flow),
            (("soft-rss", "config"), self._soft_rss),
        ]
        return table

    def run(self) -> "CliInterpreter":
        table = self._handlers()
        for cmd in self.script.commands:
            self._cmd = cmd
            for path, handler in table:
                if _path_matches(cmd.expanded, path):
                    handler(cmd.expanded[len(path):])
                    break
        for name, offset in self.script.undefined:
            self.diagnostics.append(Diagnostic(
                "warning", f"macro ${name} is not defined in the script (VPP takes it from "
                           f"its environment); left as is",
                span_at(self.script.path, self.script.text, offset)))
        return self

    # -- helpers -----------------------------------------------------------

    def _span(self) -> Span:
        return self.script.span_of(self._cmd)

    def _add(self, cls: str, key: str, interface: Optional[str] = None,
             direction: Optional[str] = None, **extra) -> Element:
        name = f"{cls}@{key}"
        span = self._span()
        if not _is_text(name):
            # Names become identifiers downstream (solver, emitted commands): text only.
            raise InputError(f"'{printable(key)}': bytes that are not UTF-8 in an interface or "
                             f"feature name", span=span)
        el = self.features.get(name)
        if el is None:
            el = Element(name=name, cls=cls, decl_span=span, config=" ".join(self._cmd.expanded),
                         attrs={
                "interface": interface, "interfaces": [interface] if interface else [],
                "direction": None, "directions": [],
                "plugin_dir": PLUGIN_DIRS.get(cls), "src_root": SRC_ROOTS.get(cls, "plugins"),
                "cli": self._cmd.raw, "cli_span": span.to_dict(), "cli_spans": []})
            self.features[name] = el
        if direction and direction not in el.attrs["directions"]:
            el.attrs["directions"].append(direction)
            el.attrs["direction"] = "+".join(el.attrs["directions"])
        el.attrs["cli_spans"].append(span.to_dict())
        for k, v in extra.items():
            if isinstance(v, list):
                el.attrs.setdefault(k, [])
                el.attrs[k].extend(x for x in v if x not in el.attrs[k])
            else:
                el.attrs[k] = v
        if interface:
            self.interfaces.setdefault(interface, None)
        return el

    def _remove(self, cls: str, key: str, direction: Optional[str] = None) -> None:
        name = f"{cls}@{key}"
        el = self.features.get(name)
        if el is None:
            return
        if direction and direction in el.attrs["directions"] and len(el.attrs["directions"]) > 1:
            el.attrs["directions"].remove(direction)
            el.attrs["direction"] = "+".join(el.attrs["directions"])
        else:
            del self.features[name]

    @staticmethod
    def _pairs(args: list[str], keys: tuple[str, ...]) -> list[tuple[str, str]]:
        """Collect 'key value' pairs for the given keys, in order."""
        out, i = [], 0
        while i < len(args):
            if args[i] in keys and i + 1 < len(args):
                out.append((args[i], args[i + 1]))
                i += 2
            else:
                i += 1
        return out

    # -- NAT44 -------------------------------------------------------------

    def _nat44_plugin(self, args: list[str]) -> None:
        if args[:1] == ["enable"]:
            self.nat44_mode = "ed"
            self.plugins["nat44"] = {"mode": "ed", "options": args[1:], "span": self._span().to_dict()}
        elif args[:1] == ["disable"]:
            self.plugins.pop("nat44", None)

    def _nat44_ei_plugin(self, args: list[str]) -> None:
        if args[:1] == ["enable"]:
            self.nat44_mode = "ei"
            self.plugins["nat44-ei"] = {"mode": "ei", "options": args[1:],
                                        "span": self._span().to_dict()}
        elif args[:1] == ["disable"]:
            self.plugins.pop("nat44-ei", None)

    def _nat44_enable_legacy(self, args: list[str]) -> None:
        # Before 21.06 'nat44 enable' chose endpoint-independent unless told otherwise.
        mode = "ed" if "endpoint-dependent" in args else "ei"
        self.nat44_mode = mode
        self.plugins["nat44"] = {"mode": mode, "options": args, "legacy": True,
                                 "span": self._span().to_dict()}

    def _nat44_interface(self, args: list[str]) -> None:
        self._nat44_in_out("nat44" if self.nat44_mode == "ed" else "nat44-ei", args)

    def _nat44_interface_ei(self, args: list[str]) -> None:
        self._nat44_in_out("nat44-ei", args)

    def _nat44_in_out(self, cls: str, args: list[str]) -> None:
        delete = "del" in args
        output_feature = "output-feature" in args
        for direction, ifname in self._pairs(args, ("in", "out")):
            if delete:
                self._remove(cls, ifname, direction)
            else:
                self._add(cls, ifname, ifname, direction, output_feature=output_feature)

    # -- simple in|out per interface (nat64, nat66) ------------------------

    def _inout(self, cls: str) -> Callable[[list[str]], None]:
        def handler(args: list[str]) -> None:
            pairs = self._pairs(args, ("in", "out"))
            for direction, ifname in pairs:
                if "del" in args:
                    self._remove(cls, ifname, direction)
                else:
                    self._add(cls, ifname, ifname, direction)
        return handler

    def _plugin_enable(self, cls: str) -> Callable[[list[str]], None]:
        def handler(args: list[str]) -> None:
            if args[:1] == ["enable"]:
                self.plugins[cls] = {"options": args[1:], "span": self._span().to_dict()}
            elif args[:1] == ["disable"]:
                self.plugins.pop(cls, None)
        return handler

    # -- ACL ---------------------------------------------------------------

    def _acl_interface(self, args: list[str]) -> None:
        if args[:1] == ["sw_if_index"] and len(args) > 1:
            ifname = f"sw_if_index:{args[1]}"
        else:
            ifname = next((a for a in args if a not in ("input", "output", "acl", "del")
                           and not a.isdigit()), None)
        direction = "input" if "input" in args else "output" if "output" in args else None
        acls = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "acl"]
        if ifname is None:
            return
        if "del" in args:
            self._remove("acl", ifname, direction)
        else:
            self._add("acl", ifname, ifname, direction, acls=acls)

    # -- load balancer -------------------------------------------------------

    @staticmethod
    def _vip_key(args: list[str]) -> str:
        key = args[0] if args else "?"
        pairs = dict(CliInterpreter._pairs(args, ("protocol", "port")))
        if "protocol" in pairs:
            key += f":{pairs['protocol']}:{pairs.get('port', '*')}"
        return key

    def _lb_vip(self, args: list[str]) -> None:
        if not args:
            return
        key = self._vip_key(args)
        if "del" in args:
            self._remove("lb", key)
            return
        encap = dict(self._pairs(args, ("encap",))).get("encap")
        self._add("lb", key, vip=args[0], encap=encap)

    def _lb_as(self, args: list[str]) -> None:
        if not args:
            return
        key = self._vip_key(args)
        el = self.features.get(f"lb@{key}")
        if el is None or "del" in args:
            return
        skip = {"protocol", "port", "weight"}
        ases, i = [], 1
        while i < len(args):
            if args[i] in skip:
                i += 2
                continue
            if args[i] not in ("flush",):
                ases.append(args[i])
            i += 1
        self._add("lb", key, application_servers=ases)

    # -- flowprobe, ct6, det44, cnat ----------------------------------------

    def _flowprobe(self, args: list[str]) -> None:
        if not args:
            return
        ifname = args[0]
        which = next((a for a in args[1:] if a in ("l2", "ip4", "ip6")), "ip4")
        direction = next((a for a in args[1:] if a in ("rx", "tx", "both")), "rx")
        key = f"{ifname}/{which}"
        if "disable" in args:
            self._remove("flowprobe", key, direction)
        else:
            self._add("flowprobe", key, ifname, direction, which=which)

    def _ct6(self, args: list[str]) -> None:
        direction = next((a for a in args if a in ("inside", "outside")), None)
        ifname = next((a for a in args if a not in ("inside", "outside", "disable")), None)
        if ifname is None:
            return
        if "disable" in args:
            self._remove("ct6", ifname, direction)
        else:
            self._add("ct6", ifname, ifname, direction)

    def _det44_interface(self, args: list[str]) -> None:
        for direction, ifname in self._pairs(args, ("inside", "outside")):
            if "del" in args:
                self._remove("det44", ifname, direction)
            else:
                self._add("det44", ifname, ifname, direction)

    def _cnat_feature(self, args: list[str]) -> None:
        ifname = next((a for a in args if a not in ("enable", "disable")), None)
        if ifname is None:
            return
        if "disable" in args:
            self._remove("cnat", ifname)
        else:
            self._add("cnat", ifname, ifname)

    def _cnat_translation(self, args: list[str]) -> None:
        vip = dict(self._pairs(args, ("vip",))).get("vip")
        self._add("cnat", f"translation:{vip or len(self.features)}", translation=" ".join(args))

    # -- generic feature-arc nodes --------------------------------------------

    def _interface_feature(self, args: list[str]) -> None:
        if len(args) < 4 or "arc" not in args:
            return
        ifname, node = args[0], args[1]
        arc = args[args.index("arc") + 1] if args.index("arc") + 1 < len(args) else None
        key = ifname
        if "disable" in args:
            self._remove(node, key, arc)
        else:
            # the plugin directory is found later by the adapter from the node name
            el = self._add(node, key, ifname, arc, node=node, arc=arc)
            el.attrs["plugin_dir"] = None

    # -- plugins that hand packets between workers themselves ----------------

    def _reassembly(self, args: list[str]) -> None:
        if not args:
            return
        ifname = args[0]
        if any(a in ("off", "disable") for a in args[1:]):
            self._remove("ip-reassembly", ifname)
        else:
            which = [a for a in args[1:] if a in ("ip4", "ip6")] or ["ip4", "ip6"]
            self._add("ip-reassembly", ifname, ifname, None, families=which)

    def _ipsec_spd(self, args: list[str]) -> None:
        if len(args) >= 2:
            if "del" in args:
                self._remove("ipsec", args[0])
            else:
                self._add("ipsec", args[0], args[0], None, spd=args[1])

    def _policer_input(self, args: list[str]) -> None:
        words = [a for a in args if a != "unapply"]
        pairs = dict(self._pairs(words, ("name", "index")))
        rest = [a for a in words if a not in ("name", "index") and a not in pairs.values()]
        if not rest:
            return
        ifname = rest[-1]
        if "unapply" in args:
            self._remove("policer", ifname)
        else:
            self._add("policer", ifname, ifname, "input", policer=pairs.get("name") or pairs.get("index"))

    # -- dispatch-related commands already in the script ---------------------

    def _handoff(self, args: list[str]) -> None:
        if args:
            self.handoff.append({"interface": args[0], "args": args[1:],
                                 "span": self._span().to_dict()})
            self.interfaces.setdefault(args[0], None)

    def _flow(self, args: list[str]) -> None:
        if args[:1] == ["add"]:
            self.flows.append({"args": args[1:], "span": self._span().to_dict()})

    def _soft_rss(self, args: list[str]) -> None:
        if args:
            self.soft_rss.append({"interface": args[0], "args": args[1:],
                                  "span": self._span().to_dict()})

    def _interface_state(self, args: list[str]) -> None:
        if args:
            self.interfaces.setdefault(args[0], None)

    def _interface_ref(self, args: list[str]) -> None:
        if args and args[0] != "del":
            self.interfaces.setdefault(args[0], None)


# --------------------------------------------------------------------------
# load(): startup.conf (+ its exec script) or a CLI script alone -> Chain
# --------------------------------------------------------------------------


def looks_like_startup_conf(text: str) -> bool:
    """A startup.conf starts with 'section {' for a known section; a CLI script does not."""
    stripped = re.sub(r"#[^\n]*", " ", text)
    m = re.match(r"\s*([^\s{}]+)\s*\{", stripped)
    return bool(m and m.group(1) in KNOWN_SECTIONS)


def resolve_exec_path(conf_path: str, script: str) -> str:
    """The exec script of a startup.conf: absolute, or relative to the startup.conf."""
    if os.path.isabs(script):
        return script
    return os.path.normpath(os.path.join(os.path.dirname(conf_path), script))


def _interface_names(devices: list[dict], referenced: list[str]) -> None:
    """Fill each device's VPP interface name: its 'name', else a CLI name ending in bus/slot/fn."""
    for d in devices:
        if d["default"]:
            continue
        if d.get("name"):
            d["interface"] = d["name"]
            continue
        suffix = pci_interface_suffix(d["address"])
        match = [i for i in referenced if suffix and re.search(r"[A-Za-z]" + re.escape(suffix) + "$", i)]
        d["interface"] = match[0] if match else None


def legacy_nat44_mode(doc: Optional[VppDocument]) -> str:
    """Before 21.06 NAT44 was endpoint-independent unless ``nat { endpoint-dependent }``."""
    if doc is None or not doc.sections_named("nat"):
        return "ed"
    words = [w for s in doc.sections_named("nat") for w in _word_list(s.body)]
    return "ed" if "endpoint-dependent" in words else "ei"


def load(path: str) -> Chain:
    text = read_config_text(path)
    chain = Chain(framework="vpp", path=path, files=[path])
    doc: Optional[VppDocument] = None
    script: Optional[VppScript] = None
    exec_key = exec_ref = exec_path = None
    if looks_like_startup_conf(text) or not text.strip():
        doc = VppDocument(text, path)
        exec_key, exec_ref = doc.exec_script()
        if exec_ref:
            e = [x for x in doc.section_entries("unix") if x.key.value == exec_key][-1]
            where = span_at(path, text, e.value.start, e.value.end - e.value.start)
            exec_path = resolve_exec_path(path, exec_ref)
            beside = os.path.join(os.path.dirname(path), os.path.basename(exec_ref))
            if not os.path.isfile(exec_path) and os.path.isfile(beside):
                # a deployment copied off its host: /etc/vpp/x.cli now sits next to startup.conf
                chain.diagnostics.append(Diagnostic(
                    "note", f"exec script '{exec_ref}' not found; reading {beside} instead", where))
                exec_path = beside
            if os.path.isfile(exec_path):
                script = VppScript.load(exec_path)
                chain.files.append(exec_path)
            else:
                chain.diagnostics.append(Diagnostic(
                    "warning", f"exec script '{exec_ref}' not found (looked at {exec_path}); "
                               f"no features read from it", where))
    else:
        script = VppScript(text, path)

    interp = CliInterpreter(script, legacy_nat44_mode(doc)).run() if script is not None else None
    devices = doc.devices() if doc else []
    referenced = list(interp.interfaces) if interp else []
    _interface_names(devices, referenced)
    interfaces = list(dict.fromkeys([d["interface"] for d in devices if d.get("interface")]
                                    + referenced))
    chain.deployment = {
        "startup_conf": path if doc else None,
        "script": script.path if script else None,
        "exec_key": exec_key, "exec_ref": exec_ref,
        "cpu": doc.cpu() if doc else {},
        "workers": doc.worker_count() if doc else None,
        "devices": [d for d in devices if not d["default"]],
        "device_default": next((d for d in devices if d["default"]), None),
        "interfaces": interfaces,
        "plugins": interp.plugins if interp else {},
        "handoff": interp.handoff if interp else [],
        "flows": interp.flows if interp else [],
        "soft_rss": interp.soft_rss if interp else [],
        "macros": dict(script.macros) if script else {},
        "sections": sorted({s.name.value for s in doc.sections}) if doc else [],
    }
    if interp:
        chain.elements = list(interp.features.values())
        chain.diagnostics.extend(interp.diagnostics)
    return chain
