from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from abm import services
from abm.forms import ApiTokenForm, MemberInviteForm, MemberRoleForm, ThresholdsForm
from abm.models import DEFAULT_WORKSPACE_SETTINGS, ApiToken, Membership
from abm.permissions import SECTION_ROLES, role_required

ADMIN_ONLY = SECTION_ROLES["settings"]


@role_required(*ADMIN_ONLY)
def settings_index(request):
    workspace = request.workspace
    members = (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("role", "user__email")
    )
    tokens = ApiToken.objects.filter(workspace=workspace).select_related("user")
    current = {key: workspace.setting(key) for key in DEFAULT_WORKSPACE_SETTINGS}
    return render(
        request,
        "abm/settings.html",
        {
            "members": members,
            "tokens": tokens,
            "invite_form": MemberInviteForm(),
            "thresholds_form": ThresholdsForm(initial=current),
            "token_form": ApiTokenForm(),
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@role_required(*ADMIN_ONLY)
@require_POST
def member_invite(request):
    form = MemberInviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = services.user_get_or_create(
            email=data["email"], first_name=data["first_name"], last_name=data["last_name"]
        )
        services.membership_set(user=user, workspace=request.workspace, role=data["role"])
        messages.success(
            request, f"{data['email']} is now a {data['role']} in {request.workspace}."
        )
    else:
        messages.error(
            request,
            "Could not add the member: "
            + "; ".join(e for errs in form.errors.values() for e in errs),
        )
    return redirect("settings")


@role_required(*ADMIN_ONLY)
@require_POST
def member_role(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, workspace=request.workspace)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            admins_left = (
                Membership.objects.select_for_update()
                .filter(workspace=request.workspace, role="admin")
                .exclude(pk=membership.pk)
                .count()
            )
            if (
                membership.role == "admin"
                and form.cleaned_data["role"] != "admin"
                and admins_left == 0
            ):
                messages.error(request, "A workspace needs at least one admin.")
                return redirect("settings")
            membership.role = form.cleaned_data["role"]
            membership.save(update_fields=["role"])
        messages.success(
            request, f"{membership.user.email} is now {membership.get_role_display()}."
        )
    return redirect("settings")


@role_required(*ADMIN_ONLY)
@require_POST
def thresholds_update(request):
    form = ThresholdsForm(request.POST)
    if form.is_valid():
        workspace = request.workspace
        workspace.settings = {**workspace.settings, **form.cleaned_data}
        workspace.save(update_fields=["settings"])
        messages.success(request, "Thresholds saved.")
    else:
        messages.error(
            request,
            "Thresholds not saved: " + "; ".join(e for errs in form.errors.values() for e in errs),
        )
    return redirect("settings")


@role_required(*ADMIN_ONLY)
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _, raw = services.api_token_create(
            user=request.user, workspace=request.workspace, name=form.cleaned_data["name"]
        )
        request.session["new_api_token"] = raw
        messages.success(request, "Token created. Copy it now: it is shown only once.")
    return redirect("settings")


@role_required(*ADMIN_ONLY)
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, workspace=request.workspace)
    services.api_token_revoke(token=token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("settings")
