"""Feature DB: NFFeatures keyed by the content digest of an NF's sources and flags.

Build systems (``flowmagec track``) and ``--features FILE`` use it so that only
NFs whose code changed are analysed again.

Safe to share and to edit by hand:

- Load validates the schema and the type of every field (``RecordValidator``).
  A record that does not validate is dropped with a warning (its NF is then
  analysed again); a file that is not a feature DB at all (empty, binary,
  truncated JSON, unknown schema version) is moved aside to
  ``FILE.corrupt-<time>`` and rebuilt, with a warning.
- Records written by flowmagec carry ``record_digest``, a sha256 of their own
  content: a record edited by hand no longer matches and is reported, then
  re-analysed unless ``--trust-db``.  A record written by hand *without* a
  digest is a declaration and stays valid (the main job uses it for an element
  class that has no source).
- ``save`` takes an exclusive ``fcntl.flock`` on ``FILE.lock``, re-reads the
  file, merges this run's updates into it and replaces it atomically, so two
  concurrent writers never lose each other's records.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
import types
import typing
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

from .artifacts import SCHEMA_FEATURES, Evidence, FeatureSet, NFFeatures, NFUnits
from .outputs import atomic_write

DIGEST_FIELD = "record_digest"


# --------------------------------------------------------------------------
# Validation: the declared type of every NFFeatures field, checked exactly
# --------------------------------------------------------------------------

class RecordError(ValueError):
    pass


class RecordValidator:
    """Checks a JSON value against a dataclass field type (no coercion:
    ``"src_ip"`` is not a ``list[str]``)."""

    def check(self, tp: Any, value: Any, where: str) -> None:
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            args = typing.get_args(tp)
            if value is None and type(None) in args:
                return
            inner = [a for a in args if a is not type(None)]
            for a in inner:
                try:
                    self.check(a, value, where)
                    return
                except RecordError:
                    continue
            raise RecordError(f"{where}: unexpected {type(value).__name__}")
        if origin in (list, tuple, set):
            if not isinstance(value, list):
                raise RecordError(f"{where}: expected a list, got {type(value).__name__}")
            (arg, *_) = typing.get_args(tp) or (Any,)
            for i, v in enumerate(value):
                self.check(arg, v, f"{where}[{i}]")
            return
        if origin is dict:
            if not isinstance(value, dict):
                raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
            _, vt = typing.get_args(tp) or (Any, Any)
            for k, v in value.items():
                self.check(vt, v, f"{where}.{k}")
            return
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            self.check_dataclass(tp, value, where)
            return
        if tp is Any:
            return
        if tp is bool:
            ok = isinstance(value, bool)
        elif tp is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif tp is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif tp is str:
            ok = isinstance(value, str)
        else:
            ok = True
        if not ok:
            raise RecordError(f"{where}: expected {tp.__name__}, got {type(value).__name__}")

    def check_dataclass(self, cls: type, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise RecordError(f"{where}: expected an object, got {type(value).__name__}")
        hints = typing.get_type_hints(cls)
        required = [f.name for f in dataclasses.fields(cls)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        for name in required:
            if name not in value:
                raise RecordError(f"{where}: missing field '{name}'")
        for f in dataclasses.fields(cls):
            if f.name in value:
                self.check(hints[f.name], value[f.name], f"{where}.{f.name}" if where else f.name)


def record_digest(record: dict) -> str:
    """sha256 of a record's own content (canonical JSON, without the digest field)."""
    body = {k: v for k, v in record.items() if k != DIGEST_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Loaded:
    features: list[NFFeatures]
    declared: set[str]                  # names of hand-written records (no digest)
    corrupt: str = ""                   # why the file is not a feature DB ("" if it is)
    warnings: list[str] = dataclasses.field(default_factory=list)


def parse_db(data: bytes, path: str, trust: bool = False) -> Loaded:
    """Validated records of a DB file's bytes (never raises on bad content)."""
    if not data.strip():
        return Loaded([], set(), corrupt="empty file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return Loaded([], set(), corrupt=f"not UTF-8 text (byte {e.start})")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        return Loaded([], set(), corrupt=f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}")
    except RecursionError:
        return Loaded([], set(), corrupt="JSON nested too deeply")
    if not isinstance(doc, dict) or not isinstance(doc.get("nfs"), list):
        return Loaded([], set(), corrupt="not a feature DB (no 'nfs' list)")
    if doc.get("schema") != SCHEMA_FEATURES:
        return Loaded([], set(), corrupt=f"unknown schema {doc.get('schema')!r} "
                                         f"(expected {SCHEMA_FEATURES})")
    out = Loaded([], set())
    validator = RecordValidator()
    for i, rec in enumerate(doc["nfs"]):
        label = f"{path}: record {i}"
        if isinstance(rec, dict) and isinstance(rec.get("name"), str):
            label += f" ({rec['name']})"
        try:
            validator.check_dataclass(NFFeatures, rec, "")
            if rec.get("schema", SCHEMA_FEATURES) != SCHEMA_FEATURES:
                raise RecordError(f"schema: unknown version {rec.get('schema')!r}")
        except RecordError as e:
            out.warnings.append(f"warning: {label}: {e}; dropped, it will be analysed again")
            continue
        sealed = rec.get(DIGEST_FIELD)
        if sealed is None:
            out.declared.add(rec["name"])
        elif sealed != record_digest(rec):
            if trust:
                out.warnings.append(f"warning: {label}: edited by hand (record digest does not "
                                    f"match); used as is because of --trust-db")
            else:
                out.warnings.append(f"warning: {label}: edited by hand (record digest does not "
                                    f"match); it will be analysed again (--trust-db keeps it)")
                continue
        out.features.append(NFFeatures.from_dict(rec))
    return out


def move_aside(path: str) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    target = f"{path}.corrupt-{stamp}"
    n = 1
    while os.path.exists(target):
        n += 1
        target = f"{path}.corrupt-{stamp}-{n}"
    os.replace(path, target)
    return target


@contextmanager
def locked(path: str):
    """Exclusive lock on ``path.lock`` (serialises writers of one DB)."""
    import fcntl
    lock_path = f"{path}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)        # closing releases the lock


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        from .errors import InputError
        raise InputError(f"feature DB '{path}' is a directory") from None
    except OSError as e:
        from .errors import InputError
        raise InputError(f"cannot read feature DB '{path}': {e.strerror}") from None


def _load_checked(path: str, trust: bool, log: Callable[[str], None]) -> Loaded:
    """Read and validate; a corrupt file is moved aside (caller holds the lock)."""
    data = _read_bytes(path)
    if data is None:
        return Loaded([], set())
    loaded = parse_db(data, path, trust)
    if loaded.corrupt:
        aside = move_aside(path)
        log(f"warning: {path}: {loaded.corrupt}; moved aside to {aside}, "
            f"the feature DB is rebuilt")
    return loaded


class FeatureDB:
    def __init__(self, path: str, features: FeatureSet, declared: set[str] | None = None,
                 trust: bool = False, log: Callable[[str], None] = lambda s: None):
        self.path = path
        self.features = features
        self.declared = set(declared or ())
        self.trust = trust
        self.log = log
        self._updated: dict[str, NFFeatures] = {}

    @classmethod
    def open(cls, path: str, trust: bool = False,
             log: Callable[[str], None] = lambda s: None) -> "FeatureDB":
        if os.path.exists(path) and not os.path.isdir(path):
            parent = os.path.dirname(os.path.abspath(path))
            if os.access(parent, os.W_OK):
                with locked(path):
                    loaded = _load_checked(path, trust, log)
            else:           # a read-only DB: validate, never move
                loaded = parse_db(_read_bytes(path) or b"", path, trust)
                if loaded.corrupt:
                    log(f"warning: {path}: {loaded.corrupt}; ignored")
        else:
            _read_bytes(path)       # a directory is an InputError
            loaded = Loaded([], set())
        for w in loaded.warnings:
            log(w)
        return cls(path, FeatureSet(nfs=loaded.features), loaded.declared, trust, log)

    def split_known(self, units: NFUnits) -> tuple[list[NFFeatures], NFUnits]:
        """Features already up to date (same digest), and the units still to analyse."""
        by_key = {(f.name, f.digest): f for f in self.features.nfs if f.digest}
        known, todo = [], []
        for u in units.units:
            hit = by_key.get((u.name, u.digest))
            (known.append(hit) if hit else todo.append(u))
        return known, NFUnits(units=todo, unresolved=units.unresolved, diagnostics=units.diagnostics)

    def update(self, fresh: list[NFFeatures]) -> None:
        names = {f.name for f in fresh}
        self.features.nfs = [f for f in self.features.nfs if f.name not in names] + list(fresh)
        for f in fresh:
            self._updated[f.name] = f
            self.declared.discard(f.name)

    def save(self) -> None:
        """Merge this run's updates into the file as it is now, under the lock; atomic."""
        path = Path(self.path)
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
        with locked(self.path):
            current = _load_checked(self.path, self.trust, self.log)   # record warnings: at open
            merged = [f for f in current.features if f.name not in self._updated]
            merged += list(self._updated.values())
            declared = (current.declared - set(self._updated)) | (
                self.declared & {f.name for f in merged})
            self.features.nfs = merged
            self.declared = declared
            atomic_write(self.path, self.to_json())

    def to_json(self) -> str:
        records = []
        for f in self.features.nfs:
            rec = f.to_dict()
            if f.name not in self.declared:
                rec[DIGEST_FIELD] = record_digest(rec)
            records.append(rec)
        return json.dumps({"nfs": records, "schema": SCHEMA_FEATURES}, indent=2) + "\n"


__all__ = ["FeatureDB", "RecordValidator", "parse_db", "record_digest", "Evidence"]
