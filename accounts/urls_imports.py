"""Placeholder until this section's issue lands; it answers 200 with a plain empty state."""

from django.urls import path

from abm.permissions import SECTION_ROLES, role_required
from abm.views import placeholder


@role_required(*SECTION_ROLES["imports"])
def index(request):
    return placeholder(request, heading="Imports", message="Upload a Salesforce, HubSpot or CSV export to bring accounts, contacts, leads, opportunities and events in.")


urlpatterns = [path("", index, name="imports")]
