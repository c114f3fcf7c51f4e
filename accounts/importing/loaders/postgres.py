# SQL here is assembled from model metadata and constant field names only; every value is a
# query parameter or travels through COPY.
# ruff: noqa: S608
"""The PostgreSQL fast path for people (contacts and leads): COPY into a staging table, then
set-wise SQL.

Per chunk, in one transaction: the validated columns (no dict per row) are COPYed into a
temporary table with each row's account already resolved, then ONE statement resolves each
row's target (CRM id first, then email), logs the old values of what will change (for undo),
updates only the rows where some value IS DISTINCT FROM the stored one (an unchanged re-import
writes nothing), inserts the rest and logs their ids. Empty cells are NULL in the staging table
and `COALESCE` keeps the stored value, so an empty cell never wipes anything. Same semantics as
the ORM loader, which the tests check against each other.

The first import into a workspace without people skips all that: a chunk is COPYed straight
into the people table, inside a savepoint, with ids drawn from the table's sequence for the undo
log (`_copy_new`; a million new people took 17-19 s of PostgreSQL CPU instead of 24-25 s on
the bench machine). The partial unique indexes are the upsert's match keys, so that COPY
stands exactly when the upsert would have created every row; when some row finds a person after
all, the unique violation rolls back to the savepoint and the chunk goes the usual way.

Plans that stay linear however large the table is: each staged row probes the partial unique
indexes `(workspace, crm_source, crm_id)` and `(workspace, email)` through a LATERAL subquery
with OFFSET 0, which the planner cannot flatten into a join that scans the workspace's people
(hence also the `<> ''` conditions, which let it use those indexes). Not LIMIT 1: with it, and
statistics that call the workspace small, the planner bets on any `(workspace, …)` index
finding a row early and walks the whole workspace per probe. Hash/merge joins are off
for the chunk's transaction. DESIGN.md's pitfall came from plans that scan the workspace's
people once per chunk when the statistics say the table is small; index probes cost the same
whatever the statistics say, provided the planner knows roughly how many people the
workspace has (see `_keep_workspace_estimate_fresh`).
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from psycopg2.errorcodes import UNIQUE_VIOLATION

from accounts.importing.loaders.base import ChunkOutcome, LoadContext
from accounts.importing.validation import CleanedChunk
from accounts.models import Account, Contact, ImportRowChange

CHUNK_ROWS = 50_000
# After this many chunks whose direct COPY met people already stored (a file that repeats its
# people in other raw forms, or a workspace filling up beside the import), the rest of the job
# goes straight to the upsert: each miss wastes its COPY (~1 s per 50,000 rows).
DIRECT_COPY_MISSES = 2
STAGED = (
    "crm_id", "crm_account_id", "first_name", "last_name", "email", "email_domain", "title", "seniority",
    "department", "phone", "country", "city", "lead_source", "lead_status", "company_name", "website",
)  # fmt: skip
# Fields an import never sets on an existing person beyond these: identity and link are special.
UPDATABLE = tuple(f for f in STAGED if f != "crm_id")
STAGE = "import_stage_people"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _waves(chunk: CleanedChunk) -> list[list[int]]:
    """Split a chunk so no CRM id or email repeats within a wave; later waves see earlier ones.

    Row indexes into the chunk; one wave (every row) in the usual case of no repeats.
    """
    crm_ids, emails = chunk.column("crm_id"), chunk.column("email")
    present_crm = [c for c in crm_ids if c is not None]
    present_email = [e for e in emails if e is not None]
    if len(set(present_crm)) == len(present_crm) and len(set(present_email)) == len(present_email):
        return [list(range(len(chunk.rows)))]
    waves = []
    pending = list(range(len(chunk.rows)))
    while pending:
        wave, later = [], []
        crm_seen, email_seen = set(), set()
        for i in pending:
            crm_id, email = crm_ids[i], emails[i]
            if (crm_id and crm_id in crm_seen) or (email and email in email_seen):
                later.append(i)
                continue
            if crm_id:
                crm_seen.add(crm_id)
            if email:
                email_seen.add(email)
            wave.append(i)
        waves.append(wave)
        pending = later
    return waves


@dataclass(frozen=True)
class _Fill:
    """How a new person's column is filled, both ways: `expr` (with `params`) is the SELECT
    expression over the staging row `s` that the upsert inserts; `copy` gives the same values
    for each row of a chunk, as COPY text, for the direct load. One list of these is the only
    place either path learns its columns, so the two cannot drift apart."""

    column: str
    expr: str
    params: tuple[Any, ...]
    copy: Callable[[_Rows], Iterable[Any]]
    null: bool  # COPY reads an empty field as NULL here; as '' in the other columns


@dataclass(frozen=True)
class _Rows:
    """A chunk as the direct load sees it: staged columns, each row's account, the time."""

    staged: dict[str, list[Any]]
    accounts: list[int | None]
    now: str  # the transaction's now(), as PostgreSQL prints it

    def __len__(self) -> int:
        return len(self.accounts)


def _copy_text(value: Any) -> Any:
    """A constant as COPY csv reads it back: JSON as text, booleans as t/f, None as NULL."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _same(value: Any) -> Callable[[_Rows], Iterable[Any]]:
    return lambda r: repeat(value, len(r))


def _constant(field: models.Field, expr: str, value: Any) -> _Fill:
    return _Fill(field.column, expr, (value,), _same(_copy_text(value)), field.null)


def _staged(field: models.Field, name: str, default: Any) -> Callable[[_Rows], Iterable[Any]]:
    """`COALESCE(s.name, default)` row by row. An empty cell is NULL in the staging table (COPY
    csv reads an empty field as NULL), hence `v == ""` too; for a column whose default is ""
    the values go as they are (None and "" both write an empty field, which is "" there)."""
    if default == "" and not field.null:
        return lambda r: r.staged[name]
    return lambda r: [default if v is None or v == "" else v for v in r.staged[name]]


def _fills(ctx: LoadContext) -> list[_Fill]:
    fills: list[_Fill] = []
    source = ctx.source
    for field in Contact._meta.concrete_fields:
        if field.primary_key:
            continue
        name, column = field.attname, field.column
        if name == "workspace_id":
            fills.append(_constant(field, "%s", ctx.workspace_id))
        elif name == "is_lead":
            fills.append(_constant(field, "%s", ctx.obj == "leads"))
        elif name == "crm_source":
            fills.append(
                _Fill(
                    column,
                    "CASE WHEN s.crm_id IS NULL THEN '' ELSE %s END",
                    (source,),
                    lambda r: [source if c else "" for c in r.staged["crm_id"]],
                    field.null,
                )
            )
        elif name == "account_id":
            fills.append(_Fill(column, "s.account_id", (), lambda r: r.accounts, field.null))
        elif name == "match_status":
            unmatched = field.get_default()
            fills.append(
                _Fill(
                    column,
                    "CASE WHEN s.account_id IS NULL THEN %s ELSE 'accepted' END",
                    (unmatched,),
                    lambda r, unmatched=unmatched: [
                        unmatched if a is None else "accepted" for a in r.accounts
                    ],
                    field.null,
                )
            )
        elif name == "match_confidence":
            fills.append(
                _Fill(
                    column,
                    "CASE WHEN s.account_id IS NULL THEN NULL ELSE 1.0 END",
                    (),
                    lambda r: [None if a is None else 1.0 for a in r.accounts],
                    field.null,
                )
            )
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fills.append(_Fill(column, "now()", (), lambda r: repeat(r.now, len(r)), field.null))
        elif name in STAGED:
            default = field.get_default()
            fills.append(
                _Fill(
                    column,
                    f"COALESCE(s.{name}, %s)",
                    (default,),
                    _staged(field, name, default),
                    field.null,
                )
            )
        elif field.null:
            fills.append(_Fill(column, "NULL", (), _same(None), True))
        else:
            default = field.get_default()
            if isinstance(field, models.JSONField):
                text = json.dumps(default)
                fills.append(_Fill(column, "%s::jsonb", (text,), _same(text), field.null))
            else:
                fills.append(_constant(field, "%s", default))
    return fills


def _insert_columns(ctx: LoadContext) -> tuple[list[str], list[str], dict[str, Any]]:
    """Target columns, the SELECT expressions filling them from the staging rows `s`, and the
    named parameters those expressions use."""
    fills = _fills(ctx)
    values = [v for fill in fills for v in fill.params]
    named = iter(range(len(values)))
    exprs = [re.sub("%s", lambda _: f"%(insert_{next(named)})s", fill.expr) for fill in fills]
    columns = [_q(fill.column) for fill in fills]
    return columns, exprs, {f"insert_{i}": value for i, value in enumerate(values)}


def load_contacts_copy(ctx: LoadContext, chunk: CleanedChunk | list) -> ChunkOutcome:
    out = ChunkOutcome()
    if isinstance(chunk, list):  # (row, record) pairs, from a caller that cleaned row-wise
        chunk = CleanedChunk.from_items(chunk)
    if not chunk.rows:
        return out
    accounts = _account_ids(ctx, chunk.column("crm_account_id"))
    with connection.cursor() as cur:
        pin_plan(cur)
        _count_people(ctx, cur)
        waves = _waves(chunk)
        # A chunk with a key repeated inside it needs the waves; it would fail the direct COPY.
        if not (
            ctx.people_none_at_start
            and ctx.direct_copy_misses < DIRECT_COPY_MISSES
            and len(waves) == 1
            and _copy_new(ctx, cur, chunk, accounts, out)
        ):
            cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} (line integer, "
                + ", ".join(f"{f} text" for f in STAGED)
                + ", account_id bigint) ON COMMIT DELETE ROWS"
            )
            _keep_workspace_estimate_fresh(ctx, cur)
            for wave in waves:
                _load_wave(ctx, cur, chunk, wave, accounts, out)
    ctx.people_in_workspace = (ctx.people_in_workspace or 0) + out.created
    return out


def _copy_new(
    ctx: LoadContext, cur, chunk: CleanedChunk, accounts: list[int | None], out: ChunkOutcome
) -> bool:
    """COPY the chunk straight into the people table as new people; False, with nothing
    written, when a row's CRM id or email already names a person.

    Tried only when the workspace had no people as the run began, so that a chunk usually
    finds no one; correct whoever is in the table. The upsert matches a row to a person by
    exactly the keys of the partial unique indexes `(workspace, crm_source, crm_id)` and
    `(workspace, email)`, both where not '', and the rows are filled exactly as its INSERT
    fills them (`_fills`). So the COPY succeeds exactly when the upsert would find no one for
    any row: every row created, none updated, unchanged or rejected (the email-belongs-to-
    another-person rejection needs two matches). Otherwise the unique violation rolls back to
    the savepoint and the upsert loads the chunk. A person another transaction has inserted but
    not committed (the other writer's chunk, another import, the API) makes the COPY wait for
    it: committed, it is a violation and the upsert (a new statement, which sees it) matches
    it; rolled back, the COPY goes on. The file's duplicate pass does not make this moot: it
    groups rows by their raw cells, so `Ada <ada@acme.com>` in one chunk and `ada@acme.com`
    in a later one both reach the loader.

    The ids are drawn from the table's sequence first so that the undo log lists them, in one
    row as the upsert logs a wave's creations.
    """
    table = Contact._meta.db_table
    pk = Contact._meta.pk.column
    cur.execute("SELECT now()::text, pg_get_serial_sequence(%s, %s)", [_q(table), pk])
    now, sequence = cur.fetchone()
    cur.execute(
        "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
        [sequence, len(chunk.rows)],
    )
    ids = cur.fetchone()[0]
    fills = _fills(ctx)
    rows = _Rows({f: chunk.column(f) for f in STAGED}, accounts, now)
    text = io.StringIO()
    csv.writer(text).writerows(zip(ids, *(fill.copy(rows) for fill in fills), strict=True))
    # As UTF-8 bytes: a StringIO read back holds 4 bytes a character once a name has an accent
    # (~50 MB a chunk, two writers at once); the bytes are a quarter of that.
    payload = io.BytesIO(text.getvalue().encode())
    del text
    not_null = ", ".join(_q(fill.column) for fill in fills if not fill.null)
    try:
        with transaction.atomic(), connection.wrap_database_errors:
            cur.copy_expert(
                f"COPY {_q(table)} ({_q(pk)}, {', '.join(_q(f.column) for f in fills)}) "
                f"FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))",
                payload,
            )
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
            raise
        ctx.direct_copy_misses += 1
        return False
    cur.execute(
        f"""INSERT INTO {_q(ImportRowChange._meta.db_table)} (job_id, model, object_id, action, before)
            VALUES (%s, 'contact', %s, 'c', %s::jsonb)""",
        [ctx.job.pk, min(ids), json.dumps({"ids": ids, "count": len(ids)})],
    )
    out.created += len(ids)
    return True


def pin_plan(cur) -> None:
    """Index probes only (see the module docstring), local to the chunk's transaction.

    No sequential scans either: on a table whose statistics say it is empty (a new database,
    or just after a TRUNCATE) the planner probes by scanning the table, which costs nothing
    alone but, with two writers, walks the other chunk's 50,000 uncommitted rows per staged
    row (a chunk then ran for minutes). No JIT: the statement's estimated cost is far above
    jit_above_cost, and compiling it took ~0.5 s of every 50,000-row chunk (~5% of its time).
    A bigger work_mem keeps the chunk's materialized rows (~30 MB for 50,000 people) in memory:
    with the default 4 MB they went to a temporary file, written once and read back by each
    of the statement's six readers.
    """
    for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan", "jit"):
        cur.execute(f"SET LOCAL {setting} = off")
    cur.execute("SET LOCAL work_mem = '64MB'")


def _keep_workspace_estimate_fresh(ctx: LoadContext, cur) -> None:
    """ANALYZE the workspace column when the planner believes the workspace far smaller than it is.

    DESIGN.md's pitfall, met again here: a workspace missing from the statistics (new, or grown
    since the last ANALYZE) is estimated at a row or two, and the planner then probes for an
    email through any `(workspace, …)` index, walking every person of the workspace per staged
    row (minutes per chunk, growing with n²). One ANALYZE of that column (a fraction of a second)
    once the workspace has grown puts the unique indexes back (from 1,000 people on: a re-import
    of 10,000 people took 135 s with a 5,000 floor here); the estimate then grows with the
    table, so it is needed once or twice per import, not per chunk.
    """
    table = _q(Contact._meta.db_table)
    _count_people(ctx, cur)
    cur.execute(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE workspace_id = %s", [ctx.workspace_id]
    )
    plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    if ctx.people_in_workspace > 2 * max(plan[0]["Plan"]["Plan Rows"], 500):
        cur.execute(f"ANALYZE {table} (workspace_id)")


def _count_people(ctx: LoadContext, cur) -> None:
    if ctx.people_in_workspace is None:
        cur.execute(
            f"SELECT count(*) FROM {_q(Contact._meta.db_table)} WHERE workspace_id = %s",
            [ctx.workspace_id],
        )
        ctx.people_in_workspace = cur.fetchone()[0]
        if ctx.people_none_at_start is None:  # the other writer may have counted first
            ctx.people_none_at_start = ctx.people_in_workspace == 0


load_contacts_copy.columnar = True  # takes a CleanedChunk, not (row, record) pairs


def _account_ids(ctx: LoadContext, crm_account_ids: list[str | None]) -> list[int | None]:
    """Each row's account from its CRM account id, the job's own source first when ids collide."""
    wanted = set(crm_account_ids) - {None}
    if not wanted:
        return [None] * len(crm_account_ids)
    found: dict[str, int] = {}
    table = _q(Account._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT crm_id, id FROM {table}
                WHERE workspace_id = %s AND crm_source = %s AND crm_id <> ''
                  AND crm_id = ANY(%s::text[])""",
            [ctx.workspace_id, ctx.source, _text_array(sorted(wanted))],
        )
        found.update(cur.fetchall())
        missing = sorted(wanted - found.keys())
        if missing:
            cur.execute(
                f"""SELECT DISTINCT ON (crm_id) crm_id, id FROM {table}
                    WHERE workspace_id = %s AND crm_id <> '' AND crm_id = ANY(%s::text[])
                    ORDER BY crm_id, id""",
                [ctx.workspace_id, _text_array(missing)],
            )
            found.update(cur.fetchall())
    return list(map(found.get, crm_account_ids))


def _text_array(values: list[str]) -> str:
    """A `text[]` literal holding these strings. psycopg2 adapts a list element by element into
    `ARRAY[E'…', …]`, which took ~0.07 s of CPU (holding the GIL) for a chunk's 40,000 CRM
    account ids, and PostgreSQL longer to parse; this is one join when no id holds a quote or a
    backslash (the only characters a quoted array element escapes)."""
    probe = "".join(values)
    if '"' in probe or "\\" in probe:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'


def _copy_payload(chunk: CleanedChunk, wave: list[int], accounts: list[int | None]) -> io.StringIO:
    """The wave's rows as COPY csv: None becomes an unquoted empty field, which COPY reads as NULL
    (a cleaned value is never the empty string)."""
    columns = [[row.line for row in chunk.rows], *(chunk.column(f) for f in STAGED), accounts]
    if len(wave) != len(chunk.rows):
        pick = operator.itemgetter(*wave)
        columns = [list(pick(c)) if len(wave) > 1 else [c[wave[0]]] for c in columns]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(zip(*columns, strict=True))
    buffer.seek(0)
    return buffer


def _load_wave(
    ctx: LoadContext,
    cur,
    chunk: CleanedChunk,
    wave: list[int],
    accounts: list[int | None],
    out: ChunkOutcome,
) -> None:
    contact, change = _q(Contact._meta.db_table), _q(ImportRowChange._meta.db_table)
    cur.execute(f"TRUNCATE {STAGE}")
    cur.copy_expert(
        f"COPY {STAGE} (line, {', '.join(STAGED)}, account_id) FROM STDIN WITH (FORMAT csv)",
        _copy_payload(chunk, wave, accounts),
    )
    field_changed = [f"(s.{f} IS NOT NULL AND s.{f} IS DISTINCT FROM c.{f})" for f in UPDATABLE]
    crm_changed = "(s.crm_id IS NOT NULL AND c.crm_id = '')"
    link_changed = "(s.account_id IS NOT NULL AND s.account_id IS DISTINCT FROM c.account_id)"
    changed = " OR ".join([*field_changed, crm_changed, link_changed])
    before = " || ".join(
        [
            *(f"CASE WHEN {cond} THEN jsonb_build_object('{f}', c.{f}) ELSE '{{}}'::jsonb END" for f, cond in zip(UPDATABLE, field_changed, strict=True)),
            f"CASE WHEN {crm_changed} THEN jsonb_build_object('crm_id', c.crm_id, 'crm_source', c.crm_source) ELSE '{{}}'::jsonb END",
            f"CASE WHEN {link_changed} THEN jsonb_build_object('account_id', c.account_id, 'match_status', c.match_status, 'match_confidence', c.match_confidence) ELSE '{{}}'::jsonb END",
        ]
    )  # fmt: skip
    sets = ", ".join(f"{f} = COALESCE(s.{f}, c.{f})" for f in UPDATABLE)
    columns, exprs, insert_params = _insert_columns(ctx)
    # One statement: every CTE sees the table as it was before it, and a wave has no repeated
    # key, so the update and the insert never touch the same person.
    cur.execute(
        f"""WITH s AS MATERIALIZED (
                SELECT st.*, COALESCE(by_crm.id, by_email.id) AS target_id,
                    CASE WHEN by_crm.id <> by_email.id THEN 'the email ' || st.email
                        || ' already belongs to another person (' || by_email.who || ')' END AS reject
                FROM {STAGE} st
                LEFT JOIN LATERAL (
                    SELECT c.id FROM {contact} c
                    WHERE c.workspace_id = %(ws)s AND c.crm_source = %(src)s
                      AND c.crm_id <> '' AND c.crm_id = st.crm_id
                    OFFSET 0  -- keeps the subquery a per-row index probe (never pulled up)
                ) by_crm ON true
                LEFT JOIN LATERAL (
                    SELECT c.id, COALESCE(NULLIF(trim(c.first_name || ' ' || c.last_name), ''), c.crm_id) AS who
                    FROM {contact} c
                    WHERE c.workspace_id = %(ws)s AND c.email <> '' AND c.email = st.email
                    OFFSET 0
                ) by_email ON true
            ), changed AS (
                SELECT c.id, {before} AS before
                FROM s JOIN {contact} c ON c.id = s.target_id
                WHERE s.reject IS NULL AND ({changed})
            ), logged AS (
                INSERT INTO {change} (job_id, model, object_id, action, before)
                SELECT %(job)s, 'contact', id, 'u', before FROM changed
            ), updated AS (
                UPDATE {contact} c SET {sets},
                    crm_id = CASE WHEN {crm_changed} THEN s.crm_id ELSE c.crm_id END,
                    crm_source = CASE WHEN {crm_changed} THEN %(src)s ELSE c.crm_source END,
                    match_status = CASE WHEN {link_changed} THEN 'accepted' ELSE c.match_status END,
                    match_confidence = CASE WHEN {link_changed} THEN 1.0 ELSE c.match_confidence END,
                    account_id = COALESCE(s.account_id, c.account_id),
                    updated_at = now()
                FROM s
                WHERE c.id = s.target_id AND s.reject IS NULL AND ({changed})
                RETURNING c.id
            ), inserted AS (
                INSERT INTO {contact} ({", ".join(columns)})
                SELECT {", ".join(exprs)} FROM s
                WHERE s.target_id IS NULL AND s.reject IS NULL
                RETURNING id
            ), created AS (
                -- One undo-log row lists every id a wave created: a million creations log 20 rows.
                INSERT INTO {change} (job_id, model, object_id, action, before)
                SELECT %(job)s, 'contact', min(id), 'c', jsonb_build_object('ids', jsonb_agg(id), 'count', count(*))
                FROM inserted HAVING count(*) > 0
            )
            SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted),
                (SELECT count(*) FROM s WHERE target_id IS NOT NULL AND reject IS NULL),
                (SELECT coalesce(array_agg(line ORDER BY line), '{{}}') FROM s WHERE reject IS NOT NULL),
                (SELECT coalesce(array_agg(reject ORDER BY line), '{{}}') FROM s WHERE reject IS NOT NULL)""",
        {**insert_params, "ws": ctx.workspace_id, "src": ctx.source, "job": ctx.job.pk},
    )  # fmt: skip
    updated, created, matched, lines, reasons = cur.fetchone()
    out.updated += updated
    out.unchanged += matched - updated
    out.created += created
    if lines:
        by_line = {chunk.rows[i].line: chunk.rows[i] for i in wave}
        for line, reason in zip(lines, reasons, strict=True):
            out.reject(by_line[line], reason)


def analyze_after_load() -> None:
    """Fresh statistics after a big load, for whatever queries the table next."""
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {_q(Contact._meta.db_table)}")
