"""Writes for SDR touches and the lead flow: log an activity (which also counts as engagement
and stops SLA clocks), next-step tasks, MQL → SAL → SQL moves and lead conversion."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from abm.models import Workspace
from accounts.models import Account, Activity, Contact, LeadStatusChange, MatchStatus
from accounts.queue.leadflow import check_move
from accounts.queue.optional import optional_function, optional_model
from accounts.queue.services import TOUCH_KINDS, QueueError, sla_clocks_stop

OUTCOMES: dict[str, list[tuple[str, str]]] = {
    "call": [
        ("connected", "Connected"),
        ("left_voicemail", "Left voicemail"),
        ("no_answer", "No answer"),
        ("wrong_number", "Wrong number"),
        ("meeting_booked", "Meeting booked"),
    ],
    "email": [
        ("sent", "Sent"),
        ("replied", "Replied"),
        ("bounced", "Bounced"),
        ("meeting_booked", "Meeting booked"),
    ],
    "meeting": [
        ("held", "Held"),
        ("no_show", "No-show"),
        ("rescheduled", "Rescheduled"),
        ("opportunity_created", "Opportunity created"),
    ],
    "linkedin": [
        ("connection_request", "Connection request"),
        ("message_sent", "Message sent"),
        ("replied", "Replied"),
        ("connected", "Connected"),
    ],
    "note": [("", "—")],
}
OUTCOME_LABELS = {key: label for pairs in OUTCOMES.values() for key, label in pairs if key}

# Engagement weight of a touch by kind; a two-way outcome counts double (they answered).
TOUCH_WEIGHTS = {"call": 2.0, "email": 1.0, "meeting": 5.0, "linkedin": 1.0}
TWO_WAY_OUTCOMES = {"connected", "replied", "held", "meeting_booked", "opportunity_created"}


@transaction.atomic
def activity_log(
    *,
    workspace: Workspace,
    account: Account,
    user,
    kind: str,
    outcome: str = "",
    note: str = "",
    contact_id: int | None = None,
    at: dt.datetime | None = None,
    next_step: str = "",
    next_step_due: dt.datetime | None = None,
) -> Activity:
    """Record a call, email, meeting, LinkedIn touch or note. A touch (not a note) counts as
    engagement — an EngagementEvent on the SDR-outreach channel with external_id
    `activity-<id>` — and answers the account's open SLA clocks."""
    if kind not in OUTCOMES:
        raise QueueError("Pick call, email, meeting, LinkedIn touch or note.")
    if outcome and outcome not in {key for key, _ in OUTCOMES[kind]}:
        raise QueueError("That outcome does not fit this kind of activity.")
    if kind == "note" and not note.strip():
        raise QueueError("A note needs some text.")
    contact = None
    if contact_id:
        contact = (
            Contact.objects.for_workspace(workspace).filter(pk=contact_id, account=account).first()
        )
        if contact is None:
            raise QueueError("That person is not at this account.")
    at = at or timezone.now()
    activity = Activity.objects.create(
        workspace=workspace,
        account=account,
        contact=contact,
        user=user,
        kind=kind,
        outcome=outcome,
        note=note.strip(),
        at=at,
    )
    if kind in TOUCH_KINDS:
        _engagement_record(workspace=workspace, activity=activity)
        sla_clocks_stop(workspace=workspace, account_id=account.pk, user=user, at=at)
        # The touch moves engagement (and maybe priority, tier, MQA) right away, not tonight.
        refresh = optional_function("scoring.tasks.account_engagement_refresh")
        if refresh is not None:
            ids = {"workspace_id": workspace.pk, "account_id": account.pk}
            transaction.on_commit(lambda: refresh.delay(**ids))
    if next_step.strip():
        next_step_create(
            workspace=workspace, account=account, user=user, text=next_step, due_at=next_step_due
        )
    return activity


def _engagement_record(*, workspace: Workspace, activity: Activity) -> None:
    event_model = optional_model("campaigns", "EngagementEvent")
    if event_model is None:
        return
    weight = TOUCH_WEIGHTS[activity.kind] * (2 if activity.outcome in TWO_WAY_OUTCOMES else 1)
    # Keyed on (workspace, external_id): logging is idempotent even if the request is retried.
    event_model.objects.get_or_create(
        workspace=workspace,
        external_id=f"activity-{activity.pk}",
        defaults={
            "account": activity.account,
            "contact": activity.contact,
            "kind": f"sdr_{activity.kind}",
            "channel": "sdr_outreach",
            "weight": weight,
            "occurred_at": activity.at,
            "meta": {
                "activity_id": activity.pk,
                "outcome": activity.outcome,
                "user_id": activity.user_id,
            },
        },
    )


def next_step_create(
    *, workspace: Workspace, account: Account, user, text: str, due_at: dt.datetime | None
) -> Activity:
    if not text.strip():
        raise QueueError("Describe the next step.")
    return Activity.objects.create(
        workspace=workspace,
        account=account,
        user=user,
        kind=Activity.Kind.TASK,
        note=text.strip()[:2000],
        at=timezone.now(),
        due_at=due_at,
    )


def next_step_complete(*, workspace: Workspace, task_id: int, account_id: int) -> bool:
    return bool(
        Activity.objects.for_workspace(workspace)
        .filter(pk=task_id, account_id=account_id, kind=Activity.Kind.TASK, done_at__isnull=True)
        .update(done_at=timezone.now())
    )


@transaction.atomic
def lead_status_move(
    *, workspace: Workspace, contact_id: int, to_status: str, reason: str = "", user
) -> Contact:
    """MQL → SAL (accept) → SQL (qualify), or out (reject) with a reason; history is kept."""
    contact = Contact.objects.for_workspace(workspace).select_for_update().get(pk=contact_id)
    check_move(from_status=contact.lead_status, to_status=to_status, reason=reason)
    now = timezone.now()
    LeadStatusChange.objects.create(
        workspace=workspace,
        contact=contact,
        from_status=contact.lead_status,
        to_status=to_status,
        reason=reason.strip()[:255],
        user=user,
        at=now,
    )
    contact.lead_status = to_status
    contact.lead_status_changed_at = now
    if to_status in ("sal", "sql") and contact.owner_id is None:
        contact.owner = user
    contact.save(update_fields=["lead_status", "lead_status_changed_at", "owner", "updated_at"])
    return contact


def _matched_account(*, workspace: Workspace, contact: Contact) -> Account | None:
    if contact.account_id:
        return contact.account
    candidate_model = optional_model("matching", "MatchCandidate")
    if candidate_model is None:
        return None
    best = (
        candidate_model.objects.for_workspace(workspace)
        .filter(contact=contact, decision__in=("auto", "accepted"))
        .select_related("account")
        .order_by("-score")
        .first()
    )
    return best.account if best else None


@transaction.atomic
def lead_convert(*, workspace: Workspace, contact_id: int, user) -> Contact:
    """Turn a lead into a contact of the account it was matched to."""
    contact = Contact.objects.for_workspace(workspace).select_for_update().get(pk=contact_id)
    if not contact.is_lead:
        raise QueueError("This person is already a contact.")
    account = _matched_account(workspace=workspace, contact=contact)
    if account is None:
        raise QueueError("Match the lead to an account before converting it.")
    contact.is_lead = False
    contact.account = account
    if contact.match_status not in (MatchStatus.AUTO, MatchStatus.ACCEPTED):
        contact.match_status = MatchStatus.MANUAL
    contact.matched_at = contact.matched_at or timezone.now()
    contact.owner = account.owner or user
    contact.save(
        update_fields=["is_lead", "account", "match_status", "matched_at", "owner", "updated_at"]
    )
    return contact
