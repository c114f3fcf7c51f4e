from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from abm.permissions import SECTION_ROLES, role_required
from accounts import selectors
from accounts.models import Account, JourneyStage


@role_required(*SECTION_ROLES["accounts"])
def account_list(request):
    filters = {k: v for k, v in request.GET.items() if v}
    accounts = selectors.account_list(workspace=request.workspace, filters=filters)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/account_list.html",
        {
            "page": page,
            "filters": filters,
            "querystring": query.urlencode(),
            "stages": JourneyStage.choices,
            "options": selectors.account_filter_options(workspace=request.workspace),
            "total": page.paginator.count,
        },
    )


@role_required(*SECTION_ROLES["accounts"])
def account_detail(request, pk: int):
    try:
        account = selectors.account_detail(workspace=request.workspace, account_id=pk)
    except Account.DoesNotExist as exc:
        raise Http404("No such account.") from exc
    contacts = account.contacts.for_workspace(request.workspace).order_by("seniority", "last_name")[
        :200
    ]
    opportunities = account.opportunities.for_workspace(request.workspace).order_by(
        "-created_date"
    )[:50]
    return render(
        request,
        "accounts/account_detail.html",
        {"account": account, "contacts": contacts, "opportunities": opportunities},
    )
