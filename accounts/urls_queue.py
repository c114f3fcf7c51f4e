"""Placeholder until this section's issue lands; it answers 200 with a plain empty state."""

from django.urls import path

from abm.permissions import SECTION_ROLES, role_required
from abm.views import placeholder


@role_required(*SECTION_ROLES["queue"])
def index(request):
    return placeholder(request, heading="Account queue", message="Your prioritised account queue and the claim pool will appear here once accounts are scored and assigned.")


urlpatterns = [path("", index, name="queue")]
