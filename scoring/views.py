"""Scoring pages for marketers and admins: overview, ICP profiles with a live preview,
predictive models, back-tests, settings. Views parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from abm.permissions import SECTION_ROLES, role_required
from scoring import selectors, services
from scoring.engine import rules
from scoring.engine.predictive import MIN_PER_CLASS
from scoring.forms import (
    FIELD_CHOICES,
    OP_CHOICES,
    ProfileForm,
    ScoringSettingsForm,
    criteria_rows,
    validated_criteria,
)
from scoring.models import FitModel, IcpProfile, IcpProfileVersion, ScoringRun
from scoring.tasks import score_accounts as score_task

ROLES = SECTION_ROLES["scoring"]
TIER_COLOURS = ["#2563eb", "#60a5fa", "#cbd5e1"]


def _histogram_chart(counts: list[int], label: str, compare: list[int] | None = None) -> dict:
    datasets = [{"label": label, "data": counts}]
    if compare is not None:
        datasets.insert(0, {"label": "Today", "data": compare})
    return {
        "type": "bar",
        "data": {"labels": [f"{i * 10}–{i * 10 + 10}" for i in range(10)], "datasets": datasets},
        "options": {"plugins": {"legend": {"display": compare is not None}},
                    "scales": {"y": {"beginAtZero": True, "title": {"display": True,
                                                                      "text": "accounts"}}}},
    }  # fmt: skip


@role_required(*ROLES)
def index(request: HttpRequest) -> HttpResponse:
    overview = selectors.scoring_overview(workspace=request.workspace)
    return render(
        request,
        "scoring/index.html",
        {
            "overview": overview,
            "top": selectors.top_accounts(workspace=request.workspace),
            "priority_chart": _histogram_chart(overview["histogram"], "Accounts by priority"),
            "profiles": IcpProfile.objects.for_workspace(request.workspace),
        },
    )


@role_required(*ROLES)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    run = services.scoring_run_create(workspace=request.workspace, trigger="manual")
    transaction.on_commit(
        lambda: score_task.delay(workspace_id=request.workspace.pk, run_id=run.pk)
    )
    messages.success(request, "Scoring started. Scores update as the run progresses.")
    return redirect("scoring")


@role_required(*ROLES)
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ScoringRun.objects.for_workspace(request.workspace), pk=pk)
    return render(request, "scoring/partials/run.html", {"run": run})


# -- ICP profiles --------------------------------------------------------------------------
def _editor(request, *, profile: IcpProfile | None, form: ProfileForm, rows, error: str = ""):
    versions = (
        IcpProfileVersion.objects.for_workspace(request.workspace).filter(profile=profile)[:20]
        if profile
        else []
    )
    return render(
        request,
        "scoring/profile_form.html",
        {
            "profile": profile,
            "form": form,
            "rows": rows,
            "error": error,
            "versions": versions,
            "field_choices": FIELD_CHOICES,
            "op_choices": OP_CHOICES,
            "next_index": len(rows),
        },
        status=400 if error or form.errors else 200,
    )


@role_required(*ROLES)
def profile_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        rows, criteria, error = validated_criteria(request.POST)
        if form.is_valid() and criteria is not None:
            try:
                profile = services.icp_profile_create(
                    workspace=request.workspace, name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"], criteria=criteria,
                    user=request.user,
                )  # fmt: skip
            except IntegrityError:
                form.add_error("name", "A profile with this name already exists.")
            else:
                messages.success(request, f"Saved “{profile.name}” (version 1).")
                return redirect("scoring_profile", pk=profile.pk)
        return _editor(request, profile=None, form=form, rows=rows, error=error)
    form = ProfileForm(initial={"name": "", "description": ""})
    return _editor(request, profile=None, form=form, rows=criteria_rows(rules.DEFAULT_CRITERIA))


@role_required(*ROLES)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(IcpProfile.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        rows, criteria, error = validated_criteria(request.POST)
        if form.is_valid() and criteria is not None:
            try:
                saved = services.icp_profile_update(
                    profile=profile, criteria=criteria, name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    note=form.cleaned_data["note"], user=request.user,
                )  # fmt: skip
            except IntegrityError:
                form.add_error("name", "A profile with this name already exists.")
            else:
                if saved.version == profile.version:
                    messages.info(request, "Nothing changed, so no new version was saved.")
                else:
                    tail = " Accounts are being re-scored." if saved.is_active else ""
                    messages.success(request, f"Saved version {saved.version}.{tail}")
                return redirect("scoring_profile", pk=profile.pk)
        return _editor(request, profile=profile, form=form, rows=rows, error=error)
    form = ProfileForm(initial={"name": profile.name, "description": profile.description})
    return _editor(request, profile=profile, form=form, rows=criteria_rows(profile.criteria))


@role_required(*ROLES)
@require_POST
def profile_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the score distribution and tier counts these (unsaved) criteria would give."""
    _, criteria, error = validated_criteria(request.POST)
    context: dict = {"error": error}
    if criteria is not None:
        preview = selectors.icp_profile_preview(workspace=request.workspace, criteria=criteria)
        context["preview"] = preview
        context["chart"] = _histogram_chart(
            preview["histogram"], "With these rules", compare=preview.get("current_histogram")
        )
    return render(request, "scoring/partials/preview.html", context)


@role_required(*ROLES)
@require_POST
def profile_activate(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(IcpProfile.objects.for_workspace(request.workspace), pk=pk)
    services.icp_profile_activate(profile=profile)
    messages.success(
        request, f"“{profile.name}” is now the active ICP. Accounts are being re-scored."
    )
    return redirect("scoring_profile", pk=profile.pk)


@role_required(*ROLES)
@require_POST
def profile_restore(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    profile = get_object_or_404(IcpProfile.objects.for_workspace(request.workspace), pk=pk)
    get_object_or_404(
        IcpProfileVersion.objects.for_workspace(request.workspace), profile=profile, version=version
    )
    saved = services.icp_profile_restore(profile=profile, version=version, user=request.user)
    messages.success(request, f"Restored version {version} as version {saved.version}.")
    return redirect("scoring_profile", pk=profile.pk)


@role_required(*ROLES)
def profile_backtest(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(IcpProfile.objects.for_workspace(request.workspace), pk=pk)
    result = selectors.scoring_backtest(workspace=request.workspace, profile=profile)
    return _backtest_page(request, subject=profile, kind="profile", result=result)


# -- predictive models ---------------------------------------------------------------------
@role_required(*ROLES)
def model_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            model = services.fit_model_train(workspace=request.workspace, user=request.user)
        except services.NotEnoughOutcomes as exc:
            messages.error(request, f"Cannot train yet: the model {exc}.")
            return redirect("scoring_models")
        messages.success(request, f"Trained {model.name}. Review it, then activate it.")
        return redirect("scoring_model", pk=model.pk)
    models = FitModel.objects.for_workspace(request.workspace).defer("artifact")
    labels = services.training_labels(workspace=request.workspace)
    won = int(labels["won"].sum()) if len(labels) else 0
    return render(
        request,
        "scoring/model_list.html",
        {"models": models, "won": won, "lost": len(labels) - won,
         "needed": MIN_PER_CLASS},
    )  # fmt: skip


@role_required(*ROLES)
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(
        FitModel.objects.for_workspace(request.workspace).defer("artifact"), pk=pk
    )
    lift = model.metrics.get("lift", [])
    chart = {
        "type": "bar",
        "data": {"labels": [f"D{row['decile']}" for row in lift],
                 "datasets": [{"label": "Lift (× average win rate)",
                               "data": [row["lift"] for row in lift]}]},
        "options": {"plugins": {"legend": {"display": False}},
                    "scales": {"y": {"beginAtZero": True}}},
    }  # fmt: skip
    return render(request, "scoring/model_detail.html", {"model": model, "lift_chart": chart})


@role_required(*ROLES)
@require_POST
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(FitModel.objects.for_workspace(request.workspace), pk=pk)
    if request.POST.get("deactivate"):
        services.fit_model_deactivate(model=model)
        messages.success(request, f"{model.name} no longer feeds fit scores.")
    else:
        services.fit_model_activate(model=model)
        messages.success(request, f"{model.name} is active. Accounts are being re-scored.")
    return redirect("scoring_model", pk=model.pk)


@role_required(*ROLES)
def model_backtest(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(FitModel.objects.for_workspace(request.workspace), pk=pk)
    result = selectors.scoring_backtest(workspace=request.workspace, model=model)
    return _backtest_page(request, subject=model, kind="model", result=result)


def _backtest_page(request, *, subject, kind: str, result: dict) -> HttpResponse:
    charts = {}
    cand, active = result.get("candidate"), result.get("active")
    if cand and cand["lift"]:
        datasets = [{"label": "Candidate", "data": [r["lift"] for r in cand["lift"]]}]
        if active and active["lift"]:
            datasets.insert(0, {"label": "Active now", "data": [r["lift"] for r in active["lift"]]})
        charts["lift"] = {
            "type": "bar",
            "data": {"labels": [f"D{r['decile']}" for r in cand["lift"]], "datasets": datasets},
            "options": {"scales": {"y": {"beginAtZero": True}}},
        }
    return render(
        request,
        "scoring/backtest.html",
        {"subject": subject, "kind": kind, "result": result, "charts": charts},
    )


# -- settings ------------------------------------------------------------------------------
@role_required(*ROLES)
def settings_edit(request: HttpRequest) -> HttpResponse:
    current = services.scoring_settings_get(workspace=request.workspace)
    form = ScoringSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.scoring_settings_update(workspace=request.workspace, **values)
        messages.success(request, "Saved. Accounts are being re-scored with the new settings.")
        return redirect("scoring")
    return render(
        request, "scoring/settings.html", {"form": form}, status=400 if form.errors else 200
    )
