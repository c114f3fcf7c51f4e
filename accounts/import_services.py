"""CRM import: the one service the upload page, the Celery task and `import_crm` all run.

Life of a job: `import_job_create` (file inspected, source detected, columns mapped) →
`import_mapping_set` (the admin's corrections) → `import_preview` (first rows with every
problem, nothing written) → `import_job_queue` (Celery, queue "imports") → `import_run`
(chunks committed with their progress cursor, so a killed worker resumes where it stopped) →
`import_undo` (created records removed, updated ones restored).

Counts always reconcile: rows = created + updated + unchanged + rejected, and every rejected row
is in the error report with its line number, its values as they came and the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from abm.gc_pause import gc_paused
from abm.models import Workspace
from accounts.importing.columns import (
    FIELDS,
    auto_mapping,
    clean_mapping,
    detect_source,
    missing_required,
)
from accounts.importing.duplicates import KeyTally, MergePlan, plan_merges
from accounts.importing.errors import ImportRefused
from accounts.importing.loaders.base import ChunkOutcome, LoadContext, restore_value
from accounts.importing.loaders.orm import LOADERS, resolve_pending_parents
from accounts.importing.readers import Row, TableReader, open_table
from accounts.importing.validation import Rejected, Validator
from accounts.importing.values import neutralise
from accounts.models import (
    Account,
    Contact,
    ImportJob,
    ImportMapping,
    ImportRejectedRow,
    ImportRowChange,
    Opportunity,
)

log = logging.getLogger(__name__)

COUNT_KEYS = ("rows", "created", "updated", "unchanged", "rejected")
ORM_CHUNK_ROWS = 5_000
FOLLOWUP_BATCH = 10_000
# Accounts touched by opportunity/event/intent imports, kept for re-scoring; beyond this, the
# nightly scoring run catches up.
MAX_TRACKED_ACCOUNTS = 50_000


class LostClaim(Exception):
    """Another run took the job over (the worker was presumed dead); this one stops quietly."""


# -- creating and mapping ------------------------------------------------------------------
def job_path(job: ImportJob) -> Path:
    return Path(job.file.path) if job.file else Path(job.source_path)


def import_job_create(
    *,
    workspace: Workspace,
    kind: str,
    path: str | Path | None = None,
    upload: UploadedFile | None = None,
    source: str = "auto",
    mapping: dict[str, str] | None = None,
    created_by=None,
) -> ImportJob:
    """A job for a local file (command line) or an upload; `ImportRefused` when unreadable."""
    if kind not in ImportJob.Kind.values:
        raise ImportRefused(
            f"Unknown object “{kind}”; choose one of {', '.join(ImportJob.Kind.values)}."
        )
    job = ImportJob(workspace=workspace, kind=kind, source=source or "auto", created_by=created_by)
    if upload is not None:
        if upload.size and upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise ImportRefused(
                f"The file is {upload.size:,} bytes; the limit is {settings.IMPORT_MAX_FILE_BYTES:,} (IMPORT_MAX_FILE_BYTES)."
            )
        job.original_name = Path(upload.name or "upload.csv").name[:255]
        job.file.save(job.original_name, upload, save=False)
    else:
        job.source_path = str(Path(path).resolve())
        job.original_name = Path(path).name[:255]
    try:
        table = open_table(job_path(job))
    except ImportRefused:
        if job.file:
            job.file.delete(save=False)
        raise
    job.headers = table.headers
    job.resolved_source = detect_source(table.headers) if job.source == "auto" else job.source
    columns = auto_mapping(table.headers, kind)
    if mapping:
        known = {f.name for f in FIELDS[kind]}
        unknown = sorted({f for f in mapping.values() if f and f not in known})
        if unknown:
            raise ImportRefused(f"The mapping names unknown {kind} fields: {', '.join(unknown)}.")
        columns = {
            h: f for h, f in columns.items() if h not in mapping and f not in mapping.values()
        }
        columns.update({h: f for h, f in mapping.items() if h in table.headers})
        columns = clean_mapping(columns, table.headers, kind)
    job.mapping = {"columns": columns}
    job.status = (
        ImportJob.Status.UPLOADED if missing_required(columns, kind) else ImportJob.Status.MAPPED
    )
    job.save()
    return job


def import_mapping_set(
    *, job: ImportJob, columns: dict[str, str], save_as: str = "", user=None
) -> tuple[ImportJob, list[str]]:
    """Apply the admin's mapping; the labels of required fields still missing (empty when ready)."""
    columns = clean_mapping(columns, job.headers, job.kind)
    missing = [f.label for f in missing_required(columns, job.kind)]
    job.mapping = {**job.mapping, "columns": columns}
    if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
        job.status = ImportJob.Status.UPLOADED if missing else ImportJob.Status.MAPPED
    job.save(update_fields=["mapping", "status"])
    if save_as.strip():
        ImportMapping.objects.update_or_create(
            workspace=job.workspace,
            kind=job.kind,
            name=save_as.strip()[:120],
            defaults={"columns": columns, "created_by": user},
        )
    return job, missing


@dataclass
class PreviewRow:
    line: int
    values: list[str]
    record: dict[str, Any] | None
    problem: str


def import_preview(*, job: ImportJob, limit: int = 20) -> list[PreviewRow]:
    """The first rows as they would be read, each with its problem; nothing is written."""
    table = open_table(job_path(job))
    validator = Validator.build(
        obj=job.kind, headers=table.headers, mapping=job.mapping.get("columns", {})
    )
    out = []
    for row in table.sample(limit):
        try:
            out.append(PreviewRow(row.line, row.values, validator.clean(row), ""))
        except Rejected as exc:
            out.append(PreviewRow(row.line, row.values, None, str(exc)))
    return out


def import_job_queue(*, job: ImportJob) -> ImportJob:
    """Hand the job to a worker (queue "imports") once this transaction commits."""
    from accounts.tasks import import_job_run

    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPED).update(
        status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: import_job_run.delay(job_id=job.pk))
    job.refresh_from_db()
    return job


def import_resume(*, job: ImportJob) -> ImportJob:
    """Queue a job whose worker died again; it continues after its last committed chunk.

    A killed worker's task is normally redelivered by the broker (acks_late); this is the
    admin's button for when that did not happen (a broker restart lost the message).
    """
    from accounts.tasks import import_job_run

    if job.is_stale:
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            heartbeat_at=timezone.now()
        )
        transaction.on_commit(lambda: import_job_run.delay(job_id=job.pk))
    job.refresh_from_db()
    return job


def import_cancel(*, job: ImportJob) -> ImportJob:
    """Ask a running job to stop after its current chunk; a queued job stops at once."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        cancel_requested=True
    )
    ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.MAPPED]
    ).update(status=ImportJob.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now())
    job.refresh_from_db()
    return job


# -- running -------------------------------------------------------------------------------
def _loader_for(job: ImportJob) -> tuple[Callable[[LoadContext, list], ChunkOutcome], int]:
    if connection.vendor == "postgresql" and job.kind in ("contacts", "leads"):
        try:
            from accounts.importing.loaders import postgres
        except ImportError:
            postgres = None
        if postgres is not None and hasattr(postgres, "load_contacts_copy"):
            return postgres.load_contacts_copy, postgres.CHUNK_ROWS
    return LOADERS[job.kind], ORM_CHUNK_ROWS


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, error_message=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def import_job_fail(*, job_id: int, error: BaseException, attempts: int = 1) -> None:
    """Mark a job that could not finish as failed, with a reason the result page shows.

    Only a job still waiting or running is marked: a run that lost its claim to a newer one, or
    a job already done or cancelled, keeps its state. The rows committed before the failure stay
    (undo removes them) and the ones rejected so far get their error report. When the database
    itself is gone this cannot be recorded; the stalled-job sweeper publishes the job again.
    """
    if isinstance(error, OperationalError):
        cause = f"the database could not be reached ({_first_line(error)})"
    else:
        cause = f"an unexpected error stopped it ({error.__class__.__name__}: {_first_line(error)})"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    message = (
        f"The import stopped{tries}: {cause}. The rows imported before it stopped are kept; "
        "undo them or upload the file again."
    )
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # a dropped connection: open a new one
        failed = ImportJob.objects.filter(
            pk=job_id,
            status__in=[ImportJob.Status.MAPPED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING],
        ).update(status=ImportJob.Status.FAILED, error_message=message, finished_at=timezone.now())
        if failed:
            job = ImportJob.objects.get(pk=job_id)
            report = _write_error_report(job)
            if report:
                job.error_report.save(f"import-{job.pk}-errors.csv", ContentFile(report), save=True)
    except DatabaseError:
        log.exception("import job %s failed and could not be marked failed", job_id)


IMPORT_RUN_LOCK_CLASS = 7301  # advisory lock namespace: (class, job id); scoring uses its own


def _hold_run_lock(job_id: int, *, shared: bool) -> bool:
    """Until the transaction ends: a run's chunk writes hold the lock shared, a run taking the
    job over holds it exclusive. False when a chunk write cannot have it.

    A second delivery of the same task (the broker presumed the first worker dead) claims the
    job only once no chunk of the first run is still being written, so it resumes from a cursor
    that covers every committed chunk, and the first run stops at its next chunk having written
    nothing twice. A chunk write never waits for the lock: once a takeover is waiting, the run
    stops (a waiting chunk could wait on an earlier chunk of its own run, which PostgreSQL
    cannot see as a deadlock). SQLite runs one writer at a time and takes no lock.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cur:
        if shared:
            cur.execute(
                "SELECT pg_try_advisory_xact_lock_shared(%s, %s)", [IMPORT_RUN_LOCK_CLASS, job_id]
            )
            return cur.fetchone()[0]
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_RUN_LOCK_CLASS, job_id])
        return True


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return (text.splitlines()[0] if text else error.__class__.__name__)[:500]


def import_run(
    *, job: ImportJob, chunk_rows: int | None = None, followups: bool = True
) -> ImportJob:
    """Run (or resume) the job to the end; returns it with counts, status and error report.

    Each chunk commits together with the job's cursor and counts, so a run that dies between
    chunks loses nothing and a new run continues after the last committed chunk.
    """
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        _hold_run_lock(job.pk, shared=False)  # waits for the chunks being written to commit
        claimed = ImportJob.objects.filter(
            pk=job.pk,
            status__in=[ImportJob.Status.MAPPED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING],
        ).update(
            status=ImportJob.Status.RUNNING,
            run_token=token,
            heartbeat_at=now,
            started_at=Coalesce("started_at", now),
        )
    job.refresh_from_db()
    if not claimed:
        return job
    # Which process runs it: the page shows it, and the CI test kills exactly that worker.
    ImportJob.objects.filter(pk=job.pk).update(progress={**job.progress, "pid": os.getpid()})
    job.refresh_from_db()
    columns = job.mapping.get("columns", {})
    missing = missing_required(columns, job.kind)
    if missing:
        return _fail(job, "Map these columns first: " + ", ".join(f.label for f in missing) + ".")
    try:
        table = open_table(job_path(job))
        if table.headers != job.headers:
            return _fail(job, "The file's columns changed since it was uploaded; upload it again.")
        validator = Validator.build(
            obj=job.kind, headers=table.headers, mapping=job.mapping["columns"]
        )
        tally = KeyTally(validator)  # repeated keys are found during the limits scan
        if job.total_rows is None or tally:
            # every limit checked before anything is written (again on a resumed run with keys)
            total_rows = table.scan(visit=tally.add if tally else None)
            if job.total_rows is None:
                job.total_rows = total_rows
                ImportJob.objects.filter(pk=job.pk).update(total_rows=total_rows)
        plan = plan_merges(
            table, validator, partial(_known_crm_ids, job), repeated=tally.repeated()
        )
        _run_chunks(
            job, table, validator, token, chunk_rows or job.progress.get("chunk_rows"), plan
        )
    except ImportRefused as exc:
        return _fail(job, str(exc))
    except LostClaim:
        log.warning("import job %s was taken over by another run", job.pk)
        job.refresh_from_db()
        return job
    except Exception:
        # A run that lost its claim can trip over the rows its successor commits (a unique
        # violation); that is the successor's job now, not a failure of the import.
        if not ImportJob.objects.filter(pk=job.pk, run_token=token).exists():
            log.warning("import job %s: a run that had lost its claim stopped", job.pk)
            job.refresh_from_db()
            return job
        raise
    job.refresh_from_db()
    if job.status == ImportJob.Status.RUNNING:
        _finish(job, followups=followups)
    elif job.status == ImportJob.Status.CANCELLED:
        report = _write_error_report(
            job
        )  # the rows rejected before the cancel still get their report
        if report:
            job.error_report.save(f"import-{job.pk}-errors.csv", ContentFile(report), save=True)
    job.refresh_from_db()
    return job


def _known_crm_ids(job: ImportJob, crm_ids: set[str]) -> set[str]:
    """Which of these CRM ids of the job's source already name a stored record."""
    model = {"accounts": Account, "opportunities": Opportunity}.get(job.kind, Contact)
    source = job.resolved_source or "generic"
    found: set[str] = set()
    ids = sorted(crm_ids)
    for start in range(0, len(ids), 5_000):
        found.update(
            model.objects.filter(
                workspace_id=job.workspace_id,
                crm_source=source,
                crm_id__in=ids[start : start + 5_000],
            ).values_list("crm_id", flat=True)
        )
    return found


def _run_chunks(
    job: ImportJob,
    table: TableReader,
    validator: Validator,
    token: str,
    chunk_rows: int | None,
    plan: MergePlan,
) -> None:
    """Read and validate the next chunk while earlier ones are written.

    The database work runs in writer threads (each with its own connection) when no transaction
    is open around the run: psycopg2 releases the GIL while PostgreSQL works, so parsing in
    Python and loading in PostgreSQL overlap on two cores. People (the COPY loader) get two
    writers, so two PostgreSQL backends load consecutive chunks at once; chunks still commit
    one after the other, each with its cursor (see `_RunState.write` for why the result is the
    same as one after the other). Inside an outer transaction (tests), or on SQLite, the same
    steps run one after the other. At most `writers` chunks wait or load, so memory is bounded.
    """
    loader, default_rows = _loader_for(job)
    state = _RunState(job=job, token=token, loader=loader, plan=plan)
    columnar = getattr(loader, "columnar", False)

    def clean(chunk: list[Row]) -> tuple[Any, list]:
        """What the loader takes: column-wise for the COPY loader, (row, record) pairs else."""
        load, _merged = plan.split(chunk)
        if columnar:
            cleaned = validator.clean_columnar(load)
            return cleaned, cleaned.rejected
        return validator.clean_chunk(load)

    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    with gc_paused(collect_after=True):
        if not threaded:
            for chunk in table.chunks(chunk_rows or default_rows, skip=job.rows_done):
                if not state.write(chunk, *clean(chunk)):
                    return
            return
        writers = 2 if columnar else 1
        barrier = threading.Barrier(writers)

        def close_connection() -> None:
            """Each writer thread closes its own connection (the barrier gives each one call)."""
            connections.close_all()
            barrier.wait(timeout=60)

        with ThreadPoolExecutor(max_workers=writers, thread_name_prefix=f"import-{job.pk}") as pool:
            in_flight: deque[Future] = deque()
            before: _Slot | None = None
            try:
                for chunk in table.chunks(chunk_rows or default_rows, skip=job.rows_done):
                    items, rejected = clean(chunk)
                    while len(in_flight) >= writers:
                        if not in_flight.popleft().result():
                            return
                    # A chunk holding rows merged into an earlier row waits for that row's
                    # chunk to commit: whether it was rejected decides these rows' fate.
                    merges = plan and any(row.line in plan.superseded for row in chunk)
                    slot = _Slot.of(items) if columnar and not merges else _Slot()
                    in_flight.append(pool.submit(state.write, chunk, items, rejected, slot, before))
                    before = slot
                while in_flight:
                    in_flight.popleft().result()
            finally:
                for pending in in_flight:
                    pending.exception()  # let every writer end before the connections close
                for closing in [pool.submit(close_connection) for _ in range(writers)]:
                    closing.result()


class _Overlapped(Exception):
    """This chunk loaded while the one before it did, and that cannot stand: load it again."""


@dataclass
class _Slot:
    """A chunk handed to a writer: the keys it upserts by, and how its writer is getting on."""

    crm_ids: frozenset = frozenset()
    emails: frozenset = frozenset()
    keyed: bool = False  # False: keys unknown, so the next chunk never overlaps it
    pid: int | None = None  # its writer's PostgreSQL backend
    updated: int = 0  # existing records its load changed
    committed: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def of(cls, cleaned: Any) -> _Slot:
        # set arithmetic at C speed: a generator per value cost ~1 s per million rows
        crm_ids = frozenset(cleaned.column("crm_id")) - {None}
        emails = frozenset(cleaned.column("email")) - {None}
        return cls(crm_ids=crm_ids, emails=emails, keyed=True)

    def independent_of(self, other: _Slot) -> bool:
        return (
            self.keyed
            and other.keyed
            and self.crm_ids.isdisjoint(other.crm_ids)
            and self.emails.isdisjoint(other.emails)
        )


class _RunState:
    """The writing half of a run: one transaction per chunk, cursor and counts committed with it."""

    def __init__(
        self, *, job: ImportJob, token: str, loader: Callable, plan: MergePlan | None = None
    ) -> None:
        self.job, self.token, self.loader = job, token, loader
        self.plan = plan or MergePlan()
        self.ctx = LoadContext(job=job, obj=job.kind, source=job.resolved_source or "generic")
        self.counts = {k: job.counts.get(k, 0) for k in COUNT_KEYS}
        self.started, self.done_at_start = time.monotonic(), job.rows_done

    def write(
        self,
        chunk: list[Row],
        items: Any,
        rejected: list,
        slot: _Slot | None = None,
        before: _Slot | None = None,
    ) -> bool:
        """Load one chunk (`items` as the loader takes them); False when the run must stop.

        With `before` (the previous chunk, perhaps still loading in another writer) this chunk
        loads at once when the two share no CRM id and no email, and commits only after
        `before` has. That gives what loading one after the other gives when `before` changed
        no existing record: then all `before` did was insert people under its own keys, which
        this chunk's lookups could never find. When `before` did change records (one of them
        may be one this chunk found under an old email), or waits on a lock this chunk holds,
        this chunk rolls back and loads again after `before` committed; so does a chunk that
        PostgreSQL chose as a deadlock victim.
        """
        slot = slot or _Slot()
        try:
            if before is not None and not slot.independent_of(before):
                before.finished.wait()
                if not before.committed:
                    return False
                before = None
            for attempt in range(3):
                try:
                    return self._write_once(chunk, items, rejected, slot, before)
                except _Overlapped:
                    log.info("import job %s: chunk loaded again after the one before", self.job.pk)
                except OperationalError as exc:
                    if getattr(exc.__cause__, "pgcode", None) != "40P01" or attempt == 2:
                        raise  # not a deadlock: the run fails as before
                    log.warning(
                        "import job %s: deadlock victim, loading the chunk again", self.job.pk
                    )
                if before is not None:
                    before.finished.wait()
                    if not before.committed:
                        return False
                    before = None
            return False
        finally:
            slot.finished.set()

    def _merged_rows(
        self, chunk: list[Row], rejected: list[tuple[Row, str]]
    ) -> tuple[list[tuple[Row, str]], list[Row]]:
        """(every rejected row, the rows merged into a carrier that was not rejected).

        A rejected carrier is reported with its own values and the lines merged into it; the
        rows merged into it are rejected with it. Carriers come first in the file, so one that
        is not in this chunk was committed (or rejected) by an earlier one.
        """
        plan = self.plan
        originals = {row.line: row for row in chunk}
        reasons = {row.line: why for row, why in rejected}
        out = [
            (originals.get(row.line, row), plan.explain(row.line, why))
            if row.line in plan.carriers
            else (row, why)
            for row, why in rejected
        ]
        merged = [row for row in chunk if row.line in plan.superseded]
        earlier = {plan.superseded[r.line] for r in merged} - originals.keys()
        if earlier:
            reasons.update(
                ImportRejectedRow.objects.filter(job_id=self.job.pk, line__in=earlier).values_list(
                    "line", "reason"
                )
            )
        kept = []
        for row in merged:
            carrier = plan.superseded[row.line]
            if carrier in reasons:
                out.append((row, f"the same record as line {carrier}, which was rejected"))
            else:
                kept.append(row)
        out.sort(key=lambda item: item[0].line)
        return out, kept

    def _await(self, before: _Slot, slot: _Slot) -> None:
        """Wait, inside this chunk's transaction, until `before` has finished.

        `_Overlapped` (this chunk rolls back) when `before` waits on a lock this chunk holds
        (each would wait for the other forever, unseen by PostgreSQL's deadlock detector), when
        `before` changed existing records, or when it did not commit.
        """
        with connection.cursor() as cur:
            while not before.finished.wait(0.05):
                if before.pid is None:
                    continue
                cur.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [slot.pid, before.pid])
                if cur.fetchone()[0]:
                    raise _Overlapped  # it waits on a lock of ours: free it
        if not before.committed or before.updated:
            raise _Overlapped

    def _write_once(
        self, chunk: list[Row], items: Any, rejected: list, slot: _Slot, before: _Slot | None
    ) -> bool:
        job = self.job
        if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            if before is not None:
                before.finished.wait()
            ImportJob.objects.filter(pk=job.pk, run_token=self.token).update(
                status=ImportJob.Status.CANCELLED, finished_at=timezone.now()
            )
            return False
        counts = self.counts
        with transaction.atomic():
            if connection.vendor == "postgresql":
                slot.pid = connection.connection.get_backend_pid()
            if not _hold_run_lock(job.pk, shared=True):
                raise LostClaim  # another run is taking the job over
            if not ImportJob.objects.filter(pk=job.pk, run_token=self.token).exists():
                raise LostClaim
            outcome = self.loader(self.ctx, items)
            slot.updated = outcome.updated
            if before is not None:
                self._await(before, slot)
            rejected = rejected + outcome.rejected
            merged: list[Row] = []
            if self.plan:
                rejected, merged = self._merged_rows(chunk, rejected)
            ImportRowChange.objects.bulk_create(outcome.changes, batch_size=5000)
            ImportRejectedRow.objects.bulk_create(
                [
                    ImportRejectedRow(
                        job_id=job.pk, line=r.line, values=r.values + r.extra, reason=why
                    )
                    for r, why in rejected
                ],
                batch_size=2000,
            )
            counts["rows"] += len(chunk)
            counts["created"] += outcome.created
            counts["updated"] += outcome.updated
            counts["unchanged"] += outcome.unchanged + len(merged)
            counts["rejected"] += len(rejected)
            rows_done = job.rows_done + len(chunk)
            rate = (rows_done - self.done_at_start) / max(time.monotonic() - self.started, 1e-6)
            progress = {
                **job.progress,
                "rate": round(rate, 1),
                "eta": round(((job.total_rows or rows_done) - rows_done) / rate, 1)
                if rate
                else None,
            }
            if merged:
                progress["merged"] = job.progress.get("merged", 0) + len(merged)
            if job.kind in ("opportunities", "events", "intent") and outcome.account_ids:
                touched = set(job.progress.get("account_ids", [])) | outcome.account_ids
                progress["account_ids"] = sorted(touched)[:MAX_TRACKED_ACCOUNTS]
            if outcome.pending_parents:
                progress["pending_parents"] = {
                    **job.progress.get("pending_parents", {}),
                    **outcome.pending_parents,
                }
            # The cursor commits with the rows it covers: a resumed run never re-applies them.
            claimed = ImportJob.objects.filter(pk=job.pk, run_token=self.token).update(
                rows_done=rows_done, counts=counts, progress=progress, heartbeat_at=timezone.now()
            )
            if not claimed:
                raise LostClaim
        job.rows_done, job.counts, job.progress = rows_done, dict(counts), progress
        slot.committed = True
        return True


def _finish(job: ImportJob, *, followups: bool) -> None:
    ctx = LoadContext(job=job, obj=job.kind, source=job.resolved_source or "generic")
    still_pending = {}
    if job.progress.get("pending_parents"):
        with transaction.atomic():
            still_pending = resolve_pending_parents(ctx, job.progress["pending_parents"])
    report = _write_error_report(job)
    if (
        connection.vendor == "postgresql"
        and job.counts.get("created", 0) > 10_000
        and job.kind in ("contacts", "leads")
    ):
        from accounts.importing.loaders.postgres import analyze_after_load

        analyze_after_load()  # fresh statistics for whatever queries the table next
    counts = {k: job.counts.get(k, 0) for k in COUNT_KEYS}
    job.progress = {
        **job.progress,
        "pending_parents": still_pending,
        "rate": job.progress.get("rate"),
        "eta": 0,
    }
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.counts = counts
    if report:
        job.error_report.save(f"import-{job.pk}-errors.csv", ContentFile(report), save=False)
    job.save(update_fields=["progress", "status", "finished_at", "counts", "error_report"])
    if followups:
        from accounts.tasks import import_followups_queue

        # A task of its own: the matching and scoring modules (scikit-learn, pandas) load in the
        # worker that queues them, not in the import's process (seconds of start-up each).
        transaction.on_commit(lambda: import_followups_queue.delay(job_id=job.pk))


def _write_error_report(job: ImportJob) -> bytes:
    """The rejected rows as a CSV: line, the original columns, reason; formulas neutralised."""
    rejected = ImportRejectedRow.objects.filter(job=job).order_by("line")
    if not rejected.exists():
        return b""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    width = len(job.headers)
    extra = max((len(r) - width for r in rejected.values_list("values", flat=True)), default=0)
    writer.writerow(
        ["line", *job.headers, *[f"extra {i + 1}" for i in range(max(extra, 0))], "reason"]
    )
    for item in rejected.iterator(chunk_size=2000):
        values = list(item.values) + [""] * (width + max(extra, 0) - len(item.values))
        writer.writerow([item.line, *(neutralise(v) for v in values), neutralise(item.reason)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def _optional_task(path: str):
    module_name, name = path.rsplit(".", 1)
    try:
        module = import_module(module_name)
    except ImportError:
        return None
    return getattr(module, name, None)


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) >= FOLLOWUP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def import_queue_followups(*, job: ImportJob) -> None:
    """New or changed people go to matching, touched accounts to scoring (when those exist),
    in tasks of FOLLOWUP_BATCH ids each."""
    changes = ImportRowChange.objects.filter(job=job)
    contact_ids = set(created_ids(job=job, model="contact"))
    contact_ids |= set(
        changes.filter(model="contact", action="u").values_list("object_id", flat=True)
    )
    account_ids = set(created_ids(job=job, model="account"))
    account_ids |= set(
        changes.filter(model="account", action="u").values_list("object_id", flat=True)
    )
    account_ids |= set(job.progress.get("account_ids", []))
    match = _optional_task("matching.tasks.match_contacts_to_accounts")
    score = _optional_task("scoring.tasks.score_accounts")
    if match is not None and job.kind in ("contacts", "leads"):
        for batch in _batches(sorted(contact_ids)):
            match.delay(workspace_id=job.workspace_id, contact_ids=batch)
    if score is not None and account_ids:
        for batch in _batches(sorted(account_ids)):
            score.delay(workspace_id=job.workspace_id, account_ids=batch)
    dashboards = _optional_task("dashboards.tasks.rollups_refresh_soon")
    if dashboards is not None:
        dashboards(workspace_id=job.workspace_id)


def created_ids(*, job: ImportJob, model: str) -> Iterable[int]:
    """Ids of the records the job created; a bulk loader logs many ids in one row."""
    rows = ImportRowChange.objects.filter(job=job, model=model, action="c").values_list(
        "object_id", "before"
    )
    for object_id, before in rows.iterator(chunk_size=1000):
        if before and "ids" in before:
            yield from before["ids"]
        else:
            yield object_id


# -- undo ----------------------------------------------------------------------------------
def _models() -> dict[str, Any]:
    from campaigns.models import Campaign, EngagementEvent

    models = {
        "account": Account,
        "contact": Contact,
        "opportunity": Opportunity,
        "event": EngagementEvent,
        "campaign": Campaign,
    }
    try:
        from scoring.models import IntentSignal
    except ImportError:
        pass
    else:
        models["intent"] = IntentSignal
    return models


@transaction.atomic
def import_undo(*, job: ImportJob) -> ImportJob:
    """Remove what the job created and put back what it updated; the job becomes "undone"."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (
        ImportJob.Status.DONE,
        ImportJob.Status.CANCELLED,
        ImportJob.Status.FAILED,
    ):
        return job
    models = _models()
    changes = ImportRowChange.objects.filter(job=job)
    # Updates first, newest first, so the oldest "before" of a record is what remains.
    for change in changes.filter(action="u").order_by("-pk").iterator(chunk_size=2000):
        model = models[change.model]
        values = {k: restore_value(model, k, v) for k, v in change.before.items()}
        model.objects.filter(workspace_id=job.workspace_id, pk=change.object_id).update(**values)
    present = set(changes.filter(action="c").values_list("model", flat=True).distinct())
    for name in ("event", "intent", "opportunity", "contact", "account", "campaign"):
        if name not in present:
            continue
        for batch in _batches(created_ids(job=job, model=name)):
            models[name].objects.filter(workspace_id=job.workspace_id, pk__in=batch).delete()
    job.status = ImportJob.Status.UNDONE
    job.undone_at = timezone.now()
    job.save(update_fields=["status", "undone_at"])
    return job


# -- reading a mapping file ----------------------------------------------------------------
def mapping_from_file(path: str | Path) -> dict[str, str]:
    """`{"Header": "field", …}` or `{"columns": {…}}` from a JSON file; `ImportRefused` if not."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ImportRefused(f"The mapping file cannot be read: {exc}") from exc
    columns = data.get("columns", data) if isinstance(data, dict) else None
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ImportRefused('The mapping file must be a JSON object like {"Header": "field"}.')
    return columns


def field_choices(kind: str) -> list[tuple[str, str]]:
    return [(f.name, f.label + (" *" if f.required else "")) for f in FIELDS[kind]]


def rows_for_report(job: ImportJob, limit: int = 50) -> list[ImportRejectedRow]:
    return list(ImportRejectedRow.objects.filter(job=job).order_by("line")[:limit])


def sample_values(
    job: ImportJob, rows: list[Row] | None = None, n: int = 3
) -> dict[str, list[str]]:
    """A few non-empty values per column, shown beside each header on the mapping screen."""
    rows = rows if rows is not None else open_table(job_path(job)).sample(50)
    out: dict[str, list[str]] = {h: [] for h in job.headers}
    for row in rows:
        for header, value in zip(job.headers, row.values, strict=False):
            if value.strip() and len(out[header]) < n and value not in out[header]:
                out[header].append(value[:80])
    return out


def import_jobs_requeue_stalled(
    *,
    queued_for: dt.timedelta = dt.timedelta(minutes=10),
    silent_for: dt.timedelta = dt.timedelta(minutes=35),
) -> list[int]:
    """Publish again the jobs no worker is working on: queued while the broker was down (never
    started), or running with no heartbeat for longer than the task's hard time limit. Resuming
    at the committed cursor makes a second delivery harmless."""
    from accounts.tasks import import_job_run

    now = timezone.now()
    stalled = list(
        ImportJob.objects.filter(
            Q(
                status=ImportJob.Status.QUEUED,
                started_at__isnull=True,
                heartbeat_at__lt=now - queued_for,
            )
            | Q(status=ImportJob.Status.RUNNING, heartbeat_at__lt=now - silent_for)
        ).values_list("pk", flat=True)
    )
    for job_id in stalled:
        import_job_run.delay(job_id=job_id)
    return stalled
