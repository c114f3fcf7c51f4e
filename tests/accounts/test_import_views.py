"""The /imports/ pages: admins only, upload → mapping → preview → run → result → undo."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.import_services import import_job_create, import_run
from accounts.models import Account, Contact, ImportJob, ImportMapping

pytestmark = pytest.mark.django_db

CONTACTS = (
    "Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,LeadSource\n"
    "003A,,Ada,Lovelace,ada@acme.com,VP Marketing,Marketing,,DEU,Web\n"
    "003B,,Bob,=HYPERLINK(1),not-an-email,,,,,\n"
)


def upload(client, text, kind="contacts", name="Contact.csv", encoding="utf-8"):
    return client.post(
        reverse("imports"),
        {
            "kind": kind,
            "source": "auto",
            "file": SimpleUploadedFile(name, text.encode(encoding), "text/csv"),
        },
    )


@pytest.mark.parametrize("role", ["marketer", "sdr", "viewer"])
def test_only_admins_may_open_imports(client_for, make_member, workspace, role):
    client = client_for(make_member(workspace, role))
    assert client.get(reverse("imports")).status_code == 403
    assert upload(client, CONTACTS).status_code == 403
    assert ImportJob.objects.count() == 0


def test_a_job_of_another_workspace_is_not_found(admin_client, other_workspace, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CONTACTS)
    theirs = import_job_create(workspace=other_workspace, kind="contacts", path=path)
    for name in ("import_detail", "import_preview", "import_progress", "import_errors"):
        assert admin_client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert admin_client.post(reverse("import_undo", args=[theirs.pk])).status_code == 404


def test_upload_map_preview_run_and_result(
    admin_client, workspace, django_capture_on_commit_callbacks
):
    # given an admin uploads a Salesforce contact export in Windows-1252
    response = upload(admin_client, CONTACTS.replace("Ada", "Adé"), encoding="cp1252")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_detail", args=[job.pk])
    # then the mapping screen shows each column with sample values, already mapped
    page = admin_client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Salesforce" in page
    assert "ada@acme.com" in page
    assert '<option value="email" selected>' in page
    # when the mapping is confirmed and saved for later
    fields = {f"col_{i}": job.mapping["columns"].get(h, "") for i, h in enumerate(job.headers)}
    response = admin_client.post(
        reverse("import_mapping", args=[job.pk]), {**fields, "save_as": "SF contacts"}
    )
    assert response["Location"] == reverse("import_preview", args=[job.pk])
    assert ImportMapping.objects.for_workspace(workspace).get().name == "SF contacts"
    # then the preview shows the problem row before anything is written
    preview = admin_client.get(reverse("import_preview", args=[job.pk])).content.decode()
    assert "not an email address" in preview
    assert "Adé" in preview
    assert Contact.objects.count() == 0
    # when the import is started (Celery runs eagerly in tests)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("import_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert job.counts["created"] == 1
    assert job.counts["rejected"] == 1
    # then the result page shows the counts and the rejected row, and the report downloads
    result = admin_client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Rejected rows" in result
    assert "not an email address" in result
    report = admin_client.get(reverse("import_errors", args=[job.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert report["Content-Disposition"].startswith("attachment")
    assert "'=HYPERLINK(1)" in body  # neutralised for spreadsheets
    assert Contact.objects.get().first_name == "Adé"


def test_mapping_without_required_fields_is_refused_with_the_missing_names(admin_client):
    upload(admin_client, "Courriel,Nom\nmarie@acme.fr,Marie\n")
    job = ImportJob.objects.get()
    assert job.status == "uploaded"
    response = admin_client.post(
        reverse("import_mapping", args=[job.pk]), {"col_0": "", "col_1": "last_name"}
    )
    assert response.status_code == 400
    assert "Email or CRM id" in response.content.decode()
    response = admin_client.post(
        reverse("import_mapping", args=[job.pk]), {"col_0": "email", "col_1": "last_name"}
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "mapped"


def test_a_saved_mapping_can_be_applied_to_the_next_upload(admin_client, workspace, admin_user):
    ImportMapping.objects.create(
        workspace=workspace, kind="contacts", name="French CRM", columns={"Courriel": "email"}
    )
    upload(admin_client, "Courriel,Nom\nmarie@acme.fr,Marie\n")
    job = ImportJob.objects.get()
    mapping = ImportMapping.objects.get()
    page = admin_client.get(
        reverse("import_detail", args=[job.pk]), {"mapping": mapping.pk}
    ).content.decode()
    assert '<option value="email" selected>' in page


def test_an_unreadable_upload_is_refused_with_the_reason(admin_client):
    response = upload(admin_client, "", name="empty.csv")
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_progress_partial_polls_while_running_and_refreshes_when_done(
    admin_client, workspace, tmp_path
):
    path = tmp_path / "c.csv"
    path.write_text(CONTACTS)
    job = import_job_create(workspace=workspace, kind="contacts", path=path)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", total_rows=100, rows_done=40, progress={"rate": 20.0, "eta": 3}
    )
    running = admin_client.get(reverse("import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = running.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "40 / 100" in html
    assert "HX-Refresh" not in running
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    assert (
        admin_client.get(reverse("import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")[
            "HX-Refresh"
        ]
        == "true"
    )


def test_undo_button_reverts_an_import(admin_client, workspace, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("Id,Name,Website\n001A,Acme,acme.com\n")
    job = import_run(
        job=import_job_create(workspace=workspace, kind="accounts", path=path), followups=False
    )
    assert Account.objects.count() == 1
    response = admin_client.post(reverse("import_undo", args=[job.pk]))
    assert response.status_code == 302
    assert Account.objects.count() == 0
    assert (
        "was undone" in admin_client.get(reverse("import_detail", args=[job.pk])).content.decode()
    )


def test_cancel_button_stops_a_queued_import(admin_client, workspace, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CONTACTS)
    job = import_job_create(workspace=workspace, kind="contacts", path=path)
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    admin_client.post(reverse("import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert Contact.objects.count() == 0


def test_a_stalled_import_offers_resume_and_finishes_from_its_cursor(
    admin_client, workspace, tmp_path, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    path = tmp_path / "c.csv"
    path.write_text("Email\n" + "".join(f"p{i}@acme.com\n" for i in range(5)))
    job = import_job_create(workspace=workspace, kind="contacts", path=path)
    # given a job whose worker died two minutes ago after committing nothing
    stale = timezone.now() - dt.timedelta(minutes=5)
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=stale)
    page = admin_client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "probably stopped" in page
    assert reverse("import_resume", args=[job.pk]) in page
    # when the admin resumes it
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("import_resume", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    assert job.counts["created"] == 5
    assert Contact.objects.count() == 5
