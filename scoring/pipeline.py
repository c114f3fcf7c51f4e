"""Database I/O for scoring runs: read accounts and signals into pandas frames, write scores
and snapshots back in bulk. PostgreSQL uses COPY both ways (a million rows in seconds); other
databases use the ORM's bulk operations. Every query starts from `for_workspace`."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import FloatField, Func, QuerySet

from accounts.models import Account, AccountTier, Contact, JourneyStage
from campaigns.models import EngagementEvent
from scoring.models import IntentSignal, ReasonSet, ScoreSnapshot, TriggerEvent

ACCOUNT_COLUMNS = [
    "id", "industry", "employees", "annual_revenue", "country", "region", "technologies",
    "parent_id", "account_type", "stage", "fit_score", "predictive_fit", "intent_score",
    "engagement_score", "priority", "tier", "health_score",
]  # fmt: skip
SCORE_FIELDS = {  # result column → Account field
    "fit": "fit_score",
    "predictive_fit": "predictive_fit",
    "intent": "intent_score",
    "engagement": "engagement_score",
    "priority": "priority",
    "tier": "tier",
    "health": "health_score",
}
# Stages whose journey can hold an MQA move: fit only matters once an account is engaged.
FIT_GATED_STAGES = (
    JourneyStage.ENGAGED, JourneyStage.MQA, JourneyStage.OPPORTUNITY, JourneyStage.CUSTOMER,
    JourneyStage.CHURNED,
)  # fmt: skip
SIGNAL_HORIZON_DAYS = 365


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


RUN_LOCK_CLASS = 0x5C0E  # advisory-lock namespace of scoring runs (the other key is the run id)
_local_run_locks: dict[int, threading.Lock] = {}
_local_run_locks_guard = threading.Lock()


@contextlib.contextmanager
def run_claim(run_id: int, *, wait: float) -> Iterator[bool]:
    """Yield True while this process holds the exclusive claim on scoring run `run_id`, False
    if another holder kept it for `wait` seconds.

    PostgreSQL: a session advisory lock on this connection. The server drops it the moment the
    holder's connection dies, so a task redelivered because its worker was killed claims the run
    again (after waiting a moment for the dead backend to go), while a duplicate delivered next
    to a live run cannot run it a second time. A status flag alone could not tell a live run
    from a dead one. Other databases (SQLite: one process, eager tasks) use a lock per process.
    """
    if not is_postgres():
        with _local_run_locks_guard:
            lock = _local_run_locks.setdefault(run_id, threading.Lock())
        got = lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    deadline = time.monotonic() + wait
    with connection.cursor() as cur:
        while True:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run_id])
            got = bool(cur.fetchone()[0])
            if got or time.monotonic() >= deadline:
                break
            time.sleep(0.25)
    try:
        yield got
    finally:
        if got:
            try:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, run_id])
            except Exception:
                # A broken connection holds no lock once closed; a kept one must not keep it.
                connection.close()


WRITERS = 2  # PostgreSQL backends writing at once: the machines have two cores


def run_parallel(func, jobs: list) -> Iterable:
    """Yield func(job) for every job; on PostgreSQL, outside a transaction, two at a time.

    Updating a million rows is CPU-bound inside PostgreSQL (new row versions, the tier index and
    the snapshots), so a second connection uses the second core. Inside an open transaction
    (tests, callers holding locks) other connections could not see its rows, so the jobs run
    one by one."""
    if len(jobs) < 2 or not is_postgres() or connection.in_atomic_block:
        for job in jobs:
            yield func(job)
        return
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        yield from pool.map(partial(_own_connection, func), jobs)


def prefetched(load: Callable, jobs: list) -> Iterator:
    """Yield load(job) for every job; on PostgreSQL, outside a transaction, the next job loads
    in a thread while the caller works on this one.

    Reading a chunk mostly waits for PostgreSQL to produce and send it (the GIL is released),
    and scoring a chunk is numpy work in this process, so the two overlap on two cores. Inside
    an open transaction another connection could not see its rows, so jobs load one by one."""
    if len(jobs) < 2 or not is_postgres() or connection.in_atomic_block:
        for job in jobs:
            yield load(job)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_own_connection, load, jobs[0])
        for job in jobs[1:]:
            ready = future.result()
            future = pool.submit(_own_connection, load, job)
            yield ready
        yield future.result()


@contextlib.contextmanager
def in_background() -> Iterator[Callable]:
    """Yield `submit(func, *args) -> Future`: on PostgreSQL, outside a transaction, the calls run
    one after another in a thread with its own connection, while the caller goes on; otherwise
    each runs at once (another connection could not see an open transaction's rows).

    Leaving the block waits for every call; a call's exception comes out of its future."""
    from concurrent.futures import Future, ThreadPoolExecutor

    if not is_postgres() or connection.in_atomic_block:

        def now(func, *args) -> Future:
            done: Future = Future()
            try:
                done.set_result(func(*args))
            except Exception as exc:  # noqa: BLE001 -- handed to the caller through the future
                done.set_exception(exc)
            return done

        yield now
        return

    with ThreadPoolExecutor(max_workers=1) as pool:
        yield lambda func, *args: pool.submit(_own_connection, func, *args)


def _own_connection(func: Callable, *args):
    """func(*args) in a pool thread, which then closes the connection Django opened for it."""
    from django.db import connections

    try:
        return func(*args)
    finally:
        connections.close_all()  # this thread's own connection


def read_frame(qs: QuerySet, columns: list[str]) -> pd.DataFrame:
    """Run a values_list() queryset into a DataFrame; COPY … TO STDOUT on PostgreSQL."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. id__in=[]
        return pd.DataFrame(columns=columns)
    with connection.cursor() as cur:
        if is_postgres():
            query = cur.mogrify(sql, params).decode()
            buffer = io.StringIO()
            cur.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
            buffer.seek(0)
            if not buffer.getvalue():
                return pd.DataFrame(columns=columns)
            return pd.read_csv(buffer, names=columns, header=None, keep_default_na=True)
        cur.execute(sql, params)
        return pd.DataFrame(cur.fetchall(), columns=columns)


def _between(qs: QuerySet, field: str, ids: Iterable[int] | None, lo: int | None, hi: int | None):
    """Rows whose `field` is in `ids`, in lo..hi, or (all None) set at all."""
    if ids is not None:
        return qs.filter(**{f"{field}__in": list(ids)})
    if lo is not None:
        qs = qs.filter(**{f"{field}__gte": lo})
    if hi is not None:
        qs = qs.filter(**{f"{field}__lte": hi})
    if lo is None and hi is None:
        qs = qs.filter(**{f"{field}__isnull": False})
    return qs


def account_ids(*, workspace_id: int) -> np.ndarray:
    qs = Account.objects.for_workspace(workspace_id).order_by("id").values_list("id")
    return read_frame(qs, ["id"])["id"].to_numpy(dtype=np.int64)


def load_accounts(
    *,
    workspace_id: int,
    ids: Iterable[int] | None = None,
    lo: int | None = None,
    hi: int | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Accounts with their current scores (for change detection) and derived flags.

    Either `ids`, an id range lo..hi, or keyset pages: the `limit` accounts after id `after`."""
    qs = _between(Account.objects.for_workspace(workspace_id), "id", ids, lo, hi)
    if after is not None:
        qs = qs.filter(id__gt=after)
    qs = qs.order_by("id").values_list(*ACCOUNT_COLUMNS)
    frame = read_frame(qs[:limit] if limit else qs, ACCOUNT_COLUMNS)
    for col in ("industry", "country", "region", "account_type", "stage"):
        frame[col] = frame[col].fillna("").astype(str)
    frame["technologies"] = frame["technologies"].fillna("[]")  # JSON text; engine parses
    parents: set[int] = set()
    if len(frame):
        parents = set(
            Account.objects.for_workspace(workspace_id)
            .filter(parent_id__gte=int(frame["id"].min()), parent_id__lte=int(frame["id"].max()))
            .values_list("parent_id", flat=True)
            .distinct()
        )
    frame["has_parent"] = frame["parent_id"].notna()
    frame["has_children"] = frame["id"].isin(parents)
    frame["is_customer"] = (frame["stage"] == JourneyStage.CUSTOMER) | (
        frame["account_type"].str.casefold() == "customer"
    )
    return frame.reset_index(drop=True)


class Epoch(Func):
    """Seconds since 1970 for a timestamp column: numbers parse far faster than date text."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS REAL)"
        )


def _age_days(epochs: pd.Series, now: dt.datetime) -> np.ndarray:
    return (now.timestamp() - pd.to_numeric(epochs).to_numpy(dtype=float)) / 86400.0


def _with_idx(frame: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    """Map account ids to row numbers of the accounts frame (ids sorted ascending)."""
    pos = np.searchsorted(ids, frame["account_id"].to_numpy(dtype=np.int64))
    pos = np.clip(pos, 0, max(len(ids) - 1, 0))
    keep = ids[pos] == frame["account_id"].to_numpy() if len(ids) else np.zeros(len(frame), bool)
    frame = frame[keep].copy()
    frame["idx"] = pos[keep]
    return frame


def load_signals(
    *, workspace_id: int, ids: np.ndarray, now: dt.datetime, exact: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Events, intent and triggers of the accounts `ids` (sorted), with idx and age_days.

    `exact=False` reads the id range lo..hi; a full run reads every signal once instead
    (`WorkspaceSignals`)."""
    if not len(ids):
        empty = pd.DataFrame({"idx": pd.Series(dtype=int)})
        return empty, empty, empty
    chosen = ids.tolist() if exact else None
    events, intent, triggers = read_signals(
        workspace_id, now, chosen, int(ids[0]), int(ids[-1]), seniority_join=True
    )
    return _with_idx(events, ids), _with_idx(intent, ids), _with_idx(triggers, ids)


def read_signals(workspace_id, now, chosen, lo, hi, *, seniority_join: bool):
    """The three signal frames (account_id, …, age_days) of the accounts `chosen`, of the id
    range lo..hi, or (all None) of the whole workspace."""
    since = now - dt.timedelta(days=SIGNAL_HORIZON_DAYS)
    ev_cols = ["account_id", "kind", "weight", "occurred_at", "contact_id"]
    ev_fields = ["account_id", "kind", "weight", "t", "contact_id"]
    if seniority_join:
        ev_cols.append("seniority")
        ev_fields.append("contact__seniority")
    events = read_frame(
        _between(EngagementEvent.objects.for_workspace(workspace_id), "account_id", chosen, lo, hi)
        .filter(occurred_at__gte=since, occurred_at__lte=now)
        .order_by()
        .annotate(t=Epoch("occurred_at"))
        .values_list(*ev_fields),
        ev_cols,
    )
    events["kind"] = events["kind"].fillna("").astype(str)
    if seniority_join:
        events["seniority"] = events["seniority"].fillna("").astype(str)
    events["age_days"] = _age_days(events["occurred_at"], now) if len(events) else []
    in_cols = ["account_id", "topic", "strength", "observed_at"]
    intent = read_frame(
        _between(IntentSignal.objects.for_workspace(workspace_id), "account_id", chosen, lo, hi)
        .filter(observed_at__gte=since, observed_at__lte=now)
        .order_by()
        .annotate(t=Epoch("observed_at"))
        .values_list("account_id", "topic", "strength", "t"),
        in_cols,
    )
    intent["age_days"] = _age_days(intent["observed_at"], now) if len(intent) else []
    tr_cols = ["account_id", "kind", "occurred_at"]
    triggers = read_frame(
        _between(TriggerEvent.objects.for_workspace(workspace_id), "account_id", chosen, lo, hi)
        .filter(occurred_at__gte=since, occurred_at__lte=now)
        .order_by()
        .annotate(t=Epoch("occurred_at"))
        .values_list("account_id", "kind", "t"),
        tr_cols,
    )
    triggers["age_days"] = _age_days(triggers["occurred_at"], now) if len(triggers) else []
    return events, intent, triggers


class WorkspaceSignals:
    """Every signal of a workspace, read once and handed out per chunk of a full run.

    Events are stored in arrival order, not account order, so the range scan of one chunk of
    100,000 accounts visited nearly every page of the events table: ten chunks read it ten
    times, and joined all contacts ten times for their seniority. One sequential read of each
    table (and of the contacts' seniority, mapped here by contact id) costs about a quarter of
    the database's CPU; the frames are sorted by account so each chunk is a slice."""

    def __init__(self, *, workspace_id: int, now: dt.datetime) -> None:
        events, intent, triggers = read_signals(
            workspace_id, now, None, None, None, seniority_join=False
        )
        contacts = read_frame(
            Contact.objects.for_workspace(workspace_id)
            .order_by("id")
            .values_list("id", "seniority"),
            ["id", "seniority"],
        )
        contact_ids = contacts["id"].to_numpy(dtype=np.int64)
        levels = contacts["seniority"].fillna("").astype(str).to_numpy(dtype=object)
        who = pd.to_numeric(events["contact_id"]).to_numpy(dtype=float)
        known = ~np.isnan(who)
        pos = np.searchsorted(contact_ids, who[known].astype(np.int64))
        pos = np.clip(pos, 0, max(len(contact_ids) - 1, 0))
        seniority = np.full(len(events), "", dtype=object)
        if len(contact_ids):
            found = contact_ids[pos] == who[known].astype(np.int64)
            seniority[np.flatnonzero(known)[found]] = levels[pos[found]]
        events["seniority"] = seniority
        self.frames = [_by_account(f) for f in (events, intent, triggers)]

    def slice(self, ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The signals of the accounts `ids` (sorted), with idx, as load_signals gives them."""
        if not len(ids):
            empty = pd.DataFrame({"idx": pd.Series(dtype=int)})
            return empty, empty, empty
        out = []
        for frame, keys in self.frames:
            lo = np.searchsorted(keys, ids[0], side="left")
            hi = np.searchsorted(keys, ids[-1], side="right")
            out.append(_with_idx(frame.iloc[lo:hi], ids))
        return out[0], out[1], out[2]


def _by_account(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    if not len(frame):
        return frame, np.zeros(0, np.int64)
    keys = pd.to_numeric(frame["account_id"]).to_numpy(dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    return frame.iloc[order].reset_index(drop=True), keys[order]


def changed_rows(old: pd.DataFrame, new: pd.DataFrame, *, tier: bool = True) -> np.ndarray:
    """Rows whose visible scores moved (0.1 points) or (unless `tier` is False) tier changed."""
    changed = np.zeros(len(new), dtype=bool)
    for col, field in SCORE_FIELDS.items():
        if col == "tier" and not tier:
            continue
        a = pd.to_numeric(old[field], errors="coerce").to_numpy(float)
        b = new[col].to_numpy(float)
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.abs(np.nan_to_num(a, nan=-1e9) - np.nan_to_num(b, nan=-1e9)) >= 0.05
        changed |= diff & ~both_nan
    return changed


@transaction.atomic
def write_scores(
    *,
    workspace_id: int,
    rows: pd.DataFrame,
    set_ids: np.ndarray,
    now: dt.datetime,
    run_id: int | None,
    snapshot: np.ndarray,
    journeys: Callable[[list[int]], object] | None = None,
) -> None:
    """Write scores back; a snapshot for rows flagged in `snapshot`; then, in the same
    transaction, `journeys(ids)` for the rows flagged `replay` (their fit crossed the MQA line),
    so a worker dying in between cannot leave scores without the journey moves they cause.

    `rows` columns: id, fit, predictive_fit, intent, engagement, priority, tier, health,
    replay (bool). `set_ids` holds each row's ReasonSet id (`reason_sets_of`).
    """
    if not len(rows):
        return
    if is_postgres():
        _write_postgres(workspace_id, rows, set_ids, now, run_id, snapshot)
    else:
        _write_orm(workspace_id, rows, set_ids, now, run_id, snapshot)
    if journeys is not None and "replay" in rows:
        replay = rows["id"].to_numpy()[rows["replay"].to_numpy(bool)]
        if len(replay):
            journeys([int(pk) for pk in replay])


def _score_columns(rows: pd.DataFrame) -> list[np.ndarray]:
    out = []
    for col in SCORE_FIELDS:
        values = rows[col].to_numpy(dtype=float)
        out.append(np.where(np.isnan(values), None, np.round(values, 2)).tolist())
    return out


def reasons_digest(reasons: dict) -> str:
    """md5 of the canonical JSON text of `reasons` outside PostgreSQL (sorted keys, compact).
    PostgreSQL computes md5(jsonb::text) itself: its jsonb text is canonical too."""
    text = json.dumps(reasons, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def reason_sets_of(workspace_id: int, reasons: list[str]) -> np.ndarray:
    """The ReasonSet id of each row's reasons (JSON text), creating the sets that are new.

    Most accounts share their reasons word for word (same fit pattern, no signals): each
    distinct text travels and is parsed once, and becomes (or finds) one shared set.
    A scoring run calls this from one thread, in transactions of its own, before its parallel
    writers start: two writers inserting the same new set would otherwise wait on each other's
    transactions, and the writes would go one at a time."""
    if not reasons:
        return np.zeros(0, dtype=np.int64)
    codes, texts = pd.factorize(pd.Series(reasons, dtype=object), use_na_sentinel=False)
    by_code = np.asarray(
        reason_set_ids(workspace_id=workspace_id, texts=[str(t) for t in texts]), dtype=np.int64
    )
    return by_code[codes]


COPY_REASON_SETS_FROM = 500  # distinct texts: past this, COPY beats one array parameter


def reason_set_ids(*, workspace_id: int, texts: list[str]) -> list[int]:
    """The ReasonSet id of each JSON text in `texts`, creating the sets that do not exist yet.

    Concurrent writers are safe: an insert of a digest another transaction holds waits for it
    and then does nothing."""
    if not texts:
        return []
    if is_postgres():
        with transaction.atomic(), connection.cursor() as cur:
            if len(texts) >= COPY_REASON_SETS_FROM:
                return _reason_set_ids_copy(cur, workspace_id, texts)
            return _reason_set_ids_array(cur, workspace_id, texts)
    parsed = [json.loads(text) for text in texts]
    digests = [reasons_digest(obj) for obj in parsed]
    ReasonSet.objects.bulk_create(
        [
            ReasonSet(workspace_id=workspace_id, digest=d, reasons=obj)
            for d, obj in dict(zip(digests, parsed, strict=True)).items()
        ],
        ignore_conflicts=True,
    )
    ids = dict(
        ReasonSet.objects.for_workspace(workspace_id)
        .filter(digest__in=set(digests))
        .values_list("digest", "id")
    )
    return [ids[d] for d in digests]


def _reason_set_ids_array(cur, workspace_id: int, texts: list[str]) -> list[int]:
    table = ReasonSet._meta.db_table
    values = "SELECT ord, t::jsonb AS r FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, ord)"
    cur.execute(
        f"INSERT INTO {table} (workspace_id, digest, reasons)"  # noqa: S608
        f" SELECT DISTINCT ON (d) %s, d, r FROM (SELECT md5(r::text) AS d, r FROM ({values})"
        " v) x ORDER BY d ON CONFLICT (workspace_id, digest) DO NOTHING",
        [workspace_id, list(texts)],
    )
    cur.execute(
        f"SELECT v.ord, s.id FROM ({values}) v JOIN {table} s"  # noqa: S608
        " ON s.workspace_id = %s AND s.digest = md5(v.r::text) ORDER BY v.ord",
        [list(texts), workspace_id],
    )
    return [row[1] for row in cur.fetchall()]


def _reason_set_ids_copy(cur, workspace_id: int, texts: list[str]) -> list[int]:
    table = ReasonSet._meta.db_table
    distinct = io.StringIO()
    pd.DataFrame({"text": texts}).to_csv(distinct, header=False, na_rep="{}")
    distinct.seek(0)
    cur.execute(
        "CREATE TEMP TABLE scoring_reasons (code int PRIMARY KEY, reasons jsonb, digest text)"
        " ON COMMIT DROP"
    )
    cur.copy_expert("COPY scoring_reasons (code, reasons) FROM STDIN WITH (FORMAT csv)", distinct)
    # Each digest computed once (jsonb to text is most of its cost), and statistics, so the
    # lookup below probes the digest index per set instead of hashing all the workspace's.
    cur.execute("UPDATE scoring_reasons SET digest = md5(reasons::text)")
    cur.execute("ANALYZE scoring_reasons (digest)")
    # In digest order, so two writers inserting overlapping sets lock them in one order.
    cur.execute(
        f"INSERT INTO {table} (workspace_id, digest, reasons)"  # noqa: S608
        " SELECT DISTINCT ON (digest) %s, digest, reasons FROM scoring_reasons"
        " ORDER BY digest ON CONFLICT (workspace_id, digest) DO NOTHING",
        [workspace_id],
    )
    cur.execute(
        "SELECT r.code, s.id FROM scoring_reasons r JOIN"  # noqa: S608
        f" {table} s ON s.workspace_id = %s AND s.digest = r.digest",
        [workspace_id],
    )
    by_code = np.zeros(len(texts), dtype=np.int64)
    found = np.array(cur.fetchall(), dtype=np.int64).reshape(-1, 2)
    by_code[found[:, 0]] = found[:, 1]
    cur.execute("DROP TABLE scoring_reasons")
    return by_code.tolist()


# PostgreSQL's binary COPY: a fixed header, then per row a field count and each field as its
# byte length and big-endian value, then a -1 trailer.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)
# The write-back rows as binary COPY records: every field fixed-width and never NULL (a missing
# score travels as NaN, a missing tier as 0, and the SQL turns them back into NULL), so one
# numpy record array is the whole COPY payload. Encoding a million rows as CSV with pandas took
# ~5 s of GIL-holding Python per first run (py-spy), beside the writers' PostgreSQL work.
_WRITEBACK_FIELDS = [
    ("id", ">i8"), *((col, ">f8") for col in SCORE_FIELDS if col != "tier"),
    ("tier", ">i2"), ("set_id", ">i8"), ("snap", "u1"),
]  # fmt: skip
_WRITEBACK_DTYPE = np.dtype(
    [("count", ">i2")]
    + [item for name, kind in _WRITEBACK_FIELDS for item in ((f"{name}_len", ">i4"), (name, kind))]
)


def writeback_copy_payload(rows: pd.DataFrame, set_ids: np.ndarray, snapshot: np.ndarray) -> bytes:
    """The rows to write back as one binary COPY payload for `scoring_writeback`."""
    records = np.empty(len(rows), dtype=_WRITEBACK_DTYPE)
    records["count"] = len(_WRITEBACK_FIELDS)
    for name, kind in _WRITEBACK_FIELDS:
        records[f"{name}_len"] = np.dtype(kind).itemsize
    records["id"] = rows["id"].to_numpy(dtype=np.int64)
    for col in SCORE_FIELDS:
        values = rows[col].to_numpy(dtype=float)
        if col == "tier":
            records["tier"] = np.nan_to_num(values, nan=0).astype(np.int16)
        else:
            records[col] = np.round(values, 2)
    records["set_id"] = np.asarray(set_ids, dtype=np.int64)
    records["snap"] = np.asarray(snapshot, dtype=bool)
    return _COPY_HEADER + records.tobytes() + _COPY_TRAILER


def _write_postgres(workspace_id, rows, set_ids, now, run_id, snapshot) -> None:
    table = Account._meta.db_table
    snap_table = ScoreSnapshot._meta.db_table
    tier_table = AccountTier._meta.db_table
    ids = rows["id"].to_numpy(dtype=np.int64)
    payload = writeback_copy_payload(rows, set_ids, snapshot)
    nulled = ", ".join(
        "NULLIF(tier, 0) AS tier" if col == "tier" else f"NULLIF({col}, 'NaN') AS {col}"
        for col in SCORE_FIELDS
    )
    with connection.cursor() as cur:
        # Scores can be recomputed, so a crash losing the last commit costs nothing; a bigger
        # work_mem keeps the join with the staging table out of temporary files.
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '128MB'")
        # The tier index rows are updated set-wise below, not by the row trigger per account.
        cur.execute("SET LOCAL beacon.account_tiers_kept = 'on'")
        # Each row's set id is known here, so the scores travel as they are stored (no join on
        # the server), and the snapshots are copied from the same staging rows.
        cur.execute(
            "CREATE TEMP TABLE scoring_writeback (id bigint, fit float8, predictive_fit float8,"
            " intent float8, engagement float8, priority float8, health float8, tier smallint,"
            " set_id bigint, snap boolean) ON COMMIT DROP"
        )
        cur.copy_expert(
            "COPY scoring_writeback FROM STDIN WITH (FORMAT binary)", io.BytesIO(payload)
        )
        cur.execute("ANALYZE scoring_writeback")
        # The workspace condition keeps a stray id from touching another tenant's account;
        # rows whose values are all the same already are left alone (no new row version).
        # The id range lets the join read the chunk's accounts by primary key: without it the
        # planner hashed the staging table and scanned the whole workspace for every chunk
        # (1.4 of 1.9 s per 50,000-row chunk at 1M accounts, EXPLAIN ANALYZE).
        cur.execute(
            f"UPDATE {table} a SET fit_score = t.fit, predictive_fit = t.predictive_fit,"  # noqa: S608
            " intent_score = t.intent, engagement_score = t.engagement, priority = t.priority,"
            " tier = t.tier, health_score = t.health, reason_set_id = t.set_id,"
            " scored_at = %s"
            f" FROM (SELECT id, {nulled}, set_id FROM scoring_writeback) t"
            " WHERE a.id = t.id AND a.workspace_id = %s AND a.id BETWEEN %s AND %s"
            " AND (a.fit_score, a.predictive_fit, a.intent_score, a.engagement_score,"
            " a.priority, a.tier, a.health_score, a.reason_set_id) IS DISTINCT FROM (t.fit,"
            " t.predictive_fit, t.intent, t.engagement, t.priority, t.tier, t.health, t.set_id)",
            [now, workspace_id, int(ids.min()), int(ids.max())],
        )
        # Every account has its row (the insert trigger): an UPDATE join, not an upsert that
        # probes the key per row (207 against 346 ms per 50,000 changed tiers).
        cur.execute(
            f"UPDATE {tier_table} i SET tier = t.tier FROM scoring_writeback t"  # noqa: S608
            " WHERE i.account_id = t.id AND i.workspace_id = %s"
            " AND i.account_id BETWEEN %s AND %s AND i.tier <> t.tier",
            [workspace_id, int(ids.min()), int(ids.max())],
        )
        # Back on for whatever else the caller's transaction writes.
        cur.execute("SET LOCAL beacon.account_tiers_kept = 'off'")
        if snapshot.any():
            cur.execute(
                f"INSERT INTO {snap_table} (workspace_id, account_id, run_id, fit,"  # noqa: S608
                " predictive_fit, intent, engagement, priority, tier, health, reason_set_id, at)"
                " SELECT %s, id, %s, fit, predictive_fit, intent, engagement, priority, tier,"
                f" health, set_id, %s FROM (SELECT id, {nulled}, set_id, snap"
                " FROM scoring_writeback) t WHERE snap",
                [workspace_id, run_id, now],
            )
        cur.execute("DROP TABLE scoring_writeback")


def _write_orm(workspace_id, rows, set_ids, now, run_id, snapshot) -> None:
    cols = _score_columns(rows)
    ids = rows["id"].tolist()
    current = Account.objects.for_workspace(workspace_id).in_bulk(ids)
    updates, snaps = [], []
    for i, pk in enumerate(ids):
        account = current.get(pk)
        if account is None:
            continue
        values = dict(zip(SCORE_FIELDS.values(), (c[i] for c in cols), strict=True))
        for field, value in values.items():
            setattr(account, field, value)
        account.reason_set_id = int(set_ids[i])
        account.scored_at = now
        updates.append(account)
        if snapshot[i]:
            snaps.append(
                ScoreSnapshot(
                    workspace_id=workspace_id,
                    account_id=pk,
                    run_id=run_id,
                    at=now,
                    reason_set_id=account.reason_set_id,
                    **{col: values[field] for col, field in SCORE_FIELDS.items()},
                )
            )
    Account.objects.bulk_update(
        updates,
        [*SCORE_FIELDS.values(), "reason_set", "scored_at"],
        batch_size=500,
    )
    ScoreSnapshot.objects.bulk_create(snaps, batch_size=1000)
