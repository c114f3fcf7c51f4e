"""Placeholder until this section's issue lands; it answers 200 with a plain empty state."""

from django.urls import path

from abm.permissions import SECTION_ROLES, role_required
from abm.views import placeholder


@role_required(*SECTION_ROLES["campaigns"])
def index(request):
    return placeholder(
        request,
        heading="Campaigns",
        message="Create a campaign against a segment of target accounts to start measuring engagement.",
    )


urlpatterns = [path("", index, name="campaigns")]
