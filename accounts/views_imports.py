"""The import pages: upload → mapping → preview → run (live progress) → result, undo. Admins only.

Thin: every step calls a service in `accounts.import_services`; objects of another workspace 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from abm.permissions import SECTION_ROLES, role_required
from accounts.import_services import (
    field_choices,
    import_cancel,
    import_job_create,
    import_job_queue,
    import_mapping_set,
    import_preview,
    import_resume,
    import_undo,
    rows_for_report,
    sample_values,
)
from accounts.importing.columns import FIELDS, missing_required
from accounts.importing.errors import ImportRefused
from accounts.models import ImportJob, ImportMapping

ADMIN = SECTION_ROLES["imports"]
SOURCE_CHOICES = [
    ("auto", "Detect from the columns"),
    ("salesforce", "Salesforce (Data Export or report)"),
    ("hubspot", "HubSpot export"),
    ("generic", "Other CSV or spreadsheet"),
]
OBJECT_HELP = {
    "accounts": "Companies: Salesforce Account, HubSpot Company or any list with a name and website.",
    "contacts": "People at your accounts: Salesforce Contact or HubSpot Contact.",
    "leads": "People not yet tied to an account: Salesforce Lead or HubSpot Contact exports.",
    "opportunities": "Deals: Salesforce Opportunity or HubSpot Deal, linked to their account.",
    "events": "Engagement touches (email, ads, web, events) with an id each, so resends count once.",
    "intent": "Third-party intent topics per account domain (Bombora, G2, 6sense exports).",
}


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What does the file hold?", choices=ImportJob.Kind.choices)
    source = forms.ChoiceField(label="Exported from", choices=SOURCE_CHOICES, initial="auto")
    file = forms.FileField(
        label="File",
        help_text="CSV (any encoding or delimiter), Excel .xlsx, or a .zip holding one CSV.",
    )


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.for_workspace(request.workspace), pk=pk)


@role_required(*ADMIN)
def import_list(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                workspace=request.workspace,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                created_by=request.user,
            )
        except ImportRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("import_detail", pk=job.pk)
    jobs = ImportJob.objects.for_workspace(request.workspace).select_related("created_by")[:50]
    return render(
        request,
        "accounts/imports/list.html",
        {"form": form, "jobs": jobs, "object_help": OBJECT_HELP},
        status=400 if form.errors else 200,
    )


@role_required(*ADMIN)
def import_detail(request, pk: int):
    job = _job(request, pk)
    if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
        return _mapping_page(request, job)
    context = {"job": job, "rejected": rows_for_report(job) if job.is_finished else []}
    return render(request, "accounts/imports/detail.html", context)


def _mapping_page(request, job: ImportJob, missing: list[str] | None = None):
    columns = job.mapping.get("columns", {})
    saved = ImportMapping.objects.for_workspace(request.workspace).filter(kind=job.kind)
    chosen = request.GET.get("mapping")
    if chosen:
        mapping = get_object_or_404(saved, pk=chosen)
        columns = {h: f for h, f in mapping.columns.items() if h in job.headers}
    samples = sample_values(job)
    rows = [
        {"header": h, "field": columns.get(h, ""), "samples": samples.get(h, [])}
        for h in job.headers
    ]
    if missing is None:
        missing = [f.label for f in missing_required(columns, job.kind)]
    return render(
        request,
        "accounts/imports/mapping.html",
        {
            "job": job,
            "rows": rows,
            "choices": field_choices(job.kind),
            "saved": saved,
            "missing": missing,
            "mapped_count": sum(1 for r in rows if r["field"]),
        },
        status=400 if request.method == "POST" and missing else 200,
    )


@role_required(*ADMIN)
@require_POST
def import_mapping(request, pk: int):
    job = _job(request, pk)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED):
        return redirect("import_detail", pk=job.pk)
    columns = {h: request.POST.get(f"col_{i}", "") for i, h in enumerate(job.headers)}
    job, missing = import_mapping_set(
        job=job, columns=columns, save_as=request.POST.get("save_as", ""), user=request.user
    )
    if missing:
        return _mapping_page(request, job, missing)
    if request.POST.get("save_as", "").strip():
        messages.success(
            request, f"Saved the mapping “{request.POST['save_as'].strip()}” for next time."
        )
    return redirect("import_preview", pk=job.pk)


@role_required(*ADMIN)
def import_preview_page(request, pk: int):
    job = _job(request, pk)
    if job.status != ImportJob.Status.MAPPED:
        return redirect("import_detail", pk=job.pk)
    try:
        preview = import_preview(job=job, limit=25)
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("imports")
    labels = {f.name: f.label for f in FIELDS[job.kind]}
    columns = job.mapping.get("columns", {})
    mapped = [(i, h, labels[columns[h]]) for i, h in enumerate(job.headers) if h in columns]
    rows = [
        {"line": p.line, "cells": [p.values[i] for i, _, _ in mapped], "problem": p.problem}
        for p in preview
    ]
    return render(
        request,
        "accounts/imports/preview.html",
        {
            "job": job,
            "mapped": mapped,
            "rows": rows,
            "problems": sum(1 for r in rows if r["problem"]),
            "ignored": [h for h in job.headers if h not in columns],
        },
    )


@role_required(*ADMIN)
@require_POST
def import_start(request, pk: int):
    job = _job(request, pk)
    import_job_queue(job=job)
    return redirect("import_detail", pk=job.pk)


@role_required(*ADMIN)
def import_progress(request, pk: int):
    """The progress card, polled by htmx while the job runs; the whole page reloads at the end."""
    job = _job(request, pk)
    response = render(request, "accounts/imports/_progress.html", {"job": job})
    if job.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@role_required(*ADMIN)
@require_POST
def import_cancel_view(request, pk: int):
    job = import_cancel(job=_job(request, pk))
    messages.info(request, "Cancelling: the rows already written stay; undo removes them.")
    return redirect("import_detail", pk=job.pk)


@role_required(*ADMIN)
@require_POST
def import_resume_view(request, pk: int):
    job = import_resume(job=_job(request, pk))
    messages.info(request, "Resuming after the last saved chunk: no row is imported twice.")
    return redirect("import_detail", pk=job.pk)


@role_required(*ADMIN)
@require_POST
def import_undo_view(request, pk: int):
    job = import_undo(job=_job(request, pk))
    if job.status == ImportJob.Status.UNDONE:
        messages.success(
            request, "The import was undone: what it created is gone, what it changed is restored."
        )
    return redirect("import_detail", pk=job.pk)


def error_report_response(job: ImportJob) -> FileResponse:
    """The rejected rows as a CSV download, for the page and the API alike."""
    if not job.error_report:
        raise Http404("This import rejected no rows.")
    return FileResponse(
        job.error_report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-rejected-rows.csv",
        content_type="text/csv; charset=utf-8",
    )


@role_required(*ADMIN)
def import_errors(request, pk: int):
    return error_report_response(_job(request, pk))
