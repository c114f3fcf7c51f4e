"""Loaders through the ORM, one chunk at a time: the path on SQLite and for the smaller objects.

Each loader looks the chunk's keys up in a few `IN` queries, decides per row whether it creates,
updates or leaves a record unchanged, then writes with `bulk_create`/`bulk_update`. Identity is
(source, CRM id) first, then the natural key (domain for accounts, email for people). A later
row of the same chunk with the same key sees the earlier one, so duplicates never double up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from accounts.importing.loaders.base import ChunkOutcome, LoadContext, apply_values
from accounts.importing.readers import Row
from accounts.models import Account, AccountDomain, Contact, ImportRowChange, Opportunity

Items = list[tuple[Row, dict[str, Any]]]
BATCH = 2000


def _created(ctx: LoadContext, model: str, ids: Iterable[int]) -> list[ImportRowChange]:
    return [ImportRowChange(job_id=ctx.job.pk, model=model, object_id=i, action="c") for i in ids]


def _updated(
    ctx: LoadContext, model: str, object_id: int, before: dict[str, Any]
) -> ImportRowChange:
    return ImportRowChange(
        job_id=ctx.job.pk, model=model, object_id=object_id, action="u", before=before
    )


def _write(
    model: type[models.Model],
    new: list[models.Model],
    dirty: dict[int, models.Model],
    fields: set[str],
) -> None:
    if new:
        model.objects.bulk_create(new, batch_size=BATCH)
    if dirty:
        now = timezone.now()
        if any(f.name == "updated_at" for f in model._meta.fields):
            for obj in dirty.values():
                obj.updated_at = now
            fields = fields | {"updated_at"}
        model.objects.bulk_update(list(dirty.values()), sorted(fields), batch_size=BATCH)


def accounts_by_crm_id(ctx: LoadContext, crm_ids: set[str]) -> dict[str, int]:
    """CRM account id → account id, preferring the job's own source when ids collide."""
    found: dict[str, int] = {}
    if not crm_ids:
        return found
    rows = Account.objects.for_workspace(ctx.workspace_id).filter(crm_id__in=crm_ids)
    for pk, crm_id, source in rows.values_list("pk", "crm_id", "crm_source").order_by("pk"):
        if crm_id not in found or source == ctx.source:
            found[crm_id] = pk
    return found


def accounts_by_domain(ctx: LoadContext, domains: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    if not domains:
        return found
    qs = Account.objects.for_workspace(ctx.workspace_id).filter(domain__in=domains).order_by("pk")
    for pk, domain in qs.values_list("pk", "domain"):
        found.setdefault(domain, pk)
    extra = AccountDomain.objects.for_workspace(ctx.workspace_id).filter(
        domain__in=domains - found.keys()
    )
    for account_id, domain in extra.values_list("account_id", "domain").order_by("pk"):
        found.setdefault(domain, account_id)
    return found


# -- accounts ------------------------------------------------------------------------------
def load_accounts(ctx: LoadContext, items: Items) -> ChunkOutcome:
    out = ChunkOutcome()
    qs = Account.objects.for_workspace(ctx.workspace_id)
    crm_ids = {r["crm_id"] for _, r in items if "crm_id" in r}
    domains = {r["domain"] for _, r in items if "domain" in r}
    names = {r["normalized_name"] for _, r in items if "crm_id" not in r and "domain" not in r}
    by_crm = (
        {a.crm_id: a for a in qs.filter(crm_source=ctx.source, crm_id__in=crm_ids)}
        if crm_ids
        else {}
    )
    by_domain: dict[str, Account] = {}
    for account in qs.filter(domain__in=domains).order_by("pk") if domains else ():
        by_domain.setdefault(account.domain, account)
    by_name: dict[str, Account] = {}
    for account in qs.filter(normalized_name__in=names).order_by("pk") if names else ():
        by_name.setdefault(account.normalized_name, account)

    new: list[Account] = []
    dirty: dict[int, Account] = {}
    fields: set[str] = set()
    parents: list[tuple[Account, str]] = []
    for _row, record in items:
        values = dict(record)
        parent_crm = values.pop("crm_parent_id", None)
        crm_id, domain = values.get("crm_id"), values.get("domain")
        target = (crm_id and by_crm.get(crm_id)) or (domain and by_domain.get(domain))
        if target is None and not crm_id and not domain:
            target = by_name.get(values["normalized_name"])
        if target is not None and target.crm_id and crm_id and target.crm_id != crm_id:
            values.pop("crm_id")  # found by domain but known under another CRM id: keep that id
        if target is None:
            target = Account(
                workspace_id=ctx.workspace_id, crm_source=ctx.source if crm_id else "", **values
            )
            new.append(target)
            out.created += 1
        elif target.pk is None:  # created earlier in this chunk
            if apply_values(target, values):
                out.updated += 1
            else:
                out.unchanged += 1
        else:
            if crm_id and not target.crm_id:
                values["crm_source"] = ctx.source
            before = apply_values(target, values)
            if before:
                out.changes.append(_updated(ctx, "account", target.pk, before))
                dirty[target.pk] = target
                fields |= before.keys()
                out.updated += 1
            else:
                out.unchanged += 1
        if crm_id:
            by_crm[crm_id] = target
        if domain:
            by_domain.setdefault(domain, target)
        if not crm_id and not domain:
            by_name.setdefault(values["normalized_name"], target)
        if parent_crm:
            parents.append((target, parent_crm))
    _write(Account, new, dirty, fields)
    out.changes += _created(ctx, "account", (a.pk for a in new))
    out.account_ids |= {a.pk for a in new} | set(dirty)
    _link_parents(ctx, out, parents, {a.pk for a in new})
    _link_contacts_to_new_accounts(
        ctx, out, {a.crm_id: a.pk for a in [*new, *dirty.values()] if a.crm_id}
    )
    return out


def _link_parents(
    ctx: LoadContext, out: ChunkOutcome, parents: list[tuple[Account, str]], created: set[int]
) -> None:
    if not parents:
        return
    known = accounts_by_crm_id(ctx, {p for _, p in parents})
    dirty: list[Account] = []
    for account, parent_crm in parents:
        parent_id = known.get(parent_crm)
        if parent_id is None:
            out.pending_parents[account.crm_id or str(account.pk)] = parent_crm
            continue
        if parent_id != account.pk and account.parent_id != parent_id:
            if account.pk not in created:
                out.changes.append(
                    _updated(ctx, "account", account.pk, {"parent_id": account.parent_id})
                )
            account.parent_id = parent_id
            dirty.append(account)
    if dirty:
        Account.objects.bulk_update(dirty, ["parent_id"], batch_size=BATCH)


def resolve_pending_parents(ctx: LoadContext, pending: dict[str, str]) -> dict[str, str]:
    """Link parents that appeared later in the file; what is still unknown is returned."""
    if not pending:
        return {}
    qs = Account.objects.for_workspace(ctx.workspace_id)
    children = {a.crm_id: a for a in qs.filter(crm_source=ctx.source, crm_id__in=pending.keys())}
    known = accounts_by_crm_id(ctx, set(pending.values()))
    still: dict[str, str] = {}
    dirty = []
    for child_crm, parent_crm in pending.items():
        child, parent_id = children.get(child_crm), known.get(parent_crm)
        if child is None or parent_id is None:
            still[child_crm] = parent_crm
            continue
        if child.parent_id != parent_id and child.pk != parent_id:
            ImportRowChange.objects.create(
                job_id=ctx.job.pk,
                model="account",
                object_id=child.pk,
                action="u",
                before={"parent_id": child.parent_id},
            )
            child.parent_id = parent_id
            dirty.append(child)
    Account.objects.bulk_update(dirty, ["parent_id"], batch_size=BATCH)
    return still


def _link_contacts_to_new_accounts(
    ctx: LoadContext, out: ChunkOutcome, crm_to_pk: dict[str, int]
) -> None:
    """People imported before their accounts: link those whose CRM account id now resolves."""
    if not crm_to_pk:
        return
    waiting = Contact.objects.for_workspace(ctx.workspace_id).filter(
        account__isnull=True, crm_account_id__in=crm_to_pk.keys()
    )
    dirty = []
    for contact in waiting.only("pk", "crm_account_id", "account_id", "match_status"):
        out.changes.append(
            _updated(
                ctx,
                "contact",
                contact.pk,
                {"account_id": None, "match_status": contact.match_status},
            )
        )
        contact.account_id = crm_to_pk[contact.crm_account_id]
        contact.match_status = "accepted"
        dirty.append(contact)
        out.contact_ids.add(contact.pk)
    Contact.objects.bulk_update(dirty, ["account_id", "match_status"], batch_size=BATCH)


# -- contacts and leads --------------------------------------------------------------------
def load_contacts(ctx: LoadContext, items: Items) -> ChunkOutcome:
    out = ChunkOutcome()
    qs = Contact.objects.for_workspace(ctx.workspace_id)
    crm_ids = {r["crm_id"] for _, r in items if "crm_id" in r}
    emails = {r["email"] for _, r in items if "email" in r}
    by_crm = (
        {c.crm_id: c for c in qs.filter(crm_source=ctx.source, crm_id__in=crm_ids)}
        if crm_ids
        else {}
    )
    by_email = {c.email: c for c in qs.filter(email__in=emails)} if emails else {}
    account_ids = accounts_by_crm_id(
        ctx, {r["crm_account_id"] for _, r in items if "crm_account_id" in r}
    )
    is_lead = ctx.obj == "leads"

    new: list[Contact] = []
    dirty: dict[int, Contact] = {}
    fields: set[str] = set()
    for row, record in items:
        values = dict(record)
        crm_id, email = values.get("crm_id"), values.get("email")
        target = (crm_id and by_crm.get(crm_id)) or (email and by_email.get(email))
        if target is not None and email and by_email.get(email) not in (None, target):
            owner = by_email[email]
            out.reject(
                row,
                f"the email {email} already belongs to another person ({owner.full_name or owner.crm_id})",
            )
            continue
        if target is not None and target.crm_id and crm_id and target.crm_id != crm_id:
            values.pop("crm_id")  # same email, known under another CRM id: keep that id
        account_id = account_ids.get(values.get("crm_account_id", ""))
        if account_id and (target is None or target.account_id != account_id):
            values.update(account_id=account_id, match_status="accepted", match_confidence=1.0)
        if target is None:
            target = Contact(
                workspace_id=ctx.workspace_id,
                is_lead=is_lead,
                crm_source=ctx.source if crm_id else "",
                **values,
            )
            new.append(target)
            out.created += 1
        elif target.pk is None:
            if apply_values(target, values):
                out.updated += 1
            else:
                out.unchanged += 1
        else:
            if crm_id and not target.crm_id:
                values["crm_source"] = ctx.source
            before = apply_values(target, values)
            if before:
                out.changes.append(_updated(ctx, "contact", target.pk, before))
                dirty[target.pk] = target
                fields |= before.keys()
                out.updated += 1
            else:
                out.unchanged += 1
        if crm_id:
            by_crm[crm_id] = target
        if email:
            by_email[email] = target
    _write(Contact, new, dirty, fields)
    out.changes += _created(ctx, "contact", (c.pk for c in new))
    out.contact_ids |= {c.pk for c in new} | set(dirty)
    return out


# -- opportunities -------------------------------------------------------------------------
def campaign_ids(ctx: LoadContext, out: ChunkOutcome, names: set[str]) -> dict[str, int]:
    """Campaigns by name, created in the workspace when missing (and logged for undo)."""
    from campaigns.models import Campaign

    wanted = names - ctx.campaigns.keys()
    if wanted:
        qs = Campaign.objects.for_workspace(ctx.workspace_id).filter(name__in=wanted)
        ctx.campaigns.update(dict(qs.values_list("name", "pk")))
        missing = wanted - ctx.campaigns.keys()
        if missing:
            made = Campaign.objects.bulk_create(
                [
                    Campaign(workspace_id=ctx.workspace_id, name=n, status="active")
                    for n in sorted(missing)
                ]
            )
            if any(c.pk is None for c in made):  # backends that do not return ids
                made = list(
                    Campaign.objects.for_workspace(ctx.workspace_id).filter(name__in=missing)
                )
            ctx.campaigns.update({c.name: c.pk for c in made})
            out.changes += _created(ctx, "campaign", (c.pk for c in made))
    return {n: ctx.campaigns[n] for n in names if n in ctx.campaigns}


def _account_resolver(ctx: LoadContext, items: Items):
    by_crm = accounts_by_crm_id(
        ctx, {r["crm_account_id"] for _, r in items if "crm_account_id" in r}
    )
    by_domain = accounts_by_domain(
        ctx, {r["account_domain"] for _, r in items if "account_domain" in r}
    )
    names = {normalized(r["account_name"]) for _, r in items if "account_name" in r}
    by_name: dict[str, int] = {}
    if names:
        qs = (
            Account.objects.for_workspace(ctx.workspace_id)
            .filter(normalized_name__in=names)
            .order_by("pk")
        )
        for pk, name in qs.values_list("pk", "normalized_name"):
            by_name.setdefault(name, pk)

    def resolve(record: dict[str, Any]) -> tuple[int | None, str]:
        if "crm_account_id" in record and record["crm_account_id"] in by_crm:
            return by_crm[record["crm_account_id"]], ""
        if "account_domain" in record and record["account_domain"] in by_domain:
            return by_domain[record["account_domain"]], ""
        if "account_name" in record and normalized(record["account_name"]) in by_name:
            return by_name[normalized(record["account_name"])], ""
        given = [
            f"{label} {record[k]}"
            for k, label in (
                ("crm_account_id", "AccountId"),
                ("account_domain", "domain"),
                ("account_name", "account name"),
            )
            if k in record
        ]
        if not given:
            return (
                None,
                "the opportunity names no account (AccountId, account domain or account name)",
            )
        return (
            None,
            f"{' / '.join(given)} matches no account in this workspace (import the accounts first)",
        )

    return resolve


def normalized(name: str) -> str:
    from accounts.importing.validation import normalized_company_name

    return normalized_company_name(name)


def load_opportunities(ctx: LoadContext, items: Items) -> ChunkOutcome:
    out = ChunkOutcome()
    qs = Opportunity.objects.for_workspace(ctx.workspace_id)
    resolve = _account_resolver(ctx, items)
    campaigns = campaign_ids(ctx, out, {r["campaign"] for _, r in items if "campaign" in r})
    crm_ids = {r["crm_id"] for _, r in items if "crm_id" in r}
    by_crm = (
        {o.crm_id: o for o in qs.filter(crm_source=ctx.source, crm_id__in=crm_ids)}
        if crm_ids
        else {}
    )
    resolved: list[tuple[Row, dict[str, Any], int]] = []
    for row, record in items:
        account_id, reason = resolve(record)
        if account_id is None:
            out.reject(row, reason)
        else:
            resolved.append((row, record, account_id))
    keyless = {(a, r["name"]) for _, r, a in resolved if "crm_id" not in r}
    by_name: dict[tuple[int, str], Opportunity] = {}
    if keyless:
        for opp in qs.filter(
            account_id__in={a for a, _ in keyless}, name__in={n for _, n in keyless}
        ).order_by("pk"):
            by_name.setdefault((opp.account_id, opp.name), opp)

    new: list[Opportunity] = []
    dirty: dict[int, Opportunity] = {}
    fields: set[str] = set()
    for _row, record, account_id in resolved:
        values = {
            k: v
            for k, v in record.items()
            if k not in ("crm_account_id", "account_domain", "account_name")
        }
        campaign = values.pop("campaign", None)
        values["account_id"] = account_id
        if campaign:
            values["campaign_id"] = campaigns[campaign]
        crm_id = values.get("crm_id")
        target = by_crm.get(crm_id) if crm_id else by_name.get((account_id, values["name"]))
        if target is None:
            target = Opportunity(
                workspace_id=ctx.workspace_id, crm_source=ctx.source if crm_id else "", **values
            )
            new.append(target)
            out.created += 1
        elif target.pk is None:
            if apply_values(target, values):
                out.updated += 1
            else:
                out.unchanged += 1
        else:
            before = apply_values(target, values)
            if before:
                out.changes.append(_updated(ctx, "opportunity", target.pk, before))
                dirty[target.pk] = target
                fields |= before.keys()
                out.updated += 1
            else:
                out.unchanged += 1
        if crm_id:
            by_crm[crm_id] = target
        else:
            by_name[(account_id, values["name"])] = target
        out.account_ids.add(account_id)
    _write(Opportunity, new, dirty, fields)
    out.changes += _created(ctx, "opportunity", (o.pk for o in new))
    return out


# -- engagement events ---------------------------------------------------------------------
def load_events(ctx: LoadContext, items: Items) -> ChunkOutcome:
    from campaigns.models import EngagementEvent

    out = ChunkOutcome()
    ids = {r["external_id"] for _, r in items}
    seen = set(
        EngagementEvent.objects.for_workspace(ctx.workspace_id)
        .filter(external_id__in=ids)
        .values_list("external_id", flat=True)
    )
    emails = {r["email"] for _, r in items if "email" in r}
    people = {}
    if emails:
        qs = Contact.objects.for_workspace(ctx.workspace_id).filter(email__in=emails)
        people = {e: (pk, acc) for pk, e, acc in qs.values_list("pk", "email", "account_id")}
    domains = accounts_by_domain(
        ctx, {r["account_domain"] for _, r in items if "account_domain" in r}
    )
    campaigns = campaign_ids(ctx, out, {r["campaign"] for _, r in items if "campaign" in r})
    # A file without a weight column gets the workspace's weight per kind (campaigns/weights.py).
    from abm.models import Workspace
    from campaigns.weights import channel_for, event_weights

    overrides = (
        Workspace.objects.filter(pk=ctx.workspace_id).values_list("settings", flat=True).first()
        or {}
    ).get("event_weights")
    weights = event_weights(overrides)
    new = []
    for _row, record in items:
        if record["external_id"] in seen:
            out.unchanged += 1  # a re-sent event is never counted twice
            continue
        seen.add(record["external_id"])
        contact_id, account_id = people.get(record.get("email", ""), (None, None))
        account_id = account_id or domains.get(record.get("account_domain", ""))
        new.append(
            EngagementEvent(
                workspace_id=ctx.workspace_id,
                external_id=record["external_id"],
                occurred_at=record["occurred_at"],
                kind=record["kind"],
                channel=record.get("channel") or channel_for(record["kind"]),
                weight=record.get("weight", weights.get(record["kind"], 1.0)),
                contact_id=contact_id,
                account_id=account_id,
                campaign_id=campaigns.get(record.get("campaign", "")),
                meta=record.get("meta", {}),
            )
        )
        if account_id:
            out.account_ids.add(account_id)
        out.created += 1
    EngagementEvent.objects.bulk_create(new, batch_size=BATCH)
    out.changes += _created(ctx, "event", (e.pk for e in new))
    return out


# -- intent signals ------------------------------------------------------------------------
def intent_model() -> type[models.Model] | None:
    try:
        from scoring.models import IntentSignal
    except ImportError:
        return None
    return IntentSignal


def load_intent(ctx: LoadContext, items: Items) -> ChunkOutcome:
    out = ChunkOutcome()
    model = intent_model()
    if model is None:
        for row, _ in items:
            out.reject(
                row,
                "intent signals cannot be stored yet: this installation has no scoring.IntentSignal model",
            )
        return out
    domains = accounts_by_domain(ctx, {r["domain"] for _, r in items})
    field_names = {f.name for f in model._meta.fields}
    resolved = []
    for row, record in items:
        account_id = domains.get(record["domain"])
        if account_id is None:
            out.reject(row, f"no account in this workspace has the domain {record['domain']}")
        else:
            resolved.append((record, account_id))
    keys = {(a, r["topic"], r["observed_at"], r.get("source", "")) for r, a in resolved}
    existing = set()
    if keys:
        qs = model.objects.filter(
            workspace_id=ctx.workspace_id,
            account_id__in={k[0] for k in keys},
            topic__in={k[1] for k in keys},
        )
        existing = {
            (a, t, o, s or "")
            for a, t, o, s in qs.values_list("account_id", "topic", "observed_at", "source")
        }
    new = []
    for record, account_id in resolved:
        key = (account_id, record["topic"], record["observed_at"], record.get("source", ""))
        if key in existing:
            out.unchanged += 1
            continue
        existing.add(key)
        values = {
            k: record[k]
            for k in ("topic", "strength", "observed_at", "source")
            if k in record and k in field_names
        }
        new.append(model(workspace_id=ctx.workspace_id, account_id=account_id, **values))
        out.account_ids.add(account_id)
        out.created += 1
    model.objects.bulk_create(new, batch_size=BATCH)
    out.changes += _created(ctx, "intent", (s.pk for s in new))
    return out


LOADERS = {
    "accounts": load_accounts,
    "contacts": load_contacts,
    "leads": load_contacts,
    "opportunities": load_opportunities,
    "events": load_events,
    "intent": load_intent,
}
