"""/api/v1/imports/: what a script needs to load a CRM export without the web pages."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account, ImportJob
from tests.factories import AccountFactory

ACCOUNTS_CSV = (
    "Id,Name,Website,BillingCountry,NumberOfEmployees\n"
    "0015g00000AAAAAAAA,Initech,https://www.initech.com,United States,120\n"
    "0015g00000AAAAAAAB,Globex GmbH,globex.de,Deutschland,not a number\n"
    "0015g00000AAAAAAAC,,,,\n"
)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(client, body, **fields) -> the POST response; the job it queued (on commit, with
    eager Celery in tests) has run by the time this returns."""

    def send(client, body: str = ACCOUNTS_CSV, **fields):
        data = {"file": SimpleUploadedFile("accounts.csv", body.encode(), "text/csv")}
        data.update({"object": "accounts", **fields})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/api/v1/imports/", data)

    return send


def test_an_admin_uploads_an_export_and_gets_the_job_with_counts_and_error_report(
    upload, client_for, admin_user, workspace
):
    client = client_for(admin_user)
    # when (Celery is eager in tests: the import runs inside the request)
    response = upload(client)
    # then
    assert response.status_code == 201, response.content
    created = response.json()
    job = client.get(f"/api/v1/imports/{created['id']}/").json()
    assert job["object"] == "accounts"
    assert job["resolved_source"] == "salesforce"
    assert job["status"] == "done"
    counts = job["counts"]
    assert counts["rows"] == 3
    assert (
        counts["rows"]
        == counts["created"] + counts["updated"] + counts.get("unchanged", 0) + counts["rejected"]
    )
    assert counts["rejected"] >= 1
    assert Account.objects.for_workspace(workspace).filter(name="Initech").exists()
    report = client.get(job["error_report"].replace("http://testserver", ""))
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == counts["rejected"]
    assert all(row.get("line") or row.get("Line") for row in rows), rows


def test_the_same_file_twice_changes_nothing_the_second_time(upload, client_for, admin_user):
    client = client_for(admin_user)
    upload(client)
    second = client.get(f"/api/v1/imports/{upload(client).json()['id']}/").json()
    assert second["counts"]["created"] == 0
    assert second["counts"]["updated"] == 0


def test_an_import_can_be_undone_through_the_api(upload, client_for, admin_user, workspace):
    client = client_for(admin_user)
    job_id = upload(client).json()["id"]
    response = client.post(f"/api/v1/imports/{job_id}/undo/")
    assert response.status_code == 200
    assert response.json()["status"] == "undone"
    assert not Account.objects.for_workspace(workspace).filter(name="Initech").exists()


def test_columns_that_do_not_map_themselves_wait_for_a_mapping(upload, client_for, admin_user):
    client = client_for(admin_user)
    body = "Firma,Netz\nInitech,initech.com\n"
    waiting = upload(client, body=body)
    assert waiting.status_code == 201
    assert waiting.json()["status"] == "uploaded"
    mapped = upload(client, body=body, mapping='{"Firma": "name", "Netz": "domain"}')
    assert client.get(f"/api/v1/imports/{mapped.json()['id']}/").json()["status"] == "done"


def test_an_unreadable_upload_is_refused_in_the_api_error_shape(upload, client_for, admin_user):
    response = upload(client_for(admin_user), object="planets")
    assert response.status_code == 400
    assert "object" in response.json()["error"]["details"]
    bad_mapping = upload(client_for(admin_user), mapping="{not json")
    assert bad_mapping.status_code == 400
    assert "mapping" in bad_mapping.json()["error"]["details"]


def test_only_admins_see_imports(upload, client_for, marketer_user, sdr_user, viewer_user):
    for user in (marketer_user, sdr_user, viewer_user):
        client = client_for(user)
        assert client.get("/api/v1/imports/").status_code == 403
        assert upload(client).status_code == 403


def test_another_workspaces_import_is_404(client_for, admin_user, make_member, other_workspace):
    AccountFactory(workspace=other_workspace)
    theirs = ImportJob.objects.create(workspace=other_workspace, kind="accounts")
    client = client_for(admin_user)
    assert client.get(f"/api/v1/imports/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/imports/{theirs.pk}/undo/").status_code == 404
    assert client.get(f"/api/v1/imports/{theirs.pk}/errors/").status_code == 404
    assert theirs.pk not in [j["id"] for j in client.get("/api/v1/imports/").json()["results"]]


def test_an_export_larger_than_a_json_body_may_be_is_accepted_up_to_the_import_limit(
    client_for, admin_user, upload, settings
):
    settings.API_MAX_BODY_BYTES = 1_000
    settings.IMPORT_MAX_FILE_BYTES = 50_000
    rows = "".join(f"0015g0000{i:09d},Company {i},company{i}.com,US,10\n" for i in range(200))
    body = "Id,Name,Website,BillingCountry,NumberOfEmployees\n" + rows
    assert upload(client_for(admin_user), body=body).status_code == 201
    too_big = upload(client_for(admin_user), body=body * 10)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "payload_too_large"
