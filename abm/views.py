from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from abm.selectors import SESSION_KEY, memberships_for_user


@login_required
def home(request):
    """Send each role to the page it starts its day on."""
    membership = request.membership
    if membership is None:
        return render(request, "abm/no_workspace.html", status=403)
    if membership.role == "sdr":
        return redirect("queue")
    return redirect("dashboard", name="executive")


@login_required
@require_POST
def workspace_switch(request):
    try:
        wanted = int(request.POST.get("workspace", ""))
    except ValueError:
        return HttpResponseBadRequest("Unknown workspace.")
    allowed = {m.workspace_id: m.workspace for m in memberships_for_user(user=request.user)}
    if wanted not in allowed:
        return HttpResponseBadRequest("You are not a member of that workspace.")
    request.session[SESSION_KEY] = wanted
    messages.success(request, f"Switched to {allowed[wanted].name}.")
    return redirect(reverse("home"))


def placeholder(request, *, heading: str, message: str, cta_url: str = "", cta_label: str = ""):
    """A section a later release fills; it says so plainly instead of erroring."""
    return render(
        request,
        "placeholder.html",
        {"heading": heading, "message": message, "cta_url": cta_url, "cta_label": cta_label},
    )
