"""Engagement event ingestion: validate a batch, resolve who each touch belongs to, insert once.

`events_ingest()` is the one way events enter through the API. Every event of a batch ends up
in exactly one of three buckets — accepted (stored now), duplicate (its `external_id` was
already stored, by an earlier call or earlier in this batch) or rejected (with the reason) — so
nothing is silently dropped. Events whose person or company is not known yet are stored without
an account (their email/domain/ip kept in `meta`) so a later import can still attach them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from abm.models import Workspace
from accounts.models import Account, AccountDomain, AccountIpRange, Contact
from campaigns.models import Campaign, EngagementEvent
from campaigns.weights import channel_for, workspace_event_weights
from matching.normalize import email_domain, is_free_email_domain, registrable_domain

MAX_BATCH = 1000
MAX_META_BYTES = 8192
MAX_FUTURE = dt.timedelta(days=1)
INSERT_CHUNK = 500
_CHANNELS = {"email", "ads", "web", "events", "webinars", "direct_mail", "sdr_outreach"}


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    account_ids: set[int] = field(default_factory=set)

    def as_response(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


@dataclass(slots=True)
class _Event:
    index: int
    external_id: str
    kind: str
    occurred_at: dt.datetime
    email: str = ""
    domain: str = ""
    account_id: int | None = None
    campaign_id: int | None = None
    ip: str = ""
    ip_int: int | None = None
    channel: str = ""
    meta: dict = field(default_factory=dict)
    resolved_account: int | None = None
    contact_id: int | None = None


class _Reject(Exception):  # noqa: N818 — a control-flow signal carrying the reason
    pass


def _int(value, name: str) -> int:
    if isinstance(value, bool):
        raise _Reject(f"{name} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _Reject(f"{name} must be an integer")


def _parse(index: int, raw, weights: dict[str, float], now: dt.datetime) -> _Event:
    if not isinstance(raw, dict):
        raise _Reject("event must be a JSON object")
    external_id = raw.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise _Reject("external_id is required")
    external_id = external_id.strip()
    if len(external_id) > 128 or "\x00" in external_id:
        raise _Reject("external_id must be at most 128 characters")
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise _Reject("kind is required")
    kind = kind.strip().lower()
    if kind not in weights:
        raise _Reject(f"unknown kind {kind[:40]!r}; expected one of {', '.join(sorted(weights))}")
    occurred = raw.get("occurred_at")
    parsed = None
    if isinstance(occurred, str):
        try:
            # fromisoformat (C, Python 3.11 reads "Z" too) is several times faster than the
            # regex in parse_datetime, which stays as the fallback for the forms it misses.
            parsed = dt.datetime.fromisoformat(occurred.strip())
        except ValueError:
            try:
                parsed = parse_datetime(occurred.strip())
            except ValueError:
                parsed = None
    if parsed is None:
        raise _Reject("occurred_at must be an ISO 8601 date-time")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    if parsed > now + MAX_FUTURE:
        raise _Reject("occurred_at is in the future")
    if parsed.year < 1970:
        raise _Reject("occurred_at is before 1970")
    event = _Event(index, external_id, kind, parsed)

    if (email := raw.get("email")) not in (None, ""):
        if not isinstance(email, str) or "@" not in email or len(email) > 254 or "\x00" in email:
            raise _Reject("email is not an email address")
        event.email = email.strip().lower()
    if (domain := raw.get("domain")) not in (None, ""):
        reg = registrable_domain(domain) if isinstance(domain, str) and len(domain) < 256 else ""
        if not reg:
            raise _Reject("domain is not a registrable domain")
        event.domain = reg
    if (account_id := raw.get("account_id")) not in (None, ""):
        event.account_id = _int(account_id, "account_id")
    if (campaign_id := raw.get("campaign_id")) not in (None, ""):
        event.campaign_id = _int(campaign_id, "campaign_id")
    if (ip := raw.get("ip")) not in (None, ""):
        try:
            address = ipaddress.ip_address(ip.strip() if isinstance(ip, str) else ip)
        except (ValueError, TypeError):
            raise _Reject("ip is not an IP address") from None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        event.ip, event.ip_int = str(address), int(address)
    if not (event.email or event.domain or event.account_id or event.ip):
        raise _Reject("needs one of email, domain, account_id or ip")
    channel = raw.get("channel")
    if channel not in (None, ""):
        if channel not in _CHANNELS:
            raise _Reject(f"unknown channel; expected one of {', '.join(sorted(_CHANNELS))}")
        event.channel = channel
    else:
        event.channel = channel_for(kind)
    meta = raw.get("meta")
    if meta not in (None, ""):
        if not isinstance(meta, dict):
            raise _Reject("meta must be a JSON object")
        encoded = json.dumps(meta, default=str)
        if len(encoded) > MAX_META_BYTES:
            raise _Reject(f"meta is larger than {MAX_META_BYTES} bytes")
        if "\\u0000" in encoded:
            raise _Reject("meta must not contain NUL characters")
        event.meta = meta
    return event


class _Resolver:
    """Bulk look-ups for one batch: a handful of queries whatever the batch size."""

    def __init__(self, workspace_id: int, events: Sequence[_Event]):
        self.workspace_id = workspace_id
        emails = {e.email for e in events if e.email}
        self.contacts: dict[str, tuple[int, int | None]] = {}
        if emails:
            self.contacts = {
                email.lower(): (pk, account_id)
                for email, pk, account_id in Contact.objects.for_workspace(workspace_id)
                # `exclude` repeats the partial unique index's predicate so PostgreSQL uses it
                # for long IN lists too (it cannot prove `email <> ''` from 100+ constants).
                .filter(email__in=emails)
                .exclude(email="")
                .values_list("email", "pk", "account_id")
            }
        domains = {e.domain for e in events if e.domain}
        domains |= {
            d
            for e in events
            if e.email and not e.account_id
            for d in [email_domain(e.email)]
            if d and not is_free_email_domain(d)
        }
        self.domains: dict[str, int] = {}
        if domains:
            for domain, pk in (
                AccountDomain.objects.for_workspace(workspace_id)
                .filter(domain__in=domains, is_former=False)
                .values_list("domain", "account_id")
                .order_by("-pk")
            ):
                self.domains[domain] = pk
            # The primary domain wins over an extra one (lowest id when several share it).
            for domain, pk in (
                Account.objects.for_workspace(workspace_id)
                .filter(domain__in=domains)
                .values_list("domain", "pk")
                .order_by("-pk")
            ):
                self.domains[domain] = pk
        ids = {e.account_id for e in events if e.account_id}
        self.accounts: set[int] = set()
        if ids:
            self.accounts = set(
                Account.objects.for_workspace(workspace_id)
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
        campaign_ids = {e.campaign_id for e in events if e.campaign_id}
        self.campaigns: set[int] = set()
        if campaign_ids:
            self.campaigns = set(
                Campaign.objects.for_workspace(workspace_id)
                .filter(pk__in=campaign_ids)
                .values_list("pk", flat=True)
            )
        self.ranges: list[tuple[int, int, int]] = []
        if any(e.ip for e in events):
            self.ranges = sorted(
                (int(start), int(end), account_id)
                for start, end, account_id in AccountIpRange.objects.for_workspace(
                    workspace_id
                ).values_list("start", "end", "account_id")
            )
            self.starts = [r[0] for r in self.ranges]
            self.widest = max((end - start for start, end, _ in self.ranges), default=0)

    def by_ip(self, ip_int: int) -> int | None:
        """The narrowest range holding the address (a company's office inside an ISP block)."""
        if not self.ranges:
            return None
        best: tuple[int, int] | None = None
        i = bisect.bisect_right(self.starts, ip_int)
        for start, end, account_id in reversed(self.ranges[:i]):
            if ip_int - start > self.widest:
                break  # no range is wide enough to reach back this far
            if start <= ip_int <= end and (best is None or end - start < best[0]):
                best = (end - start, account_id)
            if best is not None and ip_int - start > best[0]:
                break  # every earlier range starts further away, so it is wider
        return best[1] if best else None

    def resolve(self, event: _Event) -> None:
        if event.campaign_id is not None and event.campaign_id not in self.campaigns:
            raise _Reject(f"campaign_id {event.campaign_id} not found in this workspace")
        if event.account_id is not None:
            if event.account_id not in self.accounts:
                raise _Reject(f"account_id {event.account_id} not found in this workspace")
            event.resolved_account = event.account_id
        if event.email and (hit := self.contacts.get(event.email)):
            event.contact_id = hit[0]
            event.resolved_account = event.resolved_account or hit[1]
        if event.resolved_account is None and event.domain:
            event.resolved_account = self.domains.get(event.domain)
        if event.resolved_account is None and event.email:
            event.resolved_account = self.domains.get(email_domain(event.email))
        if event.resolved_account is None and event.ip_int is not None:
            event.resolved_account = self.by_ip(event.ip_int)
        if event.resolved_account is None or (event.email and event.contact_id is None):
            # Keep what identifies the touch so a later import or match can still attach it.
            for key in ("email", "domain", "ip"):
                if getattr(event, key):
                    event.meta.setdefault(key, getattr(event, key))


_COLUMNS = (
    "workspace_id",
    "account_id",
    "contact_id",
    "campaign_id",
    "kind",
    "channel",
    "weight",
    "occurred_at",
    "external_id",
    "ip",
    "meta",
    "created_at",
)


def _insert(workspace_id: int, events: list[_Event], weights: dict[str, float]) -> list[tuple]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: only the rows this call stored come back, so
    two concurrent re-sends of one event count it once as accepted and once as a duplicate."""
    table = connection.ops.quote_name(EngagementEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    stored: list[tuple] = []
    with connection.cursor() as cursor:
        for i in range(0, len(events), INSERT_CHUNK):
            chunk = events[i : i + INSERT_CHUNK]
            params: list = []
            for e in chunk:
                params += [
                    workspace_id,
                    e.resolved_account,
                    e.contact_id,
                    e.campaign_id,
                    e.kind,
                    e.channel,
                    weights.get(e.kind, 1.0),
                    adapt(e.occurred_at),
                    e.external_id,
                    e.ip or None,
                    json.dumps(e.meta, default=str),
                    now,
                ]
            row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} "  # noqa: S608 — identifiers quoted, values parameterised
                'ON CONFLICT ("workspace_id", "external_id") DO NOTHING '
                'RETURNING "external_id", "account_id"',
                params,
            )
            stored += cursor.fetchall()
    return stored


def events_ingest(*, workspace: Workspace, events: Sequence) -> IngestResult:
    """Store a batch of touches (see module docstring); schedules score and journey refresh of
    the accounts that got new touches once the transaction commits."""
    if len(events) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} events per batch")
    result = IngestResult()
    weights = workspace_event_weights(workspace)
    now = timezone.now()
    valid: list[_Event] = []
    seen: set[str] = set()
    batch_duplicates = 0
    for index, raw in enumerate(events):
        try:
            event = _parse(index, raw, weights, now)
        except _Reject as reason:
            result.rejected.append({"index": index, "reason": str(reason)})
            continue
        valid.append(event)
    resolver = _Resolver(workspace.pk, valid)
    to_store: list[_Event] = []
    for event in valid:
        try:
            resolver.resolve(event)
        except _Reject as reason:
            result.rejected.append({"index": event.index, "reason": str(reason)})
            continue
        if event.external_id in seen:
            batch_duplicates += 1
            continue
        seen.add(event.external_id)
        to_store.append(event)
    result.rejected.sort(key=lambda r: r["index"])
    # One lock order for every batch: two concurrent batches sharing external ids then wait for
    # each other instead of deadlocking (each row's unique-index entry is locked as inserted).
    to_store.sort(key=lambda e: e.external_id)
    with transaction.atomic():
        stored = _insert(workspace.pk, to_store, weights) if to_store else []
        result.accepted = len(stored)
        result.duplicates = batch_duplicates + len(to_store) - len(stored)
        result.account_ids = {account_id for _, account_id in stored if account_id}
        if result.account_ids:
            from campaigns.tasks import engagement_refresh

            workspace_id, account_ids = workspace.pk, sorted(result.account_ids)
            # robust: the events are committed whatever happens to the follow-up (a broker
            # outage, or an eager task failing), so the caller still gets its counts.
            transaction.on_commit(
                lambda: engagement_refresh.delay(
                    workspace_id=workspace_id, account_ids=account_ids
                ),
                robust=True,
            )
    return result
