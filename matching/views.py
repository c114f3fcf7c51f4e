"""Review queue pages: parse, call a service or selector, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from abm.permissions import SECTION_ROLES, role_required
from accounts.models import Account, Contact
from matching import selectors, services
from matching.models import MatchCandidate, MatchRun
from matching.normalize import is_free_email_domain

ROLES = SECTION_ROLES["matching"]


def _back(request) -> HttpResponse:
    page = request.POST.get("page") or request.GET.get("page")
    url = reverse("matching_review")
    return redirect(f"{url}?page={page}" if page else url)


def _done(request, *, contact: Contact, text: str) -> HttpResponse:
    """htmx swaps the lead's card for a one-line outcome; a plain form goes back to the queue."""
    if request.htmx:
        return render(request, "matching/partials/decided.html", {"contact": contact, "text": text})
    messages.success(request, text)
    return _back(request)


@role_required(*ROLES)
@require_GET
def review(request):
    q = request.GET.get("q", "").strip()
    queue = selectors.review_queue(workspace=request.workspace, q=q)
    page = Paginator(queue, 20).get_page(request.GET.get("page"))
    for lead in page.object_list:
        lead.suggested_domain = "" if is_free_email_domain(lead.email_domain) else lead.email_domain
    run = selectors.match_run_latest(workspace=request.workspace)
    return render(
        request,
        "matching/review.html",
        {
            "page": page,
            "q": q,
            "counts": selectors.review_counts(workspace=request.workspace),
            "run": run,
            "running": run is not None
            and run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING),
        },
    )


@role_required(*ROLES)
@require_POST
def candidate_accept(request, pk: int):
    candidate = get_object_or_404(
        MatchCandidate.objects.for_workspace(request.workspace).select_related(
            "contact", "account"
        ),
        pk=pk,
    )
    services.match_candidate_accept(candidate=candidate, user=request.user)
    return _done(request, contact=candidate.contact, text=f"Linked to {candidate.account.name}.")


@role_required(*ROLES)
@require_POST
def candidate_reject(request, pk: int):
    candidate = get_object_or_404(
        MatchCandidate.objects.for_workspace(request.workspace).select_related(
            "contact", "account"
        ),
        pk=pk,
    )
    services.match_candidate_reject(candidate=candidate, user=request.user)
    contact = candidate.contact
    if request.htmx and contact.match_status == "review":
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return _done(request, contact=contact, text=f"Not {candidate.account.name}.")


@role_required(*ROLES)
@require_POST
def contact_link(request, pk: int):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    account = get_object_or_404(
        Account.objects.for_workspace(request.workspace), pk=request.POST.get("account_id") or 0
    )
    services.contact_link_account(contact=contact, account=account, user=request.user)
    return _done(request, contact=contact, text=f"Linked to {account.name}.")


@role_required(*ROLES)
@require_POST
def contact_create_account(request, pk: int):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    name = (request.POST.get("name") or contact.company_name or "").strip()
    if not name:
        messages.error(request, "An account needs a name.")
        return _back(request)
    account = services.account_create_from_lead(
        contact=contact, user=request.user, name=name, domain=request.POST.get("domain", "")
    )
    return _done(
        request, contact=contact, text=f"Created account {account.name} and linked the lead."
    )


@role_required(*ROLES)
@require_POST
def bulk_accept(request):
    ids = [int(x) for x in request.POST.getlist("candidate") if x.isdigit()]
    done = services.match_candidates_bulk_accept(
        workspace=request.workspace, candidate_ids=ids, user=request.user
    )
    messages.success(request, f"Accepted {done} suggestion{'s' if done != 1 else ''}.")
    return _back(request)


@role_required(*ROLES)
@require_POST
def suggestion_create(request):
    try:
        account, linked = services.account_create_from_suggestion(
            workspace=request.workspace,
            domain=request.POST.get("domain", ""),
            name=request.POST.get("name", ""),
            user=request.user,
        )
    except ValueError as exc:
        messages.error(request, str(exc).capitalize() + ".")
        return _back(request)
    messages.success(
        request, f"Created {account.name} and linked {linked} lead{'s' if linked != 1 else ''}."
    )
    return _back(request)


@role_required(*ROLES)
@require_GET
def account_search(request, pk: int):
    contact = get_object_or_404(Contact.objects.for_workspace(request.workspace), pk=pk)
    accounts = selectors.account_search(workspace=request.workspace, q=request.GET.get("q", ""))
    return render(
        request, "matching/partials/account_search.html", {"contact": contact, "accounts": accounts}
    )


@role_required(*ROLES)
@require_POST
def rematch(request):
    from matching.tasks import match_workspace_enqueue

    match_workspace_enqueue(workspace=request.workspace, started_by=request.user)
    messages.info(request, "Re-matching every undecided lead of this workspace.")
    return redirect("matching_review")


@role_required(*ROLES)
@require_GET
def run_progress(request, pk: int):
    run = get_object_or_404(MatchRun.objects.for_workspace(request.workspace), pk=pk)
    running = run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)
    return render(request, "matching/partials/run.html", {"run": run, "running": running})
