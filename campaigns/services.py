"""Writes for campaigns: the campaign itself, its target list and assets, IP ranges, journeys.

Event ingestion lives in `campaigns.ingest` (re-exported here as `events_ingest`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, AccountDomain, AccountIpRange, Opportunity
from campaigns import journey
from campaigns.ingest import IngestResult, events_ingest
from campaigns.models import (
    Campaign,
    CampaignAccount,
    ContentAsset,
    EngagementEvent,
    JourneyRun,
    Segment,
    StageTransition,
    TargetListUpload,
)
from campaigns.selectors import segment_queryset
from matching.normalize import normalize_company_name, registrable_domain

__all__ = [
    "IngestResult",
    "asset_add",
    "asset_delete",
    "campaign_create",
    "campaign_delete",
    "campaign_target_remove",
    "campaign_targets_from_segment",
    "campaign_targets_upload",
    "campaign_update",
    "event_weights_set",
    "events_ingest",
    "events_reweight",
    "ip_range_add",
    "ip_range_delete",
    "journey_recompute",
    "journey_rules",
    "segment_save",
]

CAMPAIGN_FIELDS = ("name", "kind", "channels", "budget", "starts", "ends", "status", "owner")
MAX_UPLOAD_ROWS = 50_000


def _check_dates(starts: dt.date | None, ends: dt.date | None) -> None:
    if starts and ends and ends < starts:
        raise ValidationError({"ends": "The end date is before the start date."})


def campaign_create(*, workspace: Workspace, created_by=None, **fields) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {', '.join(sorted(unknown))}")
    _check_dates(fields.get("starts"), fields.get("ends"))
    if fields.get("owner") is None:
        fields["owner"] = created_by
    return Campaign.objects.create(workspace=workspace, **fields)


def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise TypeError(f"unknown campaign field {name}")
        setattr(campaign, name, value)
    _check_dates(campaign.starts, campaign.ends)
    campaign.save()
    return campaign


def campaign_delete(*, campaign: Campaign) -> None:
    """Its touches stay (their campaign becomes empty); target list and assets go with it."""
    campaign.delete()


def segment_save(
    *, workspace: Workspace, name: str, filters: dict, user=None, segment: Segment | None = None
) -> Segment:
    clean = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    segment_queryset(workspace=workspace, filters=clean).exists()  # fails early on bad values
    if segment is None:
        segment, _ = Segment.objects.update_or_create(
            workspace=workspace, name=name, defaults={"filters": clean, "created_by": user}
        )
        return segment
    segment.name, segment.filters = name, clean
    segment.save()
    return segment


def _add_targets(*, campaign: Campaign, account_ids: Iterable[int], source: str) -> int:
    """Adds accounts not on the list yet; returns how many were new."""
    ids = set(account_ids)
    existing = set(
        CampaignAccount.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, account_id__in=ids)
        .values_list("account_id", flat=True)
    )
    new = sorted(ids - existing)
    CampaignAccount.objects.bulk_create(
        [
            CampaignAccount(
                workspace_id=campaign.workspace_id, campaign=campaign, account_id=a, source=source
            )
            for a in new
        ],
        batch_size=2000,
        ignore_conflicts=True,  # a concurrent add of the same account is not an error
    )
    Account.objects.for_workspace(campaign.workspace_id).filter(pk__in=new, is_target=False).update(
        is_target=True
    )
    return len(new)


@transaction.atomic
def campaign_targets_from_segment(
    *, campaign: Campaign, segment: Segment | None = None, filters: dict | None = None
) -> int:
    """Adds today's members of a saved segment (or of ad-hoc filters) to the target list and
    remembers which segment built it. Returns how many accounts were added."""
    if segment is not None and segment.workspace_id != campaign.workspace_id:
        raise ValidationError("That segment belongs to another workspace.")
    used = segment.filters if segment is not None else (filters or {})
    ids = segment_queryset(workspace=campaign.workspace_id, filters=used).values_list(
        "pk", flat=True
    )
    added = _add_targets(campaign=campaign, account_ids=ids, source=CampaignAccount.Source.SEGMENT)
    campaign.segment = {
        "segment_id": segment.pk if segment else None,
        "name": segment.name if segment else "",
        "filters": used,
        "applied_at": timezone.now().isoformat(),
    }
    campaign.save(update_fields=["segment"])
    return added


_NAME_HEADERS = {"name", "company", "company name", "account", "account name", "organisation",
                 "organization"}  # fmt: skip
_DOMAIN_HEADERS = {"domain", "website", "url", "web", "email", "company domain", "account domain"}


def _read_rows(content: bytes) -> list[tuple[str, str]]:
    """(name, domain) per row of an uploaded list; a header row is used when there is one,
    otherwise a cell that looks like a domain is the domain and the other is the name."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in r)]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    name_col = next((i for i, h in enumerate(header) if h in _NAME_HEADERS), None)
    domain_col = next((i for i, h in enumerate(header) if h in _DOMAIN_HEADERS), None)
    out: list[tuple[str, str]] = []
    if name_col is not None or domain_col is not None:
        for row in rows[1:]:
            name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
            domain = (
                row[domain_col].strip() if domain_col is not None and domain_col < len(row) else ""
            )
            out.append((name, domain))
        return out
    for row in rows:
        cells = [c.strip() for c in row if c.strip()]
        domain = next((c for c in cells if " " not in c and registrable_domain(c)), "")
        name = next((c for c in cells if c != domain), "")
        out.append((name, domain))
    return out


@transaction.atomic
def campaign_targets_upload(
    *, campaign: Campaign, content: bytes, filename: str = "", user=None
) -> TargetListUpload:
    """Matches an uploaded list of company names and/or domains to accounts (domain first —
    primary or extra — then the normalised company name) and adds the matches to the target
    list. Rows that match nothing, or a name shared by several accounts, are kept with a reason."""
    rows = _read_rows(content)[:MAX_UPLOAD_ROWS]
    ws = campaign.workspace_id
    wanted_domains = {registrable_domain(d) for _, d in rows if d} - {""}
    wanted_names = {normalize_company_name(n) for n, _ in rows if n} - {""}
    by_domain: dict[str, int] = {}
    for domain, pk in (
        AccountDomain.objects.for_workspace(ws)
        .filter(domain__in=wanted_domains)
        .values_list("domain", "account_id")
    ):
        by_domain[domain] = pk
    for domain, pk in (
        Account.objects.for_workspace(ws)
        .filter(domain__in=wanted_domains)
        .values_list("domain", "pk")
        .order_by("-pk")
    ):
        by_domain[domain] = pk
    by_name: dict[str, set[int]] = defaultdict(set)
    for name, pk in (
        Account.objects.for_workspace(ws)
        .filter(normalized_name__in=wanted_names)
        .values_list("normalized_name", "pk")
    ):
        by_name[name].add(pk)
    matched: set[int] = set()
    matched_rows = 0
    unmatched: list[dict] = []
    for number, (name, domain) in enumerate(rows, start=1):
        account_id = by_domain.get(registrable_domain(domain)) if domain else None
        reason = "no account with this domain or name"
        if account_id is None and name:
            hits = by_name.get(normalize_company_name(name), set())
            if len(hits) == 1:
                account_id = next(iter(hits))
            elif len(hits) > 1:
                reason = f"{len(hits)} accounts share this name; add a domain"
        if account_id is None:
            if len(unmatched) < 500:
                unmatched.append({"row": number, "name": name, "domain": domain, "reason": reason})
            continue
        matched.add(account_id)
        matched_rows += 1
    _add_targets(campaign=campaign, account_ids=matched, source=CampaignAccount.Source.UPLOAD)
    return TargetListUpload.objects.create(
        workspace_id=ws,
        campaign=campaign,
        filename=filename[:255],
        rows=len(rows),
        matched=matched_rows,
        unmatched=unmatched,
        uploaded_by=user,
    )


def campaign_target_remove(*, campaign: Campaign, account_id: int) -> bool:
    deleted, _ = (
        CampaignAccount.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, account_id=account_id)
        .delete()
    )
    return bool(deleted)


def asset_add(*, campaign: Campaign, level: str, title: str, url: str = "") -> ContentAsset:
    return ContentAsset.objects.create(
        workspace_id=campaign.workspace_id, campaign=campaign, level=level, title=title, url=url
    )


def asset_delete(*, asset: ContentAsset) -> None:
    asset.delete()


def ip_range_add(*, workspace: Workspace, account: Account, cidr: str) -> AccountIpRange:
    """A CIDR block (`203.0.113.0/24`, a single address, or IPv6) web visits resolve through."""
    if account.workspace_id != workspace.pk:
        raise ValidationError("That account belongs to another workspace.")
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        raise ValidationError({"cidr": "Enter a CIDR block such as 203.0.113.0/24."}) from None
    if network.num_addresses > 2**24 and network.version == 4:
        raise ValidationError({"cidr": "A block larger than /8 cannot belong to one company."})
    return AccountIpRange.objects.create(
        workspace=workspace,
        account=account,
        cidr=str(network),
        start=int(network.network_address),
        end=int(network.broadcast_address),
    )


def ip_range_delete(*, ip_range: AccountIpRange) -> None:
    ip_range.delete()


# --- event weights -------------------------------------------------------------------------


def event_weights_set(*, workspace: Workspace, weights: dict[str, float]) -> dict[str, float]:
    """Stores the workspace's weights (only those differing from the defaults) and queues the
    re-weighting of stored touches and a journey recompute once the change is committed."""
    from campaigns.weights import DEFAULT_EVENT_WEIGHTS

    overrides = {
        kind: float(value)
        for kind, value in weights.items()
        if value is not None and float(value) != DEFAULT_EVENT_WEIGHTS.get(kind)
    }
    if any(v < 0 for v in overrides.values()):
        raise ValidationError("Weights cannot be negative.")
    with transaction.atomic():
        workspace = type(workspace).objects.select_for_update().get(pk=workspace.pk)
        workspace.settings = {**(workspace.settings or {}), "event_weights": overrides}
        workspace.save(update_fields=["settings"])
        from campaigns.tasks import events_reweight

        workspace_id = workspace.pk
        transaction.on_commit(lambda: events_reweight.delay(workspace_id=workspace_id))
    return overrides


def events_reweight(*, workspace: Workspace) -> int:
    """Gives stored touches the workspace's current weight per kind (one UPDATE per kind that
    differs) and recomputes journeys. Returns how many touches changed."""
    from campaigns.weights import workspace_event_weights

    changed = 0
    for kind, weight in workspace_event_weights(workspace).items():
        changed += (
            EngagementEvent.objects.for_workspace(workspace)
            .filter(kind=kind)
            .exclude(weight=weight)
            .update(weight=weight)
        )
    if changed:
        journey_recompute(workspace=workspace)
    return changed


# --- journeys -----------------------------------------------------------------------------

JOURNEY_CHUNK = 1000


def _journey_chunk(
    *, workspace: Workspace, account_ids: list[int], rules: journey.Rules, tz
) -> tuple[int, int]:
    accounts = {
        pk: (fit, created, stage, changed)
        for pk, fit, created, stage, changed in Account.objects.for_workspace(workspace)
        .filter(pk__in=account_ids)
        .values_list("pk", "fit_score", "created_at", "stage", "stage_changed_at")
    }
    touches: dict[int, list[journey.Touch]] = defaultdict(list)
    for account_id, at, kind, weight, contact_id in (
        EngagementEvent.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .values_list("account_id", "occurred_at", "kind", "weight", "contact_id")
        .order_by("occurred_at", "pk")
    ):
        touches[account_id].append(journey.Touch(at, kind, weight, contact_id))
    deals: dict[int, list[journey.Deal]] = defaultdict(list)
    for account_id, name, created, closed, is_closed, is_won, stage in (
        Opportunity.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .values_list(
            "account_id", "name", "created_date", "close_date", "is_closed", "is_won", "stage"
        )
        .order_by("pk")
    ):
        deals[account_id].append(
            journey.Deal(name, created, closed, is_closed or is_won, is_won, stage)
        )
    stored: dict[int, list[tuple]] = defaultdict(list)
    for account_id, from_stage, to_stage, at, reason in (
        StageTransition.objects.for_workspace(workspace)
        .filter(account_id__in=account_ids)
        .values_list("account_id", "from_stage", "to_stage", "at", "reason")
        .order_by("at", "pk")
    ):
        stored[account_id].append((from_stage, to_stage, at, reason))

    replace: list[int] = []
    new_rows: list[StageTransition] = []
    stage_updates: list[Account] = []
    for pk, (fit, created, stage, changed) in accounts.items():
        moves = journey.replay(
            touches=touches.get(pk, ()),
            deals=deals.get(pk, ()),
            fit_score=fit,
            added_at=created,
            rules=rules,
            tz=tz,
        )
        wanted = [(m.from_stage, m.to_stage, m.at, m.reason[:255]) for m in moves]
        if wanted != stored.get(pk, []):
            replace.append(pk)
            new_rows += [
                StageTransition(
                    workspace_id=workspace.pk,
                    account_id=pk,
                    from_stage=f,
                    to_stage=t,
                    at=at,
                    reason=reason,
                )
                for f, t, at, reason in wanted
            ]
        final_stage, final_at = (moves[-1].to_stage, moves[-1].at) if moves else ("target", None)
        if (final_stage, final_at) != (stage, changed):
            stage_updates.append(Account(pk=pk, stage=final_stage, stage_changed_at=final_at))
    with transaction.atomic():
        if replace:
            StageTransition.objects.for_workspace(workspace).filter(account_id__in=replace).delete()
            StageTransition.objects.bulk_create(new_rows, batch_size=2000)
        if stage_updates:
            Account.objects.bulk_update(
                stage_updates, ["stage", "stage_changed_at"], batch_size=1000
            )
    return len(replace), len(new_rows)


def journey_rules(*, workspace: Workspace) -> journey.Rules:
    """The workspace's journey rules; the MQA thresholds come from its scoring settings (edited
    on the scoring page), so scoring and journeys apply one MQA rule."""
    from scoring.services import mqa_rules, scoring_settings_get

    values = dict((workspace.settings or {}).get("journey_rules") or {})
    values.update(mqa_rules(scoring_settings_get(workspace=workspace)))
    return journey.Rules.from_settings(values)


def journey_recompute(
    *, workspace: Workspace, account_ids: Iterable[int] | None = None, record: bool = True
) -> dict:
    """Replays the journey rules (campaigns/journey.py) for the workspace's accounts — all of
    them, or `account_ids` — and stores the moves. Idempotent: an account whose history gives
    the same moves is left untouched. Returns ``{"accounts", "changed", "transitions"}``."""
    rules = journey_rules(workspace=workspace)
    tz = timezone.get_current_timezone()
    run = JourneyRun.objects.create(workspace=workspace) if record else None
    base = Account.objects.for_workspace(workspace)
    if account_ids is not None:
        base = base.filter(pk__in=list(account_ids))
    ids = list(base.order_by("pk").values_list("pk", flat=True))
    changed = transitions = 0
    for i in range(0, len(ids), JOURNEY_CHUNK):
        c, t = _journey_chunk(
            workspace=workspace, account_ids=ids[i : i + JOURNEY_CHUNK], rules=rules, tz=tz
        )
        changed += c
        transitions += t
    outcome = {"accounts": len(ids), "changed": changed, "transitions": transitions}
    if run is not None:
        run.finished_at = timezone.now()
        run.accounts, run.changed = len(ids), changed
        run.save(update_fields=["finished_at", "accounts", "changed"])
    return outcome


def campaign_targets_from_engagement(*, campaign: Campaign) -> int:
    """Back-fills a target list from the accounts the campaign's touches reached, for campaigns
    that ran before their list lived here (and for the demo, whose export has no lists)."""
    touched = (
        EngagementEvent.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, account__isnull=False)
        .values_list("account_id", flat=True)
        .distinct()
    )
    return _add_targets(
        campaign=campaign, account_ids=touched, source=CampaignAccount.Source.MANUAL
    )
