"""Rows of one file that describe the same record, merged before anything is written.

CRM exports often hold one record twice: a person in two lists glued together, an account
exported before and after an edit. Applied one after the other, such rows set the record to
the first row's values and then to the last's on every import of the file, so a second import
of an unchanged file would report updates, bump `updated_at` and fill the undo log. Instead the
rows of one record are merged: the record's first valid row carries, per column, the last
non-empty value of the group (what applying the rows in order leaves, since an empty cell never
wipes a value) and the first CRM id (the loaders keep the id a record was first stored under).
The later rows count as unchanged; when the merged row is rejected, they are rejected with it.

Finding the groups costs one look at each row's key cells during the limits scan the import
runs anyway: each key is hashed into an array of 64-bit integers (8 bytes a row, whatever the
file), and numpy sorts them to find the repeats (~1.8 s of CPU per million rows on session 6's
slow machine). Only when a key repeats does a second pass collect the rows involved,
clean them and group them exactly, by the keys the loaders upsert on. A hash collision only
makes a row a candidate that the exact grouping then leaves alone.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accounts.importing.readers import Row, TableReader
from accounts.importing.validation import Validator

_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d*\.)?([^/:?#\s]*).*$", re.S)


def _crm_key(value: str) -> str:
    return value.strip()


def _email_key(value: str) -> str:
    text = value.strip().lower().removeprefix("mailto:")
    return text if "@" in text else ""


def _host_key(value: str) -> str:
    text = value.strip().lower()
    return _HOST.sub(r"\1", text) if text else ""


def _first_host(*cells: str) -> str:
    """The domain column's host, else the website's (as the account validator derives it)."""
    for cell in cells:
        if cell.strip():
            return _host_key(cell)
    return ""


def _keyless(*cells: str) -> str:
    """A key for records with no CRM id (the first cell): the rest joined, lower-cased."""
    crm, rest = cells[0], cells[1:]
    if crm.strip() or not rest[-1].strip():
        return ""
    return "\x1f".join(c.strip().lower() for c in rest)


@dataclass(frozen=True)
class _RawKey:
    """One key as the key pass sees it: a name, the fields it reads, how its cells become the
    key ("" for none). Cheaper than cleaning, and looser: the exact grouping comes after."""

    name: str
    fields: tuple[str, ...]
    build: Callable[..., str]


_PEOPLE = (_RawKey("crm", ("crm_id",), _crm_key), _RawKey("email", ("email",), _email_key))
RAW_KEYS: dict[str, tuple[_RawKey, ...]] = {
    "contacts": _PEOPLE,
    "leads": _PEOPLE,
    "accounts": (
        _RawKey("crm", ("crm_id",), _crm_key),
        _RawKey("domain", ("domain", "website"), _first_host),
        _RawKey("name", ("crm_id", "name"), _keyless),
    ),
    "opportunities": (
        _RawKey("crm", ("crm_id",), _crm_key),
        _RawKey(
            "deal", ("crm_id", "crm_account_id", "account_domain", "account_name", "name"), _keyless
        ),
    ),
}


class KeyTally:
    """The hashes of every row's keys, gathered by `TableReader.scan(visit=tally.add)`."""

    def __init__(self, validator: Validator) -> None:
        self.keys = [(k, _indexes(validator, k)) for k in _raw_keys(validator)]
        self.width = validator.width
        self.hashes = {k.name: array("q") for k, _ in self.keys}
        singles = [
            (k.build, indexes[0], self.hashes[k.name].append)
            for k, indexes in self.keys
            if len(indexes) == 1
        ]
        several = [
            (k.build, indexes, self.hashes[k.name].append)
            for k, indexes in self.keys
            if len(indexes) > 1
        ]

        def add(values: list[str]) -> None:
            try:
                for build, index, append in singles:
                    key = build(values[index])
                    if key:
                        append(hash(key))
                for build, indexes, append in several:
                    key = build(*[values[i] if i is not None else "" for i in indexes])
                    if key:
                        append(hash(key))
            except IndexError:  # a short (ragged) row: the reader pads it with empty cells
                add(values + [""] * (self.width - len(values)))

        self.add = add

    def __bool__(self) -> bool:
        return bool(self.keys)

    def repeated(self) -> dict[str, set[int]]:
        """The key hashes seen on more than one row, by key name."""
        out = {}
        for name, hashes in self.hashes.items():
            ordered = np.sort(np.frombuffer(hashes, dtype=np.int64)) if hashes else np.zeros(0)
            out[name] = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
        return out


def _key_of(key: _RawKey, indexes: tuple[int | None, ...], values: list[str]) -> str:
    return key.build(*[values[i] if i is not None else "" for i in indexes])


def _exact_keys(kind: str, record: dict[str, Any]) -> list[tuple]:
    """The keys the loader looks the cleaned record up by (see loaders/orm.py)."""
    keys: list[tuple] = []
    crm_id = record.get("crm_id")
    if crm_id:
        keys.append(("crm", crm_id))
    if kind in ("contacts", "leads"):
        if record.get("email"):
            keys.append(("email", record["email"]))
    elif kind == "accounts":
        if record.get("domain"):
            keys.append(("domain", record["domain"]))
        elif not crm_id and record.get("normalized_name"):
            keys.append(("name", record["normalized_name"]))
    elif kind == "opportunities" and not crm_id:
        refs = tuple(record.get(f) for f in ("crm_account_id", "account_domain", "account_name"))
        keys.append(("deal", refs, record.get("name")))
    return keys


@dataclass
class MergePlan:
    """Which rows carry a merged record, and which rows were merged into them."""

    carriers: dict[int, list[str]] = field(default_factory=dict)  # line → merged values
    superseded: dict[int, int] = field(default_factory=dict)  # line → its carrier's line

    def __bool__(self) -> bool:
        return bool(self.superseded)

    def split(self, chunk: list[Row]) -> tuple[list[Row], list[Row]]:
        """(rows to load, carriers with their merged values; rows merged into a carrier)."""
        if not self.superseded:
            return chunk, []
        load, merged = [], []
        for row in chunk:
            if row.line in self.superseded:
                merged.append(row)
            elif row.line in self.carriers:
                load.append(Row(row.line, self.carriers[row.line]))
            else:
                load.append(row)
        return load, merged

    def explain(self, line: int, reason: str) -> str:
        """A carrier's rejection reason, saying which lines it stood for."""
        others = [n for n, carrier in self.superseded.items() if carrier == line]
        if not others:
            return reason
        listed = ", ".join(str(n) for n in others[:5]) + (" …" if len(others) > 5 else "")
        return f"{reason} (this row was merged with line {listed}, the same record)"


def plan_merges(
    table: TableReader,
    validator: Validator,
    known_crm_ids: Callable[[set[str]], set[str]] | None = None,
    *,
    repeated: dict[str, set[int]] | None = None,
) -> MergePlan:
    """Find the rows of the file that upsert the same record, and merge each group.

    `repeated` is a `KeyTally`'s finding when the caller scanned the file with one; without
    it the file is read once more here. Rows with different CRM ids that share an email or
    domain (duplicate records in the CRM) land on one record when loaded in order: the later
    ids find the first one's record by email or domain, which keeps its first id. They are
    merged like that only when `known_crm_ids` (the ids of this source already stored) knows
    none of the later ids; a known one is a record of its own, and the rows are loaded as they
    come.
    """
    if repeated is None:
        tally = KeyTally(validator)
        if not tally:
            return MergePlan()
        table.scan(visit=tally.add)
        repeated = tally.repeated()
    if not any(repeated.values()):
        return MergePlan()
    keys = [(k, _indexes(validator, k), repeated[k.name]) for k in _raw_keys(validator)]
    candidates = [
        row
        for row in table.rows()
        if any(hash(_key_of(k, indexes, row.values)) in seen for k, indexes, seen in keys if seen)
    ]
    return _plan(validator, candidates, known_crm_ids)


def _raw_keys(validator: Validator) -> list[_RawKey]:
    return [k for k in RAW_KEYS.get(validator.obj, ()) if _indexes(validator, k) is not None]


def _indexes(validator: Validator, key: _RawKey) -> tuple[int | None, ...] | None:
    """The column feeding each of the key's fields (None: unmapped); None when none is mapped."""
    by_field: dict[str, int] = {}
    for index, spec in validator.columns:
        by_field.setdefault(spec.name, index)
    indexes = tuple(by_field.get(f) for f in key.fields)
    return None if all(i is None for i in indexes) else indexes


def _plan(
    validator: Validator,
    candidates: list[Row],
    known_crm_ids: Callable[[set[str]], set[str]] | None,
) -> MergePlan:
    kind = validator.obj
    entries: list[tuple[Row, Any, list[tuple]]] = []  # (row, CRM id, exact keys), valid rows
    for start in range(0, len(candidates), 20_000):
        items, _rejected = validator.clean_chunk(candidates[start : start + 20_000])
        entries += [(row, rec.get("crm_id"), _exact_keys(kind, rec)) for row, rec in items]
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple, int] = {}
    for i, (_row, _crm_id, keys) in enumerate(entries):
        for key in keys:
            j = first.setdefault(key, i)
            if j != i:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(entries)):
        groups.setdefault(find(i), []).append(i)
    merging = [members for members in groups.values() if len(members) > 1]
    later_ids: dict[int, set[str]] = {}  # group → the CRM ids after its first one
    for n, members in enumerate(merging):
        ids = list(dict.fromkeys(entries[i][1] for i in members if entries[i][1]))
        if len(ids) > 1:
            later_ids[n] = set(ids[1:])
    known = set()
    if later_ids and known_crm_ids is not None:
        known = known_crm_ids(set().union(*later_ids.values()))
    plan = MergePlan()
    crm_columns = [i for i, spec in validator.columns if spec.name == "crm_id"]
    mapped = [i for i, _spec in validator.columns]
    for n, members in enumerate(merging):
        if n in later_ids and (known_crm_ids is None or later_ids[n] & known):
            continue  # another CRM record of its own shares the email or domain: as they come
        rows = [entries[i][0] for i in members]
        plan.carriers[rows[0].line] = _merged(rows, mapped, crm_columns)
        for row in rows[1:]:
            plan.superseded[row.line] = rows[0].line
    return plan


def _merged(rows: list[Row], mapped: Iterable[int], crm_columns: list[int]) -> list[str]:
    values = list(rows[0].values)
    for index in mapped:
        cells = [r.values[index] for r in rows if r.values[index].strip()]
        if cells:
            values[index] = cells[0] if index in crm_columns else cells[-1]
    return values
