"""Placeholder until this section's issue lands; it answers 200 with a plain empty state."""

from django.urls import path

from abm.permissions import SECTION_ROLES, role_required
from abm.views import placeholder


@role_required(*SECTION_ROLES["scoring"])
def index(request):
    return placeholder(
        request,
        heading="Scoring",
        message="Define an ideal customer profile and train a predictive fit model here.",
    )


urlpatterns = [path("", index, name="scoring")]
