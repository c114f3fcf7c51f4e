"""The SDR queue section: my queue, the claim pool, leads, the team (admins), assignment rules
and the capacity planner. Views parse, call one service or selector, and render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from abm.models import Membership
from abm.permissions import SECTION_ROLES, role_required
from accounts.models import Account, AssignmentRule
from accounts.queue import selectors, services
from accounts.queue.capacity import plan_capacity
from accounts.queue.forms import AssignmentRuleForm, CapacityForm, SnoozeForm
from accounts.queue.services import QUEUE_FILTER_KEYS, QueueError

QUEUE_ROLES = SECTION_ROLES["queue"]
PAGE_SIZE = 50


def _is_admin(request) -> bool:
    return request.membership.role == "admin"


def _filters(request) -> dict[str, str]:
    return {k: request.GET[k].strip() for k in QUEUE_FILTER_KEYS if request.GET.get(k, "").strip()}


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _sdr_choice(request) -> tuple[int | None, str]:
    """Whose queue: an SDR sees their own; an admin picks one SDR or everyone ("all")."""
    if not _is_admin(request):
        return request.user.pk, "mine"
    wanted = request.GET.get("sdr", "")
    if wanted.isdigit():
        if not Membership.objects.filter(
            workspace=request.workspace, user_id=int(wanted), role__in=("sdr", "admin")
        ).exists():
            raise Http404("No such SDR in this workspace.")
        return int(wanted), "one"
    return None, "all"


@role_required(*QUEUE_ROLES)
def queue(request):
    ws = request.workspace
    owner_id, scope = _sdr_choice(request)
    filters = _filters(request)
    show_snoozed = request.GET.get("snoozed") == "1"
    # Clocks start at the match / MQA moment, so syncing here (as beat does every 10 minutes)
    # is idempotent: the queue never shows a lead without its clock.
    services.sla_clocks_sync(workspace=ws, owner_id=owner_id)
    if scope == "all":
        accounts = selectors.account_queue(
            workspace=ws,
            owner_id=None,
            filters=filters,
            user=request.user,
            include_snoozed=True,
            any_owner=True,
        )
    else:
        accounts = selectors.account_queue(
            workspace=ws,
            owner_id=owner_id,
            filters=filters | ({"snoozed": "1"} if show_snoozed else {}),
            user=request.user,
            include_snoozed=show_snoozed,
        )
    page = Paginator(accounts.select_related("owner"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(workspace=ws, accounts=list(page.object_list), user=request.user)
    return render(
        request,
        "accounts/queue/queue.html",
        {
            "tab": "mine",
            "scope": scope,
            "owner_id": owner_id,
            "page": page,
            "rows": rows,
            "filters": filters,
            "show_snoozed": show_snoozed,
            "options": selectors.queue_filter_options(workspace=ws),
            "saved_views": selectors.saved_views(workspace=ws, user=request.user),
            "summary": selectors.queue_summary(workspace=ws, owner_id=owner_id)
            if owner_id
            else None,
            "sdrs": selectors.assignable_users(workspace=ws) if _is_admin(request) else [],
            "is_admin": _is_admin(request),
            "pool_size": Account.objects.for_workspace(ws).filter(owner__isnull=True).count(),
            "tomorrow": timezone.localdate() + dt.timedelta(days=1),
            "next_week": timezone.localdate() + dt.timedelta(days=7),
        },
    )


@role_required(*QUEUE_ROLES)
def pool(request):
    ws = request.workspace
    filters = _filters(request)
    accounts = selectors.account_queue(
        workspace=ws, owner_id=None, filters=filters, user=request.user, include_snoozed=True
    )
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(workspace=ws, accounts=list(page.object_list), user=request.user)
    return render(
        request,
        "accounts/queue/pool.html",
        {
            "tab": "pool",
            "page": page,
            "rows": rows,
            "filters": filters,
            "options": selectors.queue_filter_options(workspace=ws),
            "is_admin": _is_admin(request),
            "sdrs": selectors.assignable_users(workspace=ws) if _is_admin(request) else [],
            "pool_size": page.paginator.count
            if not filters
            else Account.objects.for_workspace(ws).filter(owner__isnull=True).count(),
        },
    )


@require_POST
@role_required(*QUEUE_ROLES)
def claim(request, pk: int):
    get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    try:
        won = services.account_claim(workspace=request.workspace, user=request.user, account_id=pk)
    except QueueError as exc:
        messages.error(request, str(exc))
        return _back(request, reverse("queue_pool"))
    if won:
        messages.success(request, "Claimed. The account is in your queue now.")
    else:
        messages.warning(request, "Someone else claimed that account first. Pick another one.")
    return _back(request, reverse("queue_pool"))


@require_POST
@role_required(*QUEUE_ROLES)
def claim_next(request):
    count = request.POST.get("count", "5")
    count = max(1, min(int(count), 50)) if count.isdigit() else 5
    filters = {k: v for k, v in request.POST.items() if k in QUEUE_FILTER_KEYS and v}
    try:
        ids = services.accounts_claim_next(
            workspace=request.workspace, user=request.user, count=count, filters=filters
        )
    except QueueError as exc:
        messages.error(request, str(exc))
        return redirect("queue_pool")
    if ids:
        messages.success(
            request, f"Claimed the {len(ids)} highest-priority accounts from the pool."
        )
    else:
        messages.info(request, "No unclaimed account matches these filters.")
    return redirect("queue")


@require_POST
@role_required(*QUEUE_ROLES)
def release(request, pk: int):
    get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    if services.account_release(workspace=request.workspace, user=request.user, account_id=pk):
        messages.success(request, "Released to the pool.")
    else:
        messages.error(request, "Only the account's owner can release it.")
    return _back(request, reverse("queue"))


@require_POST
@role_required(*QUEUE_ROLES)
def snooze(request, pk: int):
    get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, reverse("queue"))
    services.account_snooze(
        workspace=request.workspace,
        user=request.user,
        account_id=pk,
        until=form.cleaned_data["until"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, f"Snoozed until {form.cleaned_data['until']:%b %-d}.")
    return _back(request, reverse("queue"))


@require_POST
@role_required(*QUEUE_ROLES)
def unsnooze(request, pk: int):
    get_object_or_404(Account.objects.for_workspace(request.workspace), pk=pk)
    services.account_unsnooze(workspace=request.workspace, user=request.user, account_id=pk)
    messages.success(request, "Back in your queue.")
    return _back(request, reverse("queue"))


@require_POST
@role_required(*QUEUE_ROLES)
def view_save(request):
    filters = {k: v for k, v in request.POST.items() if k in QUEUE_FILTER_KEYS and v}
    try:
        view = services.saved_view_save(
            workspace=request.workspace,
            user=request.user,
            name=request.POST.get("name", ""),
            filters=filters,
        )
    except QueueError as exc:
        messages.error(request, str(exc))
        return _back(request, reverse("queue"))
    messages.success(request, f"Saved view “{view.name}”.")
    return redirect(reverse("queue") + _query(view.filters))


def _query(filters: dict) -> str:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    q.update(filters)
    return f"?{q.urlencode()}" if filters else ""


@require_POST
@role_required(*QUEUE_ROLES)
def view_delete(request, pk: int):
    services.saved_view_delete(workspace=request.workspace, user=request.user, view_id=pk)
    messages.success(request, "Saved view deleted.")
    return redirect("queue")


@require_POST
@role_required("admin")
def reassign(request):
    ids = [int(v) for v in request.POST.getlist("account") if v.isdigit()]
    owner = request.POST.get("owner", "")
    owner_id = int(owner) if owner.isdigit() else None
    if not ids:
        messages.error(request, "Tick the accounts to reassign first.")
        return _back(request, reverse("queue"))
    try:
        moved = services.accounts_reassign(
            workspace=request.workspace, account_ids=ids, owner_id=owner_id
        )
    except QueueError as exc:
        messages.error(request, str(exc))
        return _back(request, reverse("queue"))
    where = "the pool" if owner_id is None else "their new owner"
    messages.success(request, f"Moved {moved} account{'s' if moved != 1 else ''} to {where}.")
    return _back(request, reverse("queue"))


@role_required(*QUEUE_ROLES)
def leads(request):
    ws = request.workspace
    owner_id = request.user.pk if not _is_admin(request) else None
    qs = selectors.lead_inbox(workspace=ws, owner_id=owner_id)
    status = request.GET.get("status", "")
    if status in ("new", "mql", "sal"):
        qs = qs.filter(lead_status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/queue/leads.html",
        {"tab": "leads", "page": page, "status": status, "is_admin": _is_admin(request)},
    )


@role_required("admin")
def team(request):
    ws = request.workspace
    services.sla_clocks_sync(workspace=ws)
    return render(
        request,
        "accounts/queue/team.html",
        {
            "tab": "team",
            "rows": selectors.team_overview(workspace=ws),
            "pool_size": Account.objects.for_workspace(ws).filter(owner__isnull=True).count(),
            "breaches_30d": selectors.sla_breaches(
                workspace=ws, date_from=timezone.localdate() - dt.timedelta(days=30)
            ),
            "sla_hours": ws.setting("sla_hours"),
            "is_admin": True,
        },
    )


def _sdr_choices(request):
    return [
        (u.pk, u.get_full_name() or u.email)
        for u in selectors.assignable_users(workspace=request.workspace)
        if u.pk in services.sdr_ids(workspace=request.workspace)
    ]


@role_required("admin")
def rules(request, pk: int | None = None):
    ws = request.workspace
    rule = get_object_or_404(AssignmentRule.objects.for_workspace(ws), pk=pk) if pk else None
    initial = {}
    if rule is not None:
        initial = {
            "name": rule.name,
            "position": rule.position,
            "countries": ", ".join(rule.countries),
            "regions": ", ".join(rule.regions),
            "industries": ", ".join(rule.industries),
            "min_tier": rule.min_tier,
            "sdrs": [u.pk for u in rule.sdrs.all()],
            "is_active": rule.is_active,
        }
    form = AssignmentRuleForm(
        request.POST or None, initial=initial, sdr_choices=_sdr_choices(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.assignment_rule_save(
            workspace=ws,
            name=data["name"],
            position=data["position"],
            countries=form.split(data["countries"]),
            regions=form.split(data["regions"]),
            industries=form.split(data["industries"]),
            min_tier=data["min_tier"],
            sdr_ids_=data["sdrs"],
            is_active=data["is_active"],
            rule_id=rule.pk if rule else None,
        )
        messages.success(request, "Rule saved. Run assignment to apply it to the pool.")
        return redirect("queue_rules")
    return render(
        request,
        "accounts/queue/rules.html",
        {
            "tab": "rules",
            "form": form,
            "editing": rule,
            "rules": selectors.assignment_rules(workspace=ws),
            "team": selectors.team_overview(workspace=ws),
            "pool_size": Account.objects.for_workspace(ws).filter(owner__isnull=True).count(),
            "is_admin": True,
        },
    )


@require_POST
@role_required("admin")
def rule_delete(request, pk: int):
    get_object_or_404(AssignmentRule.objects.for_workspace(request.workspace), pk=pk)
    services.assignment_rule_delete(workspace=request.workspace, rule_id=pk)
    messages.success(request, "Rule deleted.")
    return redirect("queue_rules")


@require_POST
@role_required("admin")
def assign_run(request):
    result = services.accounts_assign(workspace=request.workspace)
    if result["assigned"]:
        split = ", ".join(f"{email}: {n}" for email, n in result["by_sdr"].items())
        messages.success(
            request,
            f"Assigned {result['assigned']} accounts ({split}). {result['left_in_pool']} left in the pool.",
        )
    else:
        messages.info(
            request,
            f"Nothing to assign: every SDR is at capacity or no rule covers the {result['left_in_pool']} pool accounts.",
        )
    return redirect("queue_rules")


@require_POST
@role_required("admin")
def capacity_set(request, user_id: int):
    value = request.POST.get("capacity", "")
    if not value.isdigit():
        messages.error(request, "Capacity is a whole number of accounts.")
        return redirect("queue_rules")
    try:
        services.sdr_capacity_set(
            workspace=request.workspace,
            user_id=user_id,
            capacity=int(value),
            accepts_assignments=request.POST.get("accepts") == "on",
        )
    except QueueError as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, "Capacity saved.")
    return redirect("queue_rules")


@role_required(*QUEUE_ROLES)
def capacity(request):
    form = CapacityForm(request.GET or None)
    plan = error = None
    if not request.GET:
        form = CapacityForm({name: field.initial for name, field in CapacityForm().fields.items()})
    if form.is_valid():
        try:
            plan = plan_capacity(
                arr_target=float(form.cleaned_data["arr_target"]),
                sdr_count=form.cleaned_data["sdr_count"],
                bands=form.bands(),
                account_to_opportunity_rate=float(form.cleaned_data["account_rate"]) / 100,
            )
        except ValueError as exc:
            error = str(exc)
    return render(
        request,
        "accounts/queue/capacity.html",
        {
            "tab": "capacity",
            "form": form,
            "plan": plan,
            "error": error,
            "is_admin": _is_admin(request),
        },
    )
