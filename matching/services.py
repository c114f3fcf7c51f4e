"""Writes of lead-to-account matching: runs of the engine over a workspace, review decisions.

The engine (`matching.engine`) is pure; this module feeds it the workspace's accounts and leads
and writes back `MatchCandidate` rows and each contact's account / match status. A person's
decision (accepted, rejected, linked by hand) is never undone by a later run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, AccountDomain, Contact, MatchStatus
from matching.engine import MatchParams, match
from matching.engine.prepare import Accounts, prepare_accounts
from matching.models import MatchCandidate, MatchRun
from matching.normalize import is_free_email_domain, normalize_company_name, registrable_domain

CHUNK_SIZE = 20_000
CANDIDATES_PER_LEAD = 3
# Contacts whose link a person made (or confirmed) are left alone by every run.
HUMAN_STATUSES = (MatchStatus.ACCEPTED, MatchStatus.MANUAL, MatchStatus.REJECTED)
MACHINE_DECISIONS = (MatchCandidate.Decision.AUTO, MatchCandidate.Decision.REVIEW)


def match_params_for(*, workspace: Workspace) -> MatchParams:
    """Thresholds from Workspace.settings (`match_auto_threshold`, `match_review_threshold`)."""
    auto = float(workspace.setting("match_auto_threshold") or MatchParams.auto_threshold)
    review = float(workspace.setting("match_review_threshold") or MatchParams.review_threshold)
    review = min(review, auto)
    return MatchParams(auto_threshold=auto, review_threshold=review)


def _accounts_frame(*, workspace: Workspace) -> pd.DataFrame:
    rows = list(
        Account.objects.for_workspace(workspace).values_list(
            "id", "name", "domain", "website", "country", "phone", "city", "parent_id"
        )
    )
    current: dict[int, list[str]] = {}
    former: dict[int, list[str]] = {}
    for account_id, domain, is_former in AccountDomain.objects.for_workspace(workspace).values_list(
        "account_id", "domain", "is_former"
    ):
        (former if is_former else current).setdefault(account_id, []).append(domain)
    return pd.DataFrame(
        {
            "id": [str(r[0]) for r in rows],
            "name": [r[1] for r in rows],
            "domains": [";".join([r[2], *current.get(r[0], [])]) for r in rows],
            "former_domains": [";".join(former.get(r[0], [])) for r in rows],
            "website": [r[3] for r in rows],
            "country": [r[4] for r in rows],
            "phone": [r[5] for r in rows],
            "city": [r[6] for r in rows],
            "parent_id": [str(r[7]) if r[7] else "" for r in rows],
        }
    )


_PREPARED: dict[int, tuple[tuple, Accounts]] = {}


def _prepared_accounts(*, workspace: Workspace) -> Accounts:
    """The workspace's accounts, normalised once per worker process until they change.

    An import queues one matching task per 10,000 leads; without this each task would
    normalise every account of the workspace again.
    """
    accounts = Account.objects.for_workspace(workspace)
    domains = AccountDomain.objects.for_workspace(workspace)
    version = (
        accounts.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id")),
        domains.aggregate(n=Count("id"), top=Max("id")),
    )
    key = tuple(sorted(version[0].items())) + tuple(sorted(version[1].items()))
    cached = _PREPARED.get(workspace.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    prepared = prepare_accounts(_accounts_frame(workspace=workspace))
    if len(_PREPARED) >= 4:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[workspace.pk] = (key, prepared)
    return prepared


def _eligible_contacts(*, workspace: Workspace, contact_ids: Sequence[int] | None):
    """Contacts a run may decide for: not decided by a person, not linked by the CRM."""
    qs = Contact.objects.for_workspace(workspace).exclude(match_status__in=HUMAN_STATUSES)
    # An account set by an import (status still "unmatched") came from the CRM: keep it.
    qs = qs.exclude(account__isnull=False, match_status=MatchStatus.UNMATCHED)
    if contact_ids is not None:
        qs = qs.filter(pk__in=list(contact_ids))
    return qs


def _leads_frame(contacts: Iterable[tuple]) -> pd.DataFrame:
    rows = list(contacts)
    return pd.DataFrame(
        rows, columns=["id", "email", "company", "website", "country", "phone", "city"]
    ).astype({"id": str})


def _match_chunk(
    *,
    workspace: Workspace,
    run: MatchRun,
    accounts: Accounts,
    contact_ids: list[int],
    params: MatchParams,
) -> dict[str, int]:
    contacts = _eligible_contacts(workspace=workspace, contact_ids=contact_ids).values_list(
        "id", "email", "company_name", "website", "country", "phone", "city"
    )
    leads = _leads_frame(contacts)
    if leads.empty:
        return {"auto": 0, "review": 0, "none": 0}
    rejected = {
        (str(c), str(a))
        for c, a in MatchCandidate.objects.for_workspace(workspace)
        .filter(contact_id__in=leads["id"].astype(int).tolist(), decision="rejected")
        .values_list("contact_id", "account_id")
    }
    result = match(
        accounts, leads, params=params, with_candidates=True, exclude_pairs=rejected or None
    )
    _write_result(workspace=workspace, run=run, result=result)
    counts = result.decisions["decision"].value_counts().to_dict()
    return {k: int(counts.get(k, 0)) for k in ("auto", "review", "none")}


@transaction.atomic
def _write_result(*, workspace: Workspace, run: MatchRun, result) -> None:
    now = timezone.now()
    decisions = result.decisions
    lead_ids = [int(x) for x in decisions["lead_id"]]
    # Machine suggestions of the previous run for these leads are replaced, never human ones.
    MatchCandidate.objects.for_workspace(workspace).filter(
        contact_id__in=lead_ids, decision__in=MACHINE_DECISIONS
    ).delete()

    contacts = {
        c.pk: c
        for c in Contact.objects.for_workspace(workspace)
        .filter(pk__in=lead_ids)
        .only("id", "account_id", "match_status", "match_confidence", "matched_at")
    }
    status_of = {"auto": MatchStatus.AUTO, "review": MatchStatus.REVIEW, "none": MatchStatus.NONE}
    changed = []
    for lead_id, account_id, confidence, decision in zip(
        lead_ids, decisions["account_id"], decisions["confidence"], decisions["decision"],
        strict=True,
    ):  # fmt: skip
        contact = contacts.get(lead_id)
        if contact is None:
            continue
        contact.match_status = status_of[decision]
        contact.match_confidence = float(confidence)
        contact.matched_at = now
        contact.account_id = int(account_id) if decision == "auto" else None
        changed.append(contact)
    Contact.objects.bulk_update(
        changed, ["account", "match_status", "match_confidence", "matched_at"], batch_size=2000
    )

    decision_of = dict(zip(lead_ids, decisions["decision"], strict=True))
    rows = []
    cands = result.candidates
    if cands is not None and len(cands):
        for lead_id, account_id, confidence, rank, signals, reason in cands[
            ["lead_id", "account_id", "confidence", "rank", "signals", "reason"]
        ].itertuples(index=False):
            lead_decision = decision_of.get(int(lead_id))
            if lead_decision == "none" or (lead_decision == "auto" and rank > 0):
                continue
            rows.append(
                MatchCandidate(
                    workspace=workspace,
                    contact_id=int(lead_id),
                    account_id=int(account_id),
                    run=run,
                    score=float(confidence),
                    signals=signals,
                    reason=reason[:500],
                    decision=lead_decision,
                )
            )
    MatchCandidate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def match_run_start(
    *, workspace: Workspace, started_by=None, contact_ids: Sequence[int] | None = None
) -> MatchRun:
    eligible = _eligible_contacts(workspace=workspace, contact_ids=contact_ids)
    ids = list(eligible.order_by("pk").values_list("pk", flat=True))
    params = match_params_for(workspace=workspace)
    return MatchRun.objects.create(
        workspace=workspace,
        status=MatchRun.Status.QUEUED,
        started_by=started_by,
        params={
            "auto_threshold": params.auto_threshold,
            "review_threshold": params.review_threshold,
            "scope": "selected" if contact_ids is not None else "workspace",
        },
        progress={"total": len(ids), "done": 0, "chunks": 0},
        counts={"auto": 0, "review": 0, "none": 0},
    )


def match_run_chunks(*, run: MatchRun, contact_ids: Sequence[int] | None = None) -> list[list[int]]:
    """The run's leads in chunks of CHUNK_SIZE, each small enough for one worker."""
    eligible = _eligible_contacts(workspace=run.workspace, contact_ids=contact_ids)
    ids = list(eligible.order_by("pk").values_list("pk", flat=True))
    return [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]


def match_run_process_chunk(*, run: MatchRun, contact_ids: list[int]) -> MatchRun:
    """Match one chunk and add its counts to the run; the last chunk finishes the run."""
    workspace = run.workspace
    MatchRun.objects.filter(pk=run.pk, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now()
    )
    params = MatchParams(
        auto_threshold=run.params.get("auto_threshold", MatchParams.auto_threshold),
        review_threshold=run.params.get("review_threshold", MatchParams.review_threshold),
    )
    accounts = _prepared_accounts(workspace=workspace)
    counts = _match_chunk(
        workspace=workspace, run=run, accounts=accounts, contact_ids=contact_ids, params=params
    )
    with transaction.atomic():
        # Chunks may finish on several workers at once: add under a row lock.
        locked = MatchRun.objects.select_for_update().get(pk=run.pk)
        for k, v in counts.items():
            locked.counts[k] = locked.counts.get(k, 0) + v
        total = locked.progress.get("total", 0)
        locked.progress["done"] = min(locked.progress.get("done", 0) + len(contact_ids), total)
        locked.progress["chunks"] = locked.progress.get("chunks", 0) + 1
        if locked.progress["done"] >= total:
            _finish(locked)
        locked.save(
            update_fields=[
                "counts", "progress", "status", "started_at", "finished_at", "suggestions"
            ]
        )  # fmt: skip
    return locked


def _finish(run: MatchRun) -> None:
    run.status = MatchRun.Status.DONE
    run.finished_at = timezone.now()
    run.started_at = run.started_at or run.finished_at
    run.suggestions = suggested_accounts_compute(workspace=run.workspace)


def match_run_finish(*, run: MatchRun) -> MatchRun:
    """Close a run that had nothing (left) to match."""
    _finish(run)
    run.save(update_fields=["status", "started_at", "finished_at", "suggestions"])
    return run


def match_contacts_to_accounts(
    *, workspace: Workspace, contact_ids: Sequence[int] | None = None, started_by=None
) -> MatchRun:
    """Match the workspace's undecided leads (or the given ones) and record the run.

    Runs in this process, chunk after chunk; `matching.tasks.match_workspace` spreads the
    same chunks over workers instead.
    """
    run = match_run_start(workspace=workspace, started_by=started_by, contact_ids=contact_ids)
    chunks = match_run_chunks(run=run, contact_ids=contact_ids)
    if not chunks:
        return match_run_finish(run=run)
    for chunk in chunks:
        run = match_run_process_chunk(run=run, contact_ids=chunk)
    return run


def match_run_fail(*, run_id: int, message: str) -> None:
    MatchRun.objects.filter(pk=run_id).update(
        status=MatchRun.Status.FAILED, error_message=message[:2000], finished_at=timezone.now()
    )


def suggested_accounts_compute(*, workspace: Workspace, min_leads: int = 2) -> list[dict]:
    """Corporate domains no account holds, shared by several leads without an account."""
    held = set(Account.objects.for_workspace(workspace).values_list("domain", flat=True))
    held |= set(AccountDomain.objects.for_workspace(workspace).values_list("domain", flat=True))
    groups = (
        Contact.objects.for_workspace(workspace)
        .filter(account__isnull=True, match_status=MatchStatus.NONE)
        .exclude(email_domain="")
        .values("email_domain")
        .annotate(leads=Count("id"))
        .filter(leads__gte=min_leads)
        .order_by("-leads", "email_domain")
    )
    out = []
    for g in groups[:500]:
        domain = registrable_domain(g["email_domain"]) or g["email_domain"]
        if domain in held or is_free_email_domain(domain):
            continue
        names = (
            Contact.objects.for_workspace(workspace)
            .filter(email_domain=g["email_domain"], account__isnull=True)
            .exclude(company_name="")
            .values("company_name")
            .annotate(n=Count("id"))
            .order_by("-n")[:1]
        )
        name = names[0]["company_name"] if names else domain.split(".")[0].title()
        out.append({"domain": domain, "name": name, "leads": g["leads"]})
        if len(out) >= 100:
            break
    return out


# --- review decisions ---------------------------------------------------------------------
def _settle(*, contact: Contact, account: Account, user, confidence: float | None) -> None:
    contact.account = account
    contact.match_status = MatchStatus.ACCEPTED
    contact.match_confidence = confidence
    contact.matched_at = timezone.now()
    contact.save(update_fields=["account", "match_status", "match_confidence", "matched_at"])
    # The other machine suggestions for this lead are moot once a person has decided.
    MatchCandidate.objects.for_workspace(contact.workspace_id).filter(
        contact=contact, decision__in=MACHINE_DECISIONS
    ).exclude(account=account).delete()


@transaction.atomic
def match_candidate_accept(*, candidate: MatchCandidate, user) -> MatchCandidate:
    candidate.decision = MatchCandidate.Decision.ACCEPTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at"])
    _settle(
        contact=candidate.contact, account=candidate.account, user=user, confidence=candidate.score
    )
    return candidate


@transaction.atomic
def match_candidate_reject(*, candidate: MatchCandidate, user) -> MatchCandidate:
    """This account is not the lead's; when no suggestion is left the lead is marked rejected."""
    candidate.decision = MatchCandidate.Decision.REJECTED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["decision", "decided_by", "decided_at"])
    contact = candidate.contact
    remaining = MatchCandidate.objects.for_workspace(contact.workspace_id).filter(
        contact=contact, decision=MatchCandidate.Decision.REVIEW
    )
    if contact.account_id == candidate.account_id:
        contact.account = None
    if not remaining.exists():
        contact.match_status = MatchStatus.REJECTED
    contact.save(update_fields=["account", "match_status"])
    return candidate


@transaction.atomic
def contact_link_account(*, contact: Contact, account: Account, user) -> MatchCandidate:
    """A person picks the account (another one than suggested, or any lead)."""
    if account.workspace_id != contact.workspace_id:
        raise ValueError("account and contact belong to different workspaces")
    candidate, _ = MatchCandidate.objects.update_or_create(
        workspace_id=contact.workspace_id,
        contact=contact,
        account=account,
        defaults={
            "score": 1.0,
            "signals": {"picked_by_hand": 1},
            "reason": "picked by hand",
            "decision": MatchCandidate.Decision.ACCEPTED,
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    _settle(contact=contact, account=account, user=user, confidence=None)
    contact.match_status = MatchStatus.MANUAL
    contact.save(update_fields=["match_status"])
    return candidate


@transaction.atomic
def account_create_from_lead(*, contact: Contact, user, name: str, domain: str = "") -> Account:
    """New account from a lead of an unknown company; the lead (and its colleagues on the same
    corporate domain that have no account yet) are linked to it."""
    domain = registrable_domain(domain) if domain else ""
    if domain and is_free_email_domain(domain):
        domain = ""
    account = Account.objects.create(
        workspace_id=contact.workspace_id,
        name=name.strip()[:255],
        normalized_name=normalize_company_name(name),
        domain=domain,
        website=f"https://{domain}" if domain else "",
        country=contact.country,
        city=contact.city,
        crm_source="matching",
    )
    contact_link_account(contact=contact, account=account, user=user)
    if domain:
        colleagues = (
            Contact.objects.for_workspace(contact.workspace_id)
            .filter(email_domain__in=[domain, contact.email_domain], account__isnull=True)
            .exclude(match_status__in=HUMAN_STATUSES)
        )
        for colleague in colleagues:
            contact_link_account(contact=colleague, account=account, user=user)
    return account


@transaction.atomic
def account_create_from_suggestion(
    *, workspace: Workspace, domain: str, name: str, user
) -> tuple[Account, int]:
    """Accept a suggested new account: create it and link every undecided lead on its domain."""
    domain = registrable_domain(domain)
    if not domain or is_free_email_domain(domain):
        raise ValueError("a suggested account needs a corporate domain")
    existing = Account.objects.for_workspace(workspace).filter(domain=domain).first()
    account = existing or Account.objects.create(
        workspace=workspace,
        name=name.strip()[:255] or domain.split(".")[0].title(),
        normalized_name=normalize_company_name(name),
        domain=domain,
        website=f"https://{domain}",
        crm_source="matching",
    )
    leads = (
        Contact.objects.for_workspace(workspace)
        .filter(email_domain=domain, account__isnull=True)
        .exclude(match_status__in=HUMAN_STATUSES)
    )
    linked = 0
    for lead in leads:
        contact_link_account(contact=lead, account=account, user=user)
        linked += 1
    return account, linked


def match_candidates_bulk_accept(
    *, workspace: Workspace, candidate_ids: Sequence[int], user
) -> int:
    """Accept each given suggestion still waiting for review; returns how many were accepted."""
    done = 0
    candidates = (
        MatchCandidate.objects.for_workspace(workspace)
        .filter(pk__in=list(candidate_ids), decision=MatchCandidate.Decision.REVIEW)
        .select_related("contact", "account")
        .order_by("contact_id", F("score").desc())
    )
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.contact_id in seen:
            continue  # one account per lead, the best of those ticked
        seen.add(candidate.contact_id)
        match_candidate_accept(candidate=candidate, user=user)
        done += 1
    return done
