"""Placeholder until the dashboards issue lands; every dashboard name answers with an empty state."""

from django.http import Http404
from django.urls import path

from abm.permissions import SECTION_ROLES, role_required
from abm.views import placeholder

DASHBOARD_NAMES = {
    "executive": "Executive",
    "engagement": "Engagement",
    "conversion": "Conversion",
    "deal-size": "Deal size",
    "campaigns": "Campaigns",
    "sdr-team": "SDR team",
}


@role_required(*SECTION_ROLES["dashboards"])
def dashboard(request, name: str):
    if name not in DASHBOARD_NAMES:
        raise Http404("No such dashboard.")
    return placeholder(
        request,
        heading=f"{DASHBOARD_NAMES[name]} dashboard",
        message="Charts appear here once accounts, opportunities and engagement events are imported.",
        cta_url="/imports/",
        cta_label="Import data",
    )


@role_required(*SECTION_ROLES["dashboards"])
def index(request):
    return dashboard(request, name="executive")


urlpatterns = [
    path("", index, name="dashboards"),
    path("<str:name>/", dashboard, name="dashboard"),
]
