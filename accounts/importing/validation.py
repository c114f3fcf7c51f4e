"""Turn a mapped row into the values a record takes, or a reason it is rejected. No database.

A cleaned record holds only the cells that had a value: an empty cell is simply absent, so the
loaders never overwrite a stored value with nothing.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.importing import values as v
from accounts.importing.columns import FIELDS, Field
from accounts.importing.readers import Row

# Longest text each stored field takes (the model's max_length): longer is rejected, not cut.
MAX_LENGTHS = {
    "crm_id": 64,
    "crm_account_id": 64,
    "crm_parent_id": 64,
    "name": 255,
    "domain": 255,
    "website": 500,
    "industry": 120,
    "region": 64,
    "city": 120,
    "phone": 64,
    "account_type": 32,
    "first_name": 120,
    "last_name": 120,
    "email": 254,
    "title": 255,
    "department": 120,
    "lead_source": 120,
    "company_name": 255,
    "stage": 64,
    "campaign": 200,
    "external_id": 128,
    "kind": 32,
    "topic": 200,
    "source": 64,
    "account_name": 255,
    "account_domain": 255,
}
_STATUS_RANK = {"new": 0, "mql": 1, "sal": 2, "sql": 3}

_PARSERS: dict[str, Callable[[str], Any]] = {
    "text": v.clean_text,
    "email": v.parse_email,
    "amount": v.parse_amount,
    "int": v.parse_int,
    "employees": v.parse_employees,
    "bool": v.parse_bool,
    "date": v.parse_date,
    "datetime": v.parse_datetime,
    "country": v.parse_country,
    "domain": v.parse_domain,
    "technologies": v.parse_technologies,
    "tier": v.parse_tier,
    "lead_status": v.parse_lead_status,
    "channel": v.parse_channel,
}


class Rejected(Exception):
    """A row that cannot be imported; the message is the reason shown in the error report."""


@dataclass(frozen=True)
class Validator:
    """Compiled once per job: which cell feeds which field, and how it is parsed."""

    obj: str
    columns: tuple[tuple[int, Field], ...]
    width: int

    @classmethod
    def build(cls, *, obj: str, headers: list[str], mapping: dict[str, str]) -> Validator:
        by_name = {f.name: f for f in FIELDS[obj]}
        index = {h: i for i, h in enumerate(headers)}
        columns = tuple(
            (index[h], by_name[f]) for h, f in mapping.items() if h in index and f in by_name
        )
        return cls(obj=obj, columns=columns, width=len(headers))

    def clean(self, row: Row) -> dict[str, Any]:
        """The record's values, or `Rejected` with every problem of the row in one sentence."""
        items, rejected = self.clean_chunk([row])
        if rejected:
            raise Rejected(rejected[0][1])
        return items[0][1]

    def clean_chunk(
        self, rows: list[Row]
    ) -> tuple[list[tuple[Row, dict[str, Any]]], list[tuple[Row, str]]]:
        """(row, record) for the good rows and (row, reason) for the rejected, in file order."""
        columns, problems = self.clean_columns(rows)
        names = list(columns)
        finish = _FINISH[self.obj]
        items, rejected = [], []
        for i, row in enumerate(rows):
            if problems[i]:
                rejected.append((row, "; ".join(problems[i])))
                continue
            record = {name: columns[name][i] for name in names if columns[name][i] is not None}
            try:
                items.append((row, finish(record)))
            except Rejected as exc:
                rejected.append((row, str(exc)))
        return items, rejected

    def clean_columns(self, rows: list[Row]) -> tuple[dict[str, list[Any]], list[list[str] | None]]:
        """Parse column by column: field → values (None where empty) and each row's problems.

        Column-wise is several times faster than row-wise in Python, and low-cardinality columns
        (countries, titles, stages, dates) are parsed once per distinct value.
        """
        n = len(rows)
        problems: list[list[str] | None] = [None] * n
        for i, row in enumerate(rows):
            if row.extra:
                problems[i] = [
                    f"the row has {self.width + len(row.extra)} values but the header has {self.width} columns "
                    "(a stray delimiter or an unclosed quote?)"
                ]
        columns: dict[str, list[Any]] = {}
        # One C-speed transpose (every row is fitted to the header's width by the reader).
        cells = list(zip(*[row.values for row in rows], strict=True)) if rows else []
        for index, spec in self.columns:
            raw = cells[index] if cells else ()
            columns[spec.name] = _parse_column(spec, raw, problems)
        return columns, problems

    def clean_columnar(self, rows: list[Row]) -> CleanedChunk:
        """Like `clean_chunk`, but the good rows stay as columns: no dict per row.

        For the loaders that write column-wise (COPY); only people have a column-wise finish,
        other objects go through the per-row one.
        """
        columns, problems = self.clean_columns(rows)
        finish = _FINISH_COLUMNS.get(self.obj)
        if finish is None:
            items, rejected = self.clean_chunk(rows)
            cleaned = CleanedChunk.from_items(items)
            cleaned.rejected = rejected
            return cleaned
        reasons: list[str | None] = [None if p is None else "; ".join(p) for p in problems]
        finish(columns, reasons)
        bad = [i for i, reason in enumerate(reasons) if reason is not None]
        if not bad:
            return CleanedChunk(list(rows), columns, [])
        rejected = [(rows[i], reasons[i]) for i in bad]
        keep = sorted(set(range(len(rows))) - set(bad))
        if not keep:
            return CleanedChunk([], {name: [] for name in columns}, rejected)
        pick = operator.itemgetter(*keep)
        if len(keep) == 1:
            return CleanedChunk(
                [rows[keep[0]]], {n: [c[keep[0]]] for n, c in columns.items()}, rejected
            )
        return CleanedChunk(
            list(pick(rows)), {name: list(pick(col)) for name, col in columns.items()}, rejected
        )


@dataclass
class CleanedChunk:
    """A chunk after validation, column-wise: `columns[name][i]` belongs to `rows[i]`.

    None is an empty cell (the loaders keep the stored value); `rejected` holds the rows that
    failed, with their reasons, in file order.
    """

    rows: list[Row]
    columns: dict[str, list[Any]]
    rejected: list[tuple[Row, str]]

    @classmethod
    def from_items(cls, items: list[tuple[Row, dict[str, Any]]]) -> CleanedChunk:
        """From (row, record) pairs, as `clean_chunk` gives them."""
        names = {name for _, record in items for name in record}
        return cls(
            [row for row, _ in items],
            {name: [record.get(name) for _, record in items] for name in names},
            [],
        )

    def column(self, name: str) -> list[Any]:
        found = self.columns.get(name)
        return found if found is not None else [None] * len(self.rows)


_MISSING = object()


def _flag(problems: list[list[str] | None], i: int, message: str) -> None:
    if problems[i] is None:
        problems[i] = [message]
    else:
        problems[i].append(message)


def _parse_column(spec: Field, raw: Sequence[str], problems: list[list[str] | None]) -> list[Any]:
    limit = MAX_LENGTHS.get(spec.name)
    if spec.kind == "text":
        out: list[Any] = _text_column(raw)
    elif spec.kind == "email":
        out = [c or None for c in map(str.lower, map(str.strip, raw))]
        match = v.EMAIL_RE.match
        for i, value in enumerate(out):
            if value is not None and not match(value):
                try:
                    out[i] = v.parse_email(raw[i])
                except ValueError as exc:
                    out[i] = None
                    _flag(problems, i, f"{spec.label}: {exc}")
    else:
        # Parsed once per distinct cell (countries, stages, titles, dates repeat a lot), then
        # mapped back with a C-speed lookup.
        parser = _PARSERS[spec.kind]
        parsed: dict[str, Any] = {}
        failed = False
        for cell in set(raw):
            if not cell or cell.isspace():
                parsed[cell] = None
                continue
            try:
                value = parser(cell)
            except ValueError as exc:
                value = ValueError(f"{spec.label}: {exc}")
                failed = True
            if value == "" or value == []:
                value = None
            parsed[cell] = value
        out = list(map(parsed.__getitem__, raw))
        if failed:
            for i, value in enumerate(out):
                if isinstance(value, ValueError):
                    out[i] = None
                    _flag(problems, i, str(value))
    # Parsed text is never longer than the raw cell, so one C-speed max() over the raw cells
    # usually proves the whole column fits.
    if limit and raw and max(map(len, raw)) > limit:
        for i, value in enumerate(out):
            if isinstance(value, str) and len(value) > limit:
                out[i] = None
                _flag(problems, i, f"{spec.label} is longer than {limit} characters")
    return out


def _text_column(raw: Sequence[str]) -> list[str | None]:
    """`clean_text` over a column; None for empty cells.

    The common case (no NUL, no cell starting with tab or CR) is a plain strip, done at C
    speed; the rare column holding one of those goes cell by cell.
    """
    joined = "\x00" + "\x00".join(raw)
    if (
        joined.count("\x00") == len(raw) + (not raw)
        and "\x00\t" not in joined
        and "\x00\r" not in joined
    ):
        return [c or None for c in map(str.strip, raw)]
    return [v.clean_text(c) or None if c else None for c in raw]


def _money(record: dict[str, Any], name: str, label: str, digits: int) -> None:
    """Cents, as stored, so a re-import compares equal; too large is rejected, not overflowed."""
    if name in record:
        amount = record[name].quantize(Decimal("0.01"))
        if abs(amount) >= Decimal(10) ** (digits - 2):
            raise Rejected(f"{label}: {record[name]:,} is too large")
        record[name] = amount


def _finish_account(record: dict[str, Any]) -> dict[str, Any]:
    _money(record, "annual_revenue", "Annual revenue", 18)
    if "domain" not in record and "website" in record:
        domain = v.account_domain(record["website"])
        if domain:
            record["domain"] = domain
    if "name" not in record:
        if "domain" not in record:
            raise Rejected("the account has no name and no domain or website")
        record["name"] = record["domain"]
    record["normalized_name"] = normalized_company_name(record["name"])
    return record


def _finish_contact(record: dict[str, Any]) -> dict[str, Any]:
    if "email" in record:
        record["email_domain"] = record["email"].rsplit("@", 1)[1]
    full = record.pop("full_name", None)
    if full and "first_name" not in record and "last_name" not in record:
        first, _, last = full.partition(" ")
        record["first_name"], record["last_name"] = first[:120], last.strip()[:120]
        if not record["last_name"]:
            del record["last_name"]
    if "email" not in record and "crm_id" not in record:
        raise Rejected(
            "the person has no email and no CRM id, so a later import could not find them again"
        )
    if "title" in record:
        record["seniority"] = v.title_seniority(record["title"])
    lifecycle = record.pop("lifecycle_stage", None)
    status = record.get("lead_status")
    if status != "disqualified" and lifecycle:
        record["lead_status"] = max(
            (s for s in (status, lifecycle) if s), key=lambda s: _STATUS_RANK.get(s, 0)
        )
    return record


def _finish_contact_columns(columns: dict[str, list[Any]], reasons: list[str | None]) -> None:
    """`_finish_contact` for a whole chunk at once; a row that fails gets its reason."""
    n = len(reasons)
    email = columns.get("email")
    if email is not None:
        columns["email_domain"] = [e.rpartition("@")[2] if e else None for e in email]
    full = columns.pop("full_name", None)
    if full is not None:
        first = columns.setdefault("first_name", [None] * n)
        last = columns.setdefault("last_name", [None] * n)
        for i, name in enumerate(full):
            if name and first[i] is None and last[i] is None:
                given, _, family = name.partition(" ")
                first[i], last[i] = given[:120], family.strip()[:120] or None
    crm_id = columns.get("crm_id")
    keyless = (
        [None] * n
        if email is None and crm_id is None
        else email
        if crm_id is None
        else crm_id
        if email is None
        else [e or c for e, c in zip(email, crm_id, strict=True)]
    )
    for i, key in enumerate(keyless):
        if key is None and reasons[i] is None:
            reasons[i] = (
                "the person has no email and no CRM id, so a later import could not find them again"
            )
    title = columns.get("title")
    if title is not None:
        levels = {t: v.title_seniority(t) for t in set(title) if t is not None}
        columns["seniority"] = list(map(levels.get, title))
    lifecycle = columns.pop("lifecycle_stage", None)
    if lifecycle is not None:
        status = columns.setdefault("lead_status", [None] * n)
        for i, stage in enumerate(lifecycle):
            if stage and status[i] != "disqualified":
                status[i] = max(
                    (s for s in (status[i], stage) if s), key=lambda s: _STATUS_RANK.get(s, 0)
                )


def _finish_opportunity(record: dict[str, Any]) -> dict[str, Any]:
    _money(record, "amount", "Amount", 16)
    if "currency" in record:
        currency = record["currency"].upper()
        if len(currency) != 3 or not currency.isalpha():
            raise Rejected(f"Currency: “{record['currency']}” is not a 3-letter currency code")
        record["currency"] = currency
    if record.get("is_won"):
        record.setdefault("is_closed", True)
    return record


def _finish_event(record: dict[str, Any]) -> dict[str, Any]:
    url = record.pop("url", None)
    if url:
        record["meta"] = {"url": url}
    if "weight" in record:
        record["weight"] = float(record["weight"])
    return record


def _finish_intent(record: dict[str, Any]) -> dict[str, Any]:
    if "strength" in record:
        record["strength"] = float(record["strength"])
    if "observed_at" not in record:
        # The import day, not the import instant, so importing the same file twice stays idempotent.
        record["observed_at"] = dt.datetime.combine(
            dt.datetime.now(tz=dt.UTC).date(), dt.time(), tzinfo=dt.UTC
        )
    return record


_FINISH_COLUMNS: dict[str, Callable[[dict[str, list[Any]], list[str | None]], None]] = {
    "contacts": _finish_contact_columns,
    "leads": _finish_contact_columns,
}

_FINISH: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "accounts": _finish_account,
    "contacts": _finish_contact,
    "leads": _finish_contact,
    "opportunities": _finish_opportunity,
    "events": _finish_event,
    "intent": _finish_intent,
}


def normalized_company_name(name: str) -> str:
    """The name matching compares, through matching's normaliser when it is installed."""
    try:
        from matching.normalize import normalize_company_name
    except ImportError:
        return " ".join(name.casefold().split())[:255]
    return (normalize_company_name(name) or "")[:255]
