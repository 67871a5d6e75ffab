"""Span-preserving editing of Click configurations (used by the emitters).

``ClickDocument`` parses a configuration (and the libraries it requires), then
edits it byte-exactly: every edit replaces one range of one file's text and
nothing else, so comments, layout and untouched arguments survive.  An edit
that would break the configuration is refused with InputError (and undone).

Edits are cheap on large configurations.  An edit inside one configuration
string (``set_keyword``/``remove_keyword`` where the parentheses exist) is
checked on the spot: the same ``)`` must still close that string, so every
other token of the file is unchanged, and the element is a primitive (no
compound fallback could pick another expansion), so no name or connection can
change.  Such edits are recorded as pending; later edits map the parsed
offsets through them, and the document is parsed again only when ``chain`` is
next read.  Any other edit (class names, insertions, new parentheses, or a
configuration edit failing that check) is validated at once by a full parse.

Element names are the flattened names of ``chain`` (``router/q``, ``Queue@3``).
An element that comes from an ``elementclass`` body is edited *in the class
body*, so the edit applies to every instance of that class.  Elements declared
together (``a, b :: Queue(10)``) share one configuration string; editing one
edits both.  Renaming the class of an anonymous element changes its name
(``Queue@3`` becomes ``ThreadSafeQueue@3``).

Render with no edit reproduces the input byte for byte.
"""
from __future__ import annotations

import difflib
import os
import re
from typing import Optional

from ..artifacts import Chain
from ..errors import InputError, span_at
from .click import elaborate
from .click_config import find_config_end, keyword_split, split_args
from .click_elab import TUNNEL, Origin, _read_file

_IDENT = re.compile(r"[A-Za-z0-9_@]+(?:/[A-Za-z0-9_@]+)*\Z")
_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_:.?!]*\Z")


class ClickDocument:
    """A parsed Click configuration that can be edited and rendered back."""

    def __init__(self, path: str, src_dirs=(), defines: Optional[dict] = None):
        self.path = os.path.normpath(path)
        self.src_dirs = tuple(src_dirs)
        self.defines = dict(defines or {})
        self._original: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        # The last full parse: its chain, its syntax trees, and the texts it read.
        self._chain: Chain
        self._parsed_texts: dict[str, str] = {}
        # Configuration-string edits since that parse: path -> [(offset, old length,
        # new length)], in the order applied (see _current).
        self._pending: dict[str, list[tuple[int, int, int]]] = {}
        self._reparse()

    @classmethod
    def parse_file(cls, path: str, src_dirs=(), defines: Optional[dict] = None) -> "ClickDocument":
        return cls(path, src_dirs, defines)

    # ---- reading -----------------------------------------------------------

    def _read(self, path: str) -> str:
        if path not in self._texts:
            text = _read_file(path)
            self._original[path] = text
            self._texts[path] = text
        return self._texts[path]

    def _reparse(self) -> None:
        self._chain, self._elab = elaborate(self.path, self.src_dirs, self.defines, reader=self._read)
        self._parsed_texts = dict(self._texts)
        self._pending = {}

    @property
    def chain(self) -> Chain:
        """The flattened graph of the current text (parsed again after pending edits)."""
        if self._pending:
            try:
                self._reparse()
            except InputError as e:     # not expected: pending edits were checked
                self._texts = dict(self._parsed_texts)
                self._reparse()
                raise InputError(f"edits refused, the result would not parse: {e.message}",
                                 e.span, expected=e.expected) from None
        return self._chain

    def _current(self, path: str, offset: int, after_insertions: bool = False) -> int:
        """Where ``offset`` of the last parsed text of ``path`` is now, after the pending
        edits.  Text inserted exactly at ``offset`` counts as before it when
        ``after_insertions`` (the end of a configuration string grows with what is
        appended to it), else as after it (its start stays put)."""
        for at, old, new in self._pending.get(path, ()):
            if offset > at + old or (offset == at + old and (old or after_insertions)):
                offset += new - old
        return offset

    # ---- queries -------------------------------------------------------------

    def _origin(self, element: str) -> Origin:
        root = self._elab.root
        idx = root.emap.get(element)
        if idx is None or root.types[idx] is TUNNEL or root.origins[idx] is None:
            names = [e.name for e in self._chain.elements]
            close = difflib.get_close_matches(element, names, n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            raise KeyError(f"no element '{element}' in {self.path}{hint}")
        return root.origins[idx]

    def _config(self, origin: Origin) -> Optional[tuple[int, str]]:
        """(current offset, current text) of an element's configuration string, or
        None when its declaration has no parentheses."""
        cfg = origin.config_node.config
        if cfg is None:
            return None
        start = self._current(origin.path, cfg.start_pos)
        end = self._current(origin.path, cfg.end_pos, after_insertions=True)
        return start, self._texts[origin.path][start:end]

    @staticmethod
    def _find_keyword(cfg_text: str, args, keyword: str):
        """Index of the (last) argument ``KEYWORD value`` or a bare ``KEYWORD``; -1 if none."""
        found = -1
        for i, a in enumerate(args):
            raw = cfg_text[a.start:a.end]
            ks = keyword_split(raw)
            if (ks is not None and ks[0] == keyword) or a.text == keyword:
                found = i
        return found

    # ---- edits ---------------------------------------------------------------

    def set_keyword(self, element: str, keyword: str, value: str) -> None:
        """Set ``KEYWORD value`` on an element: replace the value if the keyword is
        present (the last occurrence, which is the one Click reads), else append
        ``, KEYWORD value`` to its configuration, creating ``(KEYWORD value)`` when the
        declaration has no parentheses."""
        if not _KEYWORD.match(keyword):
            raise ValueError(f"'{keyword}' is not a valid Click keyword")
        value = str(value)
        origin = self._origin(element)
        path = origin.path
        config = self._config(origin)
        if config is None:
            anchor = _class_token(origin.config_node)
            if anchor is None:
                raise InputError(f"cannot add a configuration to '{element}'",
                                 self._span(path, self._current(path, origin.config_node.start)))
            at = self._current(path, anchor.end_pos)
            self._replace(path, at, at, f"({keyword} {value})")
            return
        base, cfg = config
        args = split_args(cfg)
        i = self._find_keyword(cfg, args, keyword)
        if i >= 0:
            a = args[i]
            ks = keyword_split(cfg[a.start:a.end])
            if ks is None:        # bare "KEYWORD"
                self._replace_in_config(origin, base + a.start, base + a.end, f"{keyword} {value}")
            else:
                self._replace_in_config(origin, base + a.start + ks[1], base + a.end, value)
            return
        nonempty = [a for a in args if a.text]
        if nonempty:
            at = base + nonempty[-1].end
            self._replace_in_config(origin, at, at, f", {keyword} {value}")
        else:
            at = base + (args[0].start if args else _blank_insert_point(cfg))
            self._replace_in_config(origin, at, at, f"{keyword} {value}")

    def remove_keyword(self, element: str, keyword: str) -> bool:
        """Remove every ``KEYWORD value`` argument of an element (with its comma).
        Returns False when the keyword was not there."""
        removed = False
        origin = self._origin(element)
        while True:
            config = self._config(origin)
            if config is None:
                return removed
            base, cfg = config
            args = split_args(cfg)
            i = self._find_keyword(cfg, args, keyword)
            if i < 0:
                return removed
            if i > 0:
                start, end = args[i - 1].end, args[i].end
            elif i + 1 < len(args):
                start, end = args[i].start, args[i + 1].start
            else:
                start, end = args[i].start, args[i].end
            self._replace_in_config(origin, base + start, base + end, "")
            origin = self._origin(element)       # the same, unless the edit reparsed
            removed = True

    def set_class(self, element: str, new_cls: str) -> None:
        """Replace the class name of an element's declaration."""
        if not _IDENT.match(new_cls):
            raise ValueError(f"'{new_cls}' is not a valid Click class name")
        origin = self._origin(element)
        path = origin.path
        tok = _class_token(origin.config_node)
        if tok is None:
            raise InputError(f"element '{element}' has no class name to replace",
                             self._span(path, self._current(path, origin.config_node.start)))
        self._replace(path, self._current(path, tok.start_pos),
                      self._current(path, tok.end_pos), new_cls)

    def replace_declaration(self, element: str, text: str) -> None:
        """Replace an element's class and configuration (``Class(cfg)``) by ``text``,
        e.g. a compound ``{ input -> ... -> output }``; its name and connections stay."""
        origin = self._origin(element)
        path = origin.path
        tok = _class_token(origin.config_node)
        if tok is None:
            raise InputError(f"element '{element}' has no class name to replace",
                             self._span(path, self._current(path, origin.config_node.start)))
        start = self._current(path, tok.start_pos)
        end = self._current(path, tok.end_pos)
        cfg = self._config(origin)
        if cfg is not None:
            cfg_start, cfg_text = cfg
            close = self._texts[path].find(")", cfg_start + len(cfg_text))
            end = close + 1 if close >= 0 else end
        self._replace(path, start, end, text)

    def insert_before(self, element: str, text: str, which: str = "first") -> None:
        """Splice ``text`` (e.g. ``"HashSwitch(26, 4) -> "``) into a connection just
        before ``element`` where it is the target of an arrow: before its input port
        if it has one (``-> [1]x`` becomes ``-> HashSwitch(26, 4) -> [1]x``).

        ``which='first'`` edits the first such place in the file, ``'all'`` every
        one (each gets its own copy of the inserted elements).  Places where the
        element is one of a comma-separated list (``a -> b, c``) are skipped:
        inserting there would connect its siblings too.  An element with no
        other place raises InputError."""
        if which not in ("first", "all"):
            raise ValueError("which must be 'first' or 'all'")
        origin = self._origin(element)
        targets = [n for n in origin.refs if n.incoming and not n.in_list]
        if not targets:
            node = origin.name_node or origin.config_node
            why = ("only appears in element lists ('a -> b, c')"
                   if any(n.incoming for n in origin.refs) else "is never the target of a connection")
            start = self._current(origin.path, node.start)
            raise InputError(f"element '{element}' {why}; nothing to insert before",
                             self._span(origin.path, start,
                                        self._current(origin.path, node.end) - start))
        targets.sort(key=lambda n: n.start)
        if which == "first":
            targets = targets[:1]
        edits = [(origin.path, self._current(origin.path, n.start),
                  self._current(origin.path, n.start), text) for n in targets]
        self._replace_many(edits)

    def append(self, text: str, file: Optional[str] = None) -> None:
        """Add statements at the end of a file (the main file by default)."""
        path = self._file(file)
        cur = self._texts[path]
        sep = "" if not cur or cur.endswith(("\n", "\r")) else "\n"
        self._replace(path, len(cur), len(cur), sep + text)

    # ---- output --------------------------------------------------------------

    def render(self, file: Optional[str] = None) -> str:
        return self._texts[self._file(file)]

    def edited_files(self) -> dict[str, str]:
        return {p: t for p, t in self._texts.items() if t != self._original.get(p)}

    # ---- helpers ---------------------------------------------------------------

    def _file(self, file: Optional[str]) -> str:
        if file is None:
            return self.path
        norm = os.path.normpath(file)
        if norm in self._texts:
            return norm
        for p in self._texts:
            if os.path.realpath(p) == os.path.realpath(norm):
                return p
        raise KeyError(f"'{file}' is not part of this configuration "
                       f"(files: {', '.join(self._texts)})")

    def _span(self, path: str, offset: int, length: int = 1):
        return span_at(path, self._texts[path], offset, length)

    def _replace(self, path: str, start: int, end: int, new: str) -> None:
        self._replace_many([(path, start, end, new)])

    def _replace_in_config(self, origin: Origin, start: int, end: int, new: str) -> None:
        """Replace ``[start, end)`` (current offsets, inside the element's configuration
        string) by ``new``: a pending edit when that is safe (see the module
        docstring), else validated by a full parse."""
        path = origin.path
        cfg_start, cfg = self._config(origin)
        text = self._texts[path]
        edited = text[:start] + new + text[end:]
        cfg_end = cfg_start + len(cfg) + len(new) - (end - start)
        if not self._elab.has_fallbacks and find_config_end(edited, cfg_start) == cfg_end:
            self._texts[path] = edited
            self._pending.setdefault(path, []).append((start, end - start, len(new)))
            return
        self._replace(path, start, end, new)

    def _replace_many(self, edits) -> None:
        """Apply edits (current offsets) and parse the result; refuse and undo them
        if it does not parse."""
        before = dict(self._texts)
        for path, start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = self._texts[path]
            self._texts[path] = text[:start] + new + text[end:]
        try:
            self._reparse()
        except InputError as e:
            # The last parse and the pending edits still describe the old texts.
            self._texts = before
            raise InputError(f"edit refused, the result would not parse: {e.message}",
                             e.span, expected=e.expected) from None


def _class_token(node):
    if node.decl_class is not None:
        return node.decl_class
    if node.kind == "named" and not node.has_decl:
        return node.ident          # anonymous element: the identifier is its class
    return None


def _blank_insert_point(cfg: str) -> int:
    """Where to put the first argument of an empty configuration: before a trailing comment."""
    stripped = cfg.lstrip()
    return len(cfg) - len(stripped) if stripped else len(cfg)
