"""An admin imports a CRM export in a real browser: upload, mapping, preview, progress, result."""

import csv
import io

import pytest

from accounts.import_services import import_run
from accounts.models import Contact, ImportJob
from accounts.tasks import import_job_run

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXPORT = """Id,FirstName,LastName,Email,Title,Department,MailingCountry
0031,Ada,Lovelace,ada@analytical.example,VP Engineering,Engineering,United Kingdom
0032,Grace,Hopper,grace@cobol.example,Director of IT,IT,USA
0033,Cy,Nobody,not-an-email,Engineer,,Germany
0034,Linus,Torvalds,linus@kernel.example,Head of Platform,Engineering,Finland
0035,Margaret,Hamilton,margaret@apollo.example,CTO,,USA
"""


def test_an_admin_imports_an_export_and_sees_progress_and_the_error_report(
    live_server, login, admin_user, workspace, tmp_path, monkeypatch
):
    # given an admin with a Salesforce contact export in which one email is broken
    export = tmp_path / "Contact.csv"
    export.write_text(EXPORT, encoding="utf-8")
    # the job waits for "a worker": this test plays the worker once the page shows the queue
    queued: list[int] = []
    monkeypatch.setattr(
        import_job_run._get_current_object(), "delay", lambda **kw: queued.append(kw["job_id"])
    )
    page = login(admin_user)

    # when they upload it as contacts
    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=kind]", "contacts")
    page.set_input_files("input[name=file]", str(export))
    page.get_by_role("button", name="Upload and map columns").click()
    # then the Salesforce columns are mapped for them
    assert page.locator("select[name=col_3]").input_value() == "email"
    page.get_by_role("button", name="Preview the first rows").click()
    # and the preview flags the broken row before anything is written
    assert "1 of the first 5 rows have problems" in page.inner_text(".callout")
    problem_row = page.locator("tr.is-selected")
    assert "not-an-email" in problem_row.inner_text()
    assert Contact.objects.count() == 0

    # when they start the import
    page.get_by_role("button", name="Import contacts").click()
    # then the progress card waits for a worker and polls
    progress = page.locator("#import-progress")
    assert "Waiting for a worker" in progress.inner_text()
    assert progress.get_attribute("hx-trigger") == "every 1s"
    page.screenshot(path=str(tmp_path / "queued.png"))

    # when a worker runs it, the page refreshes itself into the result
    job = ImportJob.objects.get(pk=queued[0])
    import_run(job=job, followups=False)
    page.wait_for_selector("text=Rejected rows", timeout=15_000)
    kpis = page.locator(".kpi-value").all_inner_texts()
    assert "4" in kpis  # created
    assert "5 rows read" in page.inner_text(".content")
    # and the rejected row is listed with its line and reason
    rejected = page.locator("table.table-compact tbody tr")
    assert rejected.count() == 1
    assert rejected.first.locator("td").first.inner_text() == "4"
    assert "email" in rejected.first.inner_text().lower()

    # when they download the error report
    with page.expect_download() as download:
        page.get_by_role("link", name="Error report (CSV)").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    # then it holds the header, the rejected line with its values, and the reason
    assert rows[0][0] == "line"
    assert rows[0][-1] == "reason"
    assert rows[1][0] == "4"
    assert "not-an-email" in rows[1]
    assert Contact.objects.count() == 4
