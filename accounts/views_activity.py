"""Account-page context and its actions: log activities (htmx), finish next steps, move leads
through MQL → SAL → SQL and convert them into contacts."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from abm.permissions import role_required
from accounts.models import Account, Contact
from accounts.queue.activities import OUTCOMES, activity_log, lead_status_move, next_step_complete
from accounts.queue.activities import lead_convert as lead_convert_service
from accounts.queue.forms import ActivityForm, LeadMoveForm
from accounts.queue.insight import account_insight, activity_feed, open_next_steps
from accounts.queue.leadflow import LeadMoveError
from accounts.queue.selectors import assignable_users
from accounts.queue.services import QueueError

ACTIVITY_ROLES = ("sdr", "admin", "marketer")
LEAD_ROLES = ("sdr", "admin")


def account_page_context(request, *, account_id: int) -> dict:
    insight = account_insight(workspace=request.workspace, account_id=account_id)
    account = insight["account"]
    role = request.membership.role
    return insight | {
        "form": ActivityForm(contacts=insight["contacts"]),
        "outcomes": OUTCOMES,
        "can_log": role in ACTIVITY_ROLES,
        "can_move_leads": role in LEAD_ROLES,
        "can_claim": role in ("sdr", "admin") and account.owner_id is None,
        "can_release": role in ("sdr", "admin") and account.owner_id == request.user.pk,
        "owners": assignable_users(workspace=request.workspace) if role == "admin" else [],
        "now": timezone.now(),
    }


def _account(request, pk: int) -> Account:
    return get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)


def _activity_panel(request, account: Account, form: ActivityForm, status: int = 200):
    return render(
        request,
        "accounts/partials/activity_panel.html",
        {
            "account": account,
            "activities": activity_feed(workspace=request.workspace, account_id=account.pk),
            "tasks": open_next_steps(workspace=request.workspace, account_id=account.pk),
            "form": form,
            "can_log": True,
            "outcomes": OUTCOMES,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@role_required(*ACTIVITY_ROLES)
def activity_create(request, pk: int):
    account = _account(request, pk)
    contacts = Contact.objects.for_workspace(request.workspace).filter(
        account=account, is_lead=False
    )
    form = ActivityForm(request.POST, contacts=contacts)
    htmx = request.headers.get("HX-Request") == "true"
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity_log(
                workspace=request.workspace,
                account=account,
                user=request.user,
                kind=data["kind"],
                outcome=data["outcome"] or "",
                note=data["note"],
                contact_id=data["contact"],
                next_step=data["next_step"],
                next_step_due=form.due_at(),
            )
        except QueueError as exc:
            form.add_error(None, str(exc))
        else:
            if htmx:
                return _activity_panel(request, account, ActivityForm(contacts=contacts))
            messages.success(request, "Activity logged.")
            return redirect(reverse("account_detail", args=[pk]) + "#activities")
    if htmx:
        # htmx swaps 2xx answers only: the form with its errors comes back as a 200.
        return _activity_panel(request, account, form)
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("account_detail", args=[pk]) + "#activities")


@require_POST
@role_required(*ACTIVITY_ROLES)
def task_done(request, pk: int, task_id: int):
    account = _account(request, pk)
    next_step_complete(workspace=request.workspace, task_id=task_id, account_id=account.pk)
    if request.headers.get("HX-Request") == "true":
        contacts = Contact.objects.for_workspace(request.workspace).filter(
            account=account, is_lead=False
        )
        return _activity_panel(request, account, ActivityForm(contacts=contacts))
    messages.success(request, "Next step done.")
    return redirect(reverse("account_detail", args=[pk]) + "#activities")


def _lead(request, pk: int, contact_id: int) -> tuple[Account, Contact]:
    account = _account(request, pk)
    lead = get_object_or_404(
        Contact.objects.for_workspace(request.workspace), pk=contact_id, account=account
    )
    return account, lead


def _after_lead(request, pk: int):
    target = request.POST.get("next", "")
    if target == "leads":
        return redirect("queue_leads")
    return redirect(reverse("account_detail", args=[pk]) + "#leads")


@require_POST
@role_required(*LEAD_ROLES)
def lead_move(request, pk: int, contact_id: int):
    _, lead = _lead(request, pk, contact_id)
    form = LeadMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Pick a lead status.")
        return _after_lead(request, pk)
    try:
        lead = lead_status_move(
            workspace=request.workspace,
            contact_id=lead.pk,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
    except LeadMoveError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{lead} is now {lead.get_lead_status_display()}.")
    return _after_lead(request, pk)


@require_POST
@role_required(*LEAD_ROLES)
def lead_convert(request, pk: int, contact_id: int):
    _, lead = _lead(request, pk, contact_id)
    try:
        contact = lead_convert_service(
            workspace=request.workspace, contact_id=lead.pk, user=request.user
        )
    except QueueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{contact} is now a contact of {contact.account}.")
    return _after_lead(request, pk)
