# SQL here is assembled from model metadata and constant field names only; every value is a
# query parameter or travels through COPY.
# ruff: noqa: S608
"""The PostgreSQL fast path for people (contacts and leads): COPY into a staging table, then
set-wise SQL.

Per chunk, in one transaction: COPY the validated rows into a temporary table, resolve each
row's target (CRM id first, then email) and its account with joins, log the old values of what
will change (for undo) and update those rows in one `UPDATE … FROM`, then insert the rest in
one `INSERT … SELECT`. Empty cells are NULL in the staging table and `COALESCE` keeps the stored
value, so an empty cell never wipes anything. Same semantics as the ORM loader, which the tests
check against each other.

Lookups join on `(workspace, crm_source, crm_id)` and `(workspace, email)`, the partial unique
indexes (hence the `<> ''` conditions, which let the planner use them). The workspace FK has no
index of its own (see DESIGN.md's autovacuum pitfall) and the table is ANALYZEd after big loads.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.db import connection, models

from accounts.importing.loaders.base import ChunkOutcome, LoadContext
from accounts.importing.readers import Row
from accounts.models import Contact, ImportRowChange

CHUNK_ROWS = 50_000
STAGED = (
    "crm_id", "crm_account_id", "first_name", "last_name", "email", "email_domain", "title", "seniority",
    "department", "phone", "country", "city", "lead_source", "lead_status", "company_name", "website",
)  # fmt: skip
# Fields an import never sets on an existing person beyond these: identity and link are special.
UPDATABLE = tuple(f for f in STAGED if f != "crm_id")


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _waves(items: list[tuple[Row, dict[str, Any]]]) -> list[list[tuple[Row, dict[str, Any]]]]:
    """Split a chunk so no CRM id or email repeats within a wave; later waves see earlier ones."""
    waves = []
    pending = items
    while pending:
        wave, later = [], []
        crm_seen, email_seen = set(), set()
        for item in pending:
            record = item[1]
            crm_id, email = record.get("crm_id"), record.get("email")
            if (crm_id and crm_id in crm_seen) or (email and email in email_seen):
                later.append(item)
                continue
            if crm_id:
                crm_seen.add(crm_id)
            if email:
                email_seen.add(email)
            wave.append(item)
        waves.append(wave)
        pending = later
    return waves


def _insert_columns(ctx: LoadContext) -> tuple[list[str], list[str], list[Any]]:
    """Target columns and the SELECT expressions filling them from the staging table `s`."""
    columns, exprs, params = [], [], []
    for field in Contact._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.attname
        columns.append(_q(field.column))
        if name == "workspace_id":
            exprs.append("%s")
            params.append(ctx.workspace_id)
        elif name == "is_lead":
            exprs.append("%s")
            params.append(ctx.obj == "leads")
        elif name == "crm_source":
            exprs.append("CASE WHEN s.crm_id IS NULL THEN '' ELSE %s END")
            params.append(ctx.source)
        elif name == "account_id":
            exprs.append("s.account_id")
        elif name == "match_status":
            exprs.append("CASE WHEN s.account_id IS NULL THEN %s ELSE 'accepted' END")
            params.append(field.get_default())
        elif name == "match_confidence":
            exprs.append("CASE WHEN s.account_id IS NULL THEN NULL ELSE 1.0 END")
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs.append("now()")
        elif name in STAGED:
            exprs.append(f"COALESCE(s.{name}, %s)")
            params.append(field.get_default())
        elif field.null:
            exprs.append("NULL")
        else:
            default = field.get_default()
            if isinstance(field, models.JSONField):
                exprs.append("%s::jsonb")
                params.append(json.dumps(default))
            else:
                exprs.append("%s")
                params.append(default)
    return columns, exprs, params


def load_contacts_copy(ctx: LoadContext, items: list[tuple[Row, dict[str, Any]]]) -> ChunkOutcome:
    out = ChunkOutcome()
    _keep_statistics_fresh(ctx)
    by_line = {row.line: row for row, _ in items}
    for wave in _waves(items):
        _load_wave(ctx, wave, out, by_line)
    ctx.inserted_since_analyze = (ctx.inserted_since_analyze or 0) + out.created
    return out


def _keep_statistics_fresh(ctx: LoadContext) -> None:
    """ANALYZE the people table whenever this run has grown it past what the statistics say.

    The pitfall DESIGN.md measured: a table analysed while (nearly) empty makes the planner
    believe the lookups touch one row, and it picks a nested loop that rescans every inserted
    row per staged row — minutes instead of a second, growing with n². Analysing at each
    doubling (a 30k-row sample, a fraction of a second) keeps the plans on the unique indexes.
    """
    table = Contact._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        believed = max(cur.fetchone()[0], 0)
        grown = ctx.inserted_since_analyze
        if grown is None or grown > max(believed, 10_000):
            cur.execute(f"ANALYZE {_q(table)}")
            ctx.inserted_since_analyze = 0


def _load_wave(ctx: LoadContext, items: list, out: ChunkOutcome, by_line: dict[int, Row]) -> None:
    contact, change = _q(Contact._meta.db_table), _q(ImportRowChange._meta.db_table)
    account = _q("accounts_account")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([row.line, *(record.get(f) for f in STAGED)] for row, record in items)
    buffer.seek(0)
    ws, src, job = ctx.workspace_id, ctx.source, ctx.job.pk
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_stage_people (line integer, "
            + ", ".join(f"{f} text" for f in STAGED)
            + ", target_id bigint, account_id bigint, reject text) ON COMMIT DELETE ROWS"
        )
        cur.execute("TRUNCATE import_stage_people")
        cur.copy_expert(
            f"COPY import_stage_people (line, {', '.join(STAGED)}) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
        # Statistics for the join keys: without them the planner takes the staging table for a
        # handful of rows and rescans it once per person already stored (minutes, not seconds).
        cur.execute("ANALYZE import_stage_people (crm_id, email, crm_account_id, target_id)")
        cur.execute(
            f"""UPDATE import_stage_people s SET target_id = c.id FROM {contact} c
                WHERE s.crm_id IS NOT NULL AND c.workspace_id = %s AND c.crm_source = %s
                  AND c.crm_id <> '' AND c.crm_id = s.crm_id""",
            [ws, src],
        )
        cur.execute(
            f"""UPDATE import_stage_people s SET target_id = c.id FROM {contact} c
                WHERE s.target_id IS NULL AND s.email IS NOT NULL AND c.workspace_id = %s
                  AND c.email <> '' AND c.email = s.email""",
            [ws],
        )
        cur.execute(
            f"""UPDATE import_stage_people s
                SET reject = 'the email ' || s.email || ' already belongs to another person ('
                             || COALESCE(NULLIF(trim(c.first_name || ' ' || c.last_name), ''), c.crm_id) || ')'
                FROM {contact} c
                WHERE s.target_id IS NOT NULL AND s.email IS NOT NULL AND c.workspace_id = %s
                  AND c.email <> '' AND c.email = s.email AND c.id <> s.target_id""",
            [ws],
        )
        cur.execute(
            f"""UPDATE import_stage_people s SET account_id = a.id FROM (
                    SELECT DISTINCT ON (crm_id) crm_id, id FROM {account}
                    WHERE workspace_id = %s AND crm_id <> ''
                      AND crm_id IN (SELECT crm_account_id FROM import_stage_people WHERE crm_account_id IS NOT NULL)
                    ORDER BY crm_id, (crm_source = %s) DESC, id
                ) a WHERE a.crm_id = s.crm_account_id""",
            [ws, src],
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
        cur.execute(
            f"""WITH changed AS (
                    SELECT c.id, {before} AS before FROM import_stage_people s JOIN {contact} c ON c.id = s.target_id
                    WHERE s.reject IS NULL AND ({changed})
                ), logged AS (
                    INSERT INTO {change} (job_id, model, object_id, action, before)
                    SELECT %s, 'contact', id, 'u', before FROM changed
                )
                UPDATE {contact} c SET {sets},
                    crm_id = CASE WHEN {crm_changed} THEN s.crm_id ELSE c.crm_id END,
                    crm_source = CASE WHEN {crm_changed} THEN %s ELSE c.crm_source END,
                    match_status = CASE WHEN {link_changed} THEN 'accepted' ELSE c.match_status END,
                    match_confidence = CASE WHEN {link_changed} THEN 1.0 ELSE c.match_confidence END,
                    account_id = COALESCE(s.account_id, c.account_id),
                    updated_at = now()
                FROM import_stage_people s
                WHERE c.id = s.target_id AND s.reject IS NULL AND ({changed})""",
            [job, src],
        )
        updated = cur.rowcount
        cur.execute(
            "SELECT count(*) FROM import_stage_people WHERE target_id IS NOT NULL AND reject IS NULL"
        )
        matched = cur.fetchone()[0]
        out.updated += updated
        out.unchanged += matched - updated
        columns, exprs, params = _insert_columns(ctx)
        cur.execute(
            f"""WITH inserted AS (
                    INSERT INTO {contact} ({", ".join(columns)})
                    SELECT {", ".join(exprs)} FROM import_stage_people s
                    WHERE s.target_id IS NULL AND s.reject IS NULL
                    RETURNING id
                )
                INSERT INTO {change} (job_id, model, object_id, action, before)
                SELECT %s, 'contact', min(id), 'c', jsonb_build_object('ids', jsonb_agg(id), 'count', count(*))
                FROM inserted HAVING count(*) > 0
                RETURNING (before ->> 'count')::int""",
            [*params, job],
        )
        # One undo-log row lists every id this wave created: a million creations log 20 rows.
        logged = cur.fetchone()
        out.created += logged[0] if logged else 0
        cur.execute("SELECT line, reject FROM import_stage_people WHERE reject IS NOT NULL")
        for line, reason in cur.fetchall():
            out.reject(by_line[line], reason)


def analyze_after_load() -> None:
    """Fresh statistics after a big load, so the planner keeps using the unique indexes."""
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {_q(Contact._meta.db_table)}")
