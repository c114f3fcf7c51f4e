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
    """The account page: everything an SDR needs before the first call."""
    from accounts.views_activity import account_page_context

    try:
        context = account_page_context(request, account_id=pk)
    except Account.DoesNotExist as exc:
        raise Http404("No such account.") from exc
    return render(request, "accounts/account_detail.html", context)
