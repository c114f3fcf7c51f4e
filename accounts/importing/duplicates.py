"""Rows of one file that describe the same record, merged before anything is written.

CRM exports often hold one record twice: a person in two lists glued together, an account
exported before and after an edit. Applied one after the other, such rows set the record to
the first row's values and then to the last's on every import of the file, so a second import
of an unchanged file would report updates, bump `updated_at` and fill the undo log. Instead the
rows of one record are merged: the record's first valid row carries, per column, the last
non-empty value of the group (what applying the rows in order leaves, since an empty cell never
wipes a value) and the first CRM id (the loaders keep the id a record was first stored under).
The later rows count as unchanged; when the merged row is rejected, they are rejected with it.

Finding the groups costs a pass over the key columns only. For CSV files pyarrow reads those
columns in C++ (~0.5 s per million rows); xlsx files and CSVs pyarrow cannot parse take the
Python reader. Only when a key value repeats does a second pass collect the rows involved,
clean them and group them exactly, by the keys the loaders upsert on.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from accounts.importing.readers import Row, TableReader
from accounts.importing.validation import Validator

log = logging.getLogger(__name__)

_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d*\.)?([^/:?#\s]*).*$", re.S)
_HOST_RE2 = r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\d*\.)?([^/:?#\s]*).*$"


def _crm_key(value: str) -> str:
    return value.strip()


def _email_key(value: str) -> str:
    text = value.strip().lower().removeprefix("mailto:")
    return text if "@" in text else ""


def _host_key(value: str) -> str:
    text = value.strip().lower()
    return _HOST.sub(r"\1", text) if text else ""


def _name_key(value: str) -> str:
    return value.strip().lower()


@dataclass(frozen=True)
class _RawKey:
    """One key as the first pass sees it: a namespace, the fields it reads, how it is built.

    `build` takes the row's cells for `fields` (in that order) and gives the key, "" for none;
    `arrow` does the same for pyarrow string arrays. Both must agree: the second pass finds the
    rows of a repeated key with `build`.
    """

    name: str
    fields: tuple[str, ...]
    build: Callable[..., str]
    arrow: Callable[..., Any]


def _arrow_crm(crm):
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(crm)


def _arrow_email(email):
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(email)
    ascii_only = pc.all(pc.string_is_ascii(text)).as_py() is not False
    text = pc.ascii_lower(text) if ascii_only else pc.utf8_lower(text)
    if pc.any(pc.starts_with(text, "mailto:")).as_py():
        text = pc.replace_substring_regex(text, "^mailto:", "")
    return pc.if_else(pc.match_substring(text, "@"), text, "")


def _arrow_host(*cells):
    import pyarrow.compute as pc

    value = cells[0]
    for other in cells[1:]:  # the domain column first, else the website
        value = pc.if_else(pc.equal(pc.utf8_trim_whitespace(value), ""), other, value)
    text = pc.utf8_lower(pc.utf8_trim_whitespace(value))
    return pc.replace_substring_regex(text, _HOST_RE2, r"\1")


def _first_host(*cells: str) -> str:
    for cell in cells:
        if cell.strip():
            return _host_key(cell)
    return ""


def _arrow_keyless(*cells):
    """A key for records with no CRM id (the first cell): the rest joined, lower-cased."""
    import pyarrow.compute as pc

    crm, rest = cells[0], cells[1:]
    joined = pc.binary_join_element_wise(
        *[pc.utf8_lower(pc.utf8_trim_whitespace(c)) for c in rest], "\x1f"
    )
    empty = pc.equal(pc.utf8_trim_whitespace(crm), "")
    named = pc.not_equal(pc.utf8_trim_whitespace(rest[-1]), "")
    return pc.if_else(pc.and_(empty, named), joined, "")


def _keyless(*cells: str) -> str:
    crm, rest = cells[0], cells[1:]
    if crm.strip() or not rest[-1].strip():
        return ""
    return "\x1f".join(c.strip().lower() for c in rest)


_PEOPLE = (
    _RawKey("crm", ("crm_id",), _crm_key, _arrow_crm),
    _RawKey("email", ("email",), _email_key, _arrow_email),
)
RAW_KEYS: dict[str, tuple[_RawKey, ...]] = {
    "contacts": _PEOPLE,
    "leads": _PEOPLE,
    "accounts": (
        _RawKey("crm", ("crm_id",), _crm_key, _arrow_crm),
        _RawKey("domain", ("domain", "website"), _first_host, _arrow_host),
        _RawKey("name", ("crm_id", "name"), _keyless, _arrow_keyless),
    ),
    "opportunities": (
        _RawKey("crm", ("crm_id",), _crm_key, _arrow_crm),
        _RawKey(
            "deal",
            ("crm_id", "crm_account_id", "account_domain", "account_name", "name"),
            _keyless,
            _arrow_keyless,
        ),
    ),
}


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
    members: dict[int, list[int]] = field(default_factory=dict)  # carrier line → merged lines

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
        others = self.members.get(line)
        if not others:
            return reason
        listed = ", ".join(str(n) for n in others[:5]) + (" …" if len(others) > 5 else "")
        return f"{reason} (this row was merged with line {listed}, the same record)"


def plan_merges(
    table: TableReader,
    validator: Validator,
    known_crm_ids: Callable[[set[str]], set[str]] | None = None,
    *,
    repeated: dict[str, set[str]] | None = None,
) -> MergePlan:
    """Find the rows of the file that upsert the same record, and merge each group.

    Rows with different CRM ids that share an email or domain (duplicate records in the CRM)
    land on one record when loaded in order: the later ids find the first one's record by
    email or domain, which keeps its first id. They are merged like that only when
    `known_crm_ids` (the ids of this source already stored) knows none of the later ids; a
    known one is a record of its own, and the rows are loaded as they come.
    """
    raw_keys = _raw_keys(validator)
    if repeated is None:
        repeated = find_repeated_keys(table, validator)
    if not any(repeated.values()):
        return MergePlan()
    candidates = []
    getters = [(k, _indexes(validator, k)) for k in raw_keys]
    for row in table.rows():
        for key, indexes in getters:
            value = key.build(*[row.values[i] if i is not None else "" for i in indexes])
            if value and value in repeated[key.name]:
                candidates.append(row)
                break
    return _plan(validator, candidates, known_crm_ids)


def find_repeated_keys(table: TableReader, validator: Validator) -> dict[str, set[str]]:
    """Key values that occur on more than one row, by key name (`plan_merges(repeated=…)`).

    Safe to run in a thread beside the Python reader: pyarrow works without the GIL.
    """
    raw_keys = _raw_keys(validator)
    return _repeated_keys(table, validator, raw_keys) if raw_keys else {}


def _raw_keys(validator: Validator) -> list[_RawKey]:
    return [k for k in RAW_KEYS.get(validator.obj, ()) if _indexes(validator, k) is not None]


def _indexes(validator: Validator, key: _RawKey) -> tuple[int | None, ...] | None:
    """The column feeding each of the key's fields (None: unmapped); None when none is mapped."""
    by_field: dict[str, int] = {}
    for index, spec in validator.columns:
        by_field.setdefault(spec.name, index)
    indexes = tuple(by_field.get(f) for f in key.fields)
    return None if all(i is None for i in indexes) else indexes


def _repeated_keys(
    table: TableReader, validator: Validator, raw_keys: Sequence[_RawKey]
) -> dict[str, set[str]]:
    keys = _arrow_keys(table, validator, raw_keys) if table.kind == "csv" else None
    if keys is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        repeated: dict[str, set[str]] = {}
        for name, values in keys.items():
            if len(pc.unique(values)) == len(values):  # the usual case, and cheaper to tell
                repeated[name] = set()
                continue
            tally = pc.value_counts(values)
            twice = pc.filter(tally.field("values"), pc.greater(tally.field("counts"), 1))
            repeated[name] = set(twice.to_pylist())
        del keys
        pa.default_memory_pool().release_unused()  # the import's own peak comes later
        return repeated
    tallies = {k.name: Counter() for k in raw_keys}
    getters = [(k, _indexes(validator, k)) for k in raw_keys]
    for row in table.rows():
        for key, indexes in getters:
            value = key.build(*[row.values[i] if i is not None else "" for i in indexes])
            if value:
                tallies[key.name][value] += 1
    return {name: {v for v, n in tally.items() if n > 1} for name, tally in tallies.items()}


def _arrow_keys(
    table: TableReader, validator: Validator, raw_keys: Sequence[_RawKey]
) -> dict[str, Any] | None:
    """Every data row's non-empty keys, by key name, as pyarrow chunked arrays; None when
    pyarrow can't read the file as the Python reader does (the caller then uses that reader).

    Streamed in blocks, so memory holds the keys and one block, not the file.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    columns = sorted({i for k in raw_keys for i in _indexes(validator, k) or () if i is not None})
    names = [f"c{i}" for i in range(len(table.raw_headers))]
    parts: dict[str, list] = {k.name: [] for k in raw_keys}
    try:
        with table._binary() as raw:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    encoding=table.encoding or "utf-8",
                    block_size=8 << 20,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=table.delimiter or ",",
                    newlines_in_values=True,
                    invalid_row_handler=lambda row: "skip",
                ),
                convert_options=pacsv.ConvertOptions(
                    include_columns=[names[i] for i in columns],
                    column_types={names[i]: pa.string() for i in columns},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            header = True
            for batch in reader:
                # The header is the first non-blank record (pyarrow skips blank lines too).
                cells = {i: batch.column(names[i]).slice(1 if header else 0) for i in columns}
                header = False
                empty = pa.repeat("", len(cells[columns[0]]))
                for key in raw_keys:
                    args = [cells[i] if i is not None else empty for i in _indexes(validator, key)]
                    values = key.arrow(*args)
                    parts[key.name].append(values.filter(pc.not_equal(values, "")))
    except (pa.ArrowException, ValueError, LookupError, UnicodeError) as exc:
        log.info("duplicate scan: pyarrow could not read %s (%s)", table.path, exc)
        return None
    return {name: pa.chunked_array(chunks, pa.string()) for name, chunks in parts.items()}


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
        plan.members[rows[0].line] = [r.line for r in rows[1:]]
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
