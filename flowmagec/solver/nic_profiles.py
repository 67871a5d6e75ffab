"""NIC profiles: what a NIC's RSS can do (package data flowmagec/data/nics/*.json).

A profile names its key length, RETA size, hash functions, the field sets the
hardware can hash (through port-level rss_hf or rte_flow, see
``field_selection``) and whether the key can be set.  ``load`` takes a profile
name, an alias (``x710``, ``cx5``) or the path of a user's JSON file; see
docs/nics.md for the format.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Optional

from ..artifacts import NICProfile
from ..errors import InputError, span_at, parse_json
from .keys import KEY_SIZES
from .toeplitz import INPUT_ORDER

SCHEMA_NIC = "flowmage.nic/1"
FIELD_SELECTION = ("port", "rte_flow", "none")
HASH_FUNCTIONS = ("toeplitz", "symmetric_toeplitz", "simple_xor")


def _package_files() -> dict[str, str]:
    """Profile name -> JSON text, for every profile shipped with flowmagec."""
    root = resources.files("flowmagec.data").joinpath("nics")
    return {p.name[:-5]: p.read_text(encoding="utf-8")
            for p in root.iterdir() if p.name.endswith(".json")}


def available() -> list[str]:
    """Names of the shipped profiles."""
    return sorted(_package_files())


def _aliases() -> dict[str, str]:
    """Lower-case name or alias -> profile name."""
    table = {}
    for name, text in _package_files().items():
        table[name.lower()] = name
        for alias in json.loads(text).get("aliases", []):
            table[alias.lower()] = name
    return table


def load(name_or_path: str) -> NICProfile:
    """A profile by name, alias or JSON path; InputError (listing the names) if unknown."""
    path = Path(name_or_path)
    if name_or_path.endswith(".json") or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(f"cannot read NIC profile '{name_or_path}': {e.strerror}") from None
        return parse(text, str(path))
    name = _aliases().get(name_or_path.lower())
    if name is None:
        raise InputError(f"unknown NIC profile '{name_or_path}'",
                         notes=(f"available profiles: {', '.join(available())}",
                                "or pass the path of a JSON profile (format in docs/nics.md)"))
    return parse(_package_files()[name], f"<flowmagec>/data/nics/{name}.json")


def parse(text: str, file: str) -> NICProfile:
    """Parse and validate one profile's JSON text; errors point at file:line:col."""
    data = parse_json(text, file, "JSON in NIC profile")
    if not isinstance(data, dict):
        raise InputError("a NIC profile must be a JSON object", span=span_at(file, text, 0))
    _Validator(data, text, file).check()
    return NICProfile.from_dict(data)


class _Validator:
    """Checks a profile's values; each error points at the offending key in the file."""

    def __init__(self, data: dict, text: str, file: str):
        self.data, self.text, self.file = data, text, file

    def fail(self, key: str, message: str, expected: Optional[str] = None):
        offset = self.text.find(f'"{key}"')
        span = span_at(self.file, self.text, max(offset, 0), len(key) + 2)
        raise InputError(message, span=span, expected=expected)

    def check(self) -> None:
        d = self.data
        for key in ("name", "driver"):
            if not isinstance(d.get(key), str) or not d.get(key):
                self.fail(key, f"NIC profile needs a non-empty '{key}'")
        if d.get("schema", SCHEMA_NIC) != SCHEMA_NIC:
            self.fail("schema", f"unsupported NIC profile schema '{d['schema']}'", SCHEMA_NIC)
        key_bytes = d.get("key_bytes", 40)
        if key_bytes not in KEY_SIZES:
            self.fail("key_bytes", f"key_bytes {key_bytes} is not supported", " or ".join(map(str, KEY_SIZES)))
        reta = d.get("reta_size", 128)
        if not isinstance(reta, int) or reta < 2 or reta & (reta - 1):
            self.fail("reta_size", f"reta_size {reta} is not a power of two >= 2")
        if d.get("field_selection", "none") not in FIELD_SELECTION:
            self.fail("field_selection", f"field_selection '{d['field_selection']}' is unknown",
                      " | ".join(FIELD_SELECTION))
        aliases = d.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            self.fail("aliases", "aliases must be a list of names")
        bad = [h for h in d.get("hash_functions", ["toeplitz"]) if h not in HASH_FUNCTIONS]
        if bad:
            self.fail("hash_functions", f"unknown hash function(s) {', '.join(bad)}", ", ".join(HASH_FUNCTIONS))
        sets = d.get("hashable_field_sets", [])
        if not isinstance(sets, list):
            self.fail("hashable_field_sets", "hashable_field_sets must be a list of field lists")
        for fs in sets:
            if not fs or not isinstance(fs, list) or set(fs) - set(INPUT_ORDER):
                self.fail("hashable_field_sets", f"bad hashable field set {fs}",
                          f"non-empty lists of {', '.join(INPUT_ORDER)}")
        if not isinstance(d.get("key_settable", True), bool):
            self.fail("key_settable", "key_settable must be true or false")
        queues = d.get("max_queues", 64)
        if not isinstance(queues, int) or queues < 1:
            self.fail("max_queues", f"max_queues {queues} must be a positive integer")
