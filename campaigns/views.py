"""Campaign pages: list, detail (performance, heat map, targets, assets), segments, IP ranges.

Thin: parse, call a selector or service, render. Reading needs SECTION_ROLES["campaigns"],
every change SECTION_ROLES["campaigns_write"]; objects of another workspace are 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from abm.permissions import SECTION_ROLES, check_roles, has_role, role_required
from accounts.models import AccountIpRange, Seniority
from campaigns import attribution, selectors, services
from campaigns.forms import (
    AssetForm,
    CampaignForm,
    EventWeightsForm,
    IpRangeForm,
    PerformanceForm,
    SegmentForm,
    TargetSegmentForm,
    TargetUploadForm,
)
from campaigns.models import Campaign, ContentAsset, JourneyRun, Segment, TargetListUpload
from dashboards.selectors.team import campaign_rollups

READ = SECTION_ROLES["campaigns"]
WRITE = SECTION_ROLES["campaigns_write"]


def _period_form(request) -> PerformanceForm:
    data = request.GET.copy()
    if not data.get("model"):
        data["model"] = attribution.DEFAULT_MODEL
    return PerformanceForm(data)


def _campaign(request, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)


@role_required(*READ)
def campaign_list(request):
    form = _period_form(request)
    period = form.values()
    rollups = campaign_rollups(workspace=request.workspace, **period) or {}
    campaigns = selectors.campaign_list(
        workspace=request.workspace,
        reached=rollups.get("reached_all_time"),
        touch_totals=rollups.get("touch_totals"),
    )
    performance = {
        row["campaign_id"]: row
        for row in selectors.campaign_performance(
            workspace=request.workspace,
            credited=rollups.get("credited"),
            reach=rollups.get("reach"),
            **period,
        )
    }
    for campaign in campaigns:
        campaign.perf = performance.get(campaign.pk, {})
    totals = {
        "active": sum(1 for c in campaigns if c.status == Campaign.Status.ACTIVE),
        "budget": selectors.budget_total(campaigns),
        "pipeline": sum(r["pipeline"] for r in performance.values()),
        "won": sum(r["won_revenue"] for r in performance.values()),
    }
    channels = selectors.channel_performance(
        workspace=request.workspace, credited=rollups.get("channels"), **period
    )
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns,
            "form": form,
            "period": period,
            "model_label": attribution.MODELS[period["model"]],
            "totals": totals,
            "channels": channels,
            "events": selectors.event_totals(
                workspace=request.workspace, resolved=rollups.get("resolved_touches")
            ),
            "journey_run": JourneyRun.objects.for_workspace(request.workspace).first(),
            "can_write": has_role(request, WRITE),
        },
    )


@role_required(*WRITE)
def campaign_create(request):
    form = CampaignForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data.items())
        try:
            campaign = services.campaign_create(
                workspace=request.workspace, created_by=request.user, **fields
            )
        except (ValidationError, IntegrityError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Campaign “{campaign.name}” created. Now add target accounts."
            )
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@role_required(*WRITE)
def campaign_edit(request, pk: int):
    campaign = _campaign(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        services.campaign_update(campaign=campaign, **form.cleaned_data)
        messages.success(request, "Campaign saved.")
        return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
@role_required(*WRITE)
def campaign_delete(request, pk: int):
    campaign = _campaign(request, pk)
    name = campaign.name
    services.campaign_delete(campaign=campaign)
    messages.success(request, f"Campaign “{name}” deleted; its touches stay on the accounts.")
    return redirect("campaigns")


@role_required(*READ)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    form = _period_form(request)
    period = form.values()
    rollups = (
        campaign_rollups(workspace=request.workspace, campaign_ids=[campaign.pk], **period) or {}
    )
    rows = selectors.campaign_performance(
        workspace=request.workspace,
        campaign_ids=[campaign.pk],
        credited=rollups.get("credited"),
        reach=rollups.get("reach"),
        **period,
    )
    targets = Paginator(selectors.campaign_targets(campaign=campaign), 50).get_page(
        request.GET.get("page")
    )
    assets_by_level = []
    assets = list(ContentAsset.objects.for_workspace(request.workspace).filter(campaign=campaign))
    for level, label in Seniority.choices:
        items = [a for a in assets if a.level == level]
        if items or level != Seniority.UNKNOWN:
            assets_by_level.append({"level": level, "label": label, "assets": items})
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "perf": rows[0] if rows else {},
            "form": form,
            "period": period,
            "model_label": attribution.MODELS[period["model"]],
            "comparison": selectors.campaign_attribution_comparison(
                campaign=campaign,
                date_from=period["date_from"],
                date_to=period["date_to"],
                credited_by_model=rollups.get("credited_by_model"),
            ),
            "heatmap": selectors.campaign_heatmap(campaign=campaign, weeks=16),
            "targets": targets,
            "assets_by_level": assets_by_level,
            "uploads": TargetListUpload.objects.for_workspace(request.workspace).filter(
                campaign=campaign
            )[:5],
            "segment_form": TargetSegmentForm(workspace=request.workspace),
            "has_segments": Segment.objects.for_workspace(request.workspace).exists(),
            "upload_form": TargetUploadForm(),
            "asset_form": AssetForm(),
            "can_write": has_role(request, WRITE),
        },
    )


@require_POST
@role_required(*WRITE)
def campaign_targets_segment(request, pk: int):
    campaign = _campaign(request, pk)
    form = TargetSegmentForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        added = services.campaign_targets_from_segment(
            campaign=campaign, segment=form.cleaned_data["segment"]
        )
        messages.success(
            request, f"Added {added:,} accounts from “{form.cleaned_data['segment'].name}”."
        )
    else:
        messages.error(request, "Choose a saved segment.")
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@role_required(*WRITE)
def campaign_targets_upload(request, pk: int):
    campaign = _campaign(request, pk)
    form = TargetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("campaign_detail", pk=campaign.pk)
    upload = form.cleaned_data["file"]
    result = services.campaign_targets_upload(
        campaign=campaign, content=upload.read(), filename=upload.name, user=request.user
    )
    level = messages.SUCCESS if result.matched else messages.WARNING
    messages.add_message(
        request,
        level,
        f"{result.matched:,} of {result.rows:,} rows matched an account and are on the list.",
    )
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@role_required(*WRITE)
def campaign_target_remove(request, pk: int, account_id: int):
    campaign = _campaign(request, pk)
    services.campaign_target_remove(campaign=campaign, account_id=account_id)
    messages.success(request, "Account removed from the target list.")
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@role_required(*WRITE)
def asset_add(request, pk: int):
    campaign = _campaign(request, pk)
    form = AssetForm(request.POST)
    if form.is_valid():
        services.asset_add(campaign=campaign, **form.cleaned_data)
        messages.success(request, "Asset added.")
    else:
        messages.error(request, "An asset needs a level and a title (and a valid URL if given).")
    return redirect("campaign_detail", pk=campaign.pk)


@require_POST
@role_required(*WRITE)
def asset_delete(request, pk: int, asset_id: int):
    campaign = _campaign(request, pk)
    asset = get_object_or_404(
        ContentAsset.objects.for_workspace(request.workspace).filter(campaign=campaign),
        pk=asset_id,
    )
    services.asset_delete(asset=asset)
    messages.success(request, "Asset removed.")
    return redirect("campaign_detail", pk=campaign.pk)


def _segment_form(request, data=None, initial=None):
    options = selectors.segment_options(workspace=request.workspace)
    return SegmentForm(data, initial=initial, industries=options["industries"]), options


@role_required(*READ)
def segment_list(request):
    editing = None
    if edit_id := request.GET.get("edit"):
        editing = get_object_or_404(
            Segment.objects.for_workspace(request.workspace), pk=edit_id if edit_id.isdigit() else 0
        )
    form, options = _segment_form(
        request,
        initial=(
            {"name": editing.name, **SegmentForm.initial_from(editing.filters)} if editing else None
        ),
    )
    return render(
        request,
        "campaigns/segments.html",
        {
            "segments": selectors.segment_list(workspace=request.workspace),
            "form": form,
            "options": options,
            "editing": editing,
            "campaigns": Campaign.objects.for_workspace(request.workspace).order_by("name"),
            "can_write": has_role(request, WRITE),
        },
    )


@require_POST
@role_required(*WRITE)
def segment_save(request):
    form, _ = _segment_form(request, data=request.POST)
    segment = None
    if seg_id := request.POST.get("segment_id", ""):
        segment = get_object_or_404(
            Segment.objects.for_workspace(request.workspace), pk=seg_id if seg_id.isdigit() else 0
        )
    if not form.is_valid() or not form.cleaned_data.get("name"):
        messages.error(request, "Give the segment a name (and check the numbers).")
        return redirect("segments")
    with transaction.atomic():
        saved = services.segment_save(
            workspace=request.workspace,
            name=form.cleaned_data["name"],
            filters=form.filters(),
            user=request.user,
            segment=segment,
        )
        campaign_id = request.POST.get("campaign", "")
        campaign = None
        if campaign_id.isdigit():
            campaign = _campaign(request, int(campaign_id))
            added = services.campaign_targets_from_segment(campaign=campaign, segment=saved)
    if campaign is not None:
        messages.success(request, f"Segment saved; {added:,} accounts added to “{campaign.name}”.")
        return redirect("campaign_detail", pk=campaign.pk)
    messages.success(request, f"Segment “{saved.name}” saved.")
    return redirect("segments")


@role_required(*READ)
def segment_preview(request):
    """htmx: the live count (and a few names) for the filters being edited."""
    form, _ = _segment_form(request, data=request.GET)
    if not form.is_valid():
        return HttpResponse('<span class="text-danger">Check the numbers.</span>')
    qs = selectors.segment_queryset(workspace=request.workspace, filters=form.filters())
    return render(
        request,
        "campaigns/_segment_preview.html",
        {"count": qs.count(), "sample": qs.order_by("-priority", "name")[:8]},
    )


@require_POST
@role_required(*WRITE)
def segment_delete(request, pk: int):
    segment = get_object_or_404(Segment.objects.for_workspace(request.workspace), pk=pk)
    segment.delete()
    messages.success(request, "Segment deleted; campaign target lists built from it stay.")
    return redirect("segments")


@role_required(*READ)
def ip_range_list(request):
    form = IpRangeForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST":
        if not has_role(request, WRITE):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied("Your role may not change IP ranges.")
        if form.is_valid():
            try:
                ip_range = services.ip_range_add(
                    workspace=request.workspace,
                    account=form.cleaned_data["account"],
                    cidr=form.cleaned_data["cidr"],
                )
            except ValidationError as exc:
                form.add_error("cidr", exc.messages[0])
            else:
                messages.success(
                    request, f"{ip_range.cidr} now resolves to {ip_range.account.name}."
                )
                return redirect("ip_ranges")
    ranges = Paginator(selectors.ip_ranges(workspace=request.workspace), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/ip_ranges.html",
        {"form": form, "ranges": ranges, "can_write": has_role(request, WRITE)},
    )


@require_POST
@role_required(*WRITE)
def ip_range_delete(request, pk: int):
    ip_range = get_object_or_404(AccountIpRange.objects.for_workspace(request.workspace), pk=pk)
    services.ip_range_delete(ip_range=ip_range)
    messages.success(request, f"{ip_range.cidr} removed.")
    return redirect("ip_ranges")


@role_required(*READ)
def event_weights(request):
    from campaigns.weights import DEFAULT_EVENT_WEIGHTS, workspace_event_weights

    current = workspace_event_weights(request.workspace)
    form = EventWeightsForm(request.POST or None, weights=current)
    if request.method == "POST":
        check_roles(request, WRITE)
        if form.is_valid():
            services.event_weights_set(workspace=request.workspace, weights=form.cleaned_data)
            messages.success(
                request, "Weights saved; stored touches and journeys are being updated."
            )
            return redirect("event_weights")
    rows = [
        {"field": form[kind], "default": DEFAULT_EVENT_WEIGHTS.get(kind), "current": weight}
        for kind, weight in sorted(current.items(), key=lambda kv: -kv[1])
    ]
    return render(
        request,
        "campaigns/event_weights.html",
        {"form": form, "rows": rows, "can_write": has_role(request, WRITE)},
    )


@require_POST
@role_required(*WRITE)
def journeys_recompute(request):
    from campaigns.tasks import journeys_recompute as task

    workspace_id = request.workspace.pk
    transaction.on_commit(lambda: task.delay(workspace_id=workspace_id))
    messages.info(request, "Recomputing account journeys; stages update in a moment.")
    return redirect("campaigns")
