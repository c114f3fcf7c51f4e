"""Rows of one file that describe the same record are merged, so a second import changes nothing."""

import pytest

from accounts import import_services
from accounts.import_services import import_job_create, import_run
from accounts.importing import duplicates
from accounts.models import Account, Contact, ImportRowChange, Opportunity

from .test_import_service import _dying_loader, reconciles
from .test_import_service import report_rows as report

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def run(workspace, path, kind, **kwargs):
    chunk_rows = kwargs.pop("chunk_rows", None)
    job = import_job_create(workspace=workspace, kind=kind, path=path, **kwargs)
    return import_run(job=job, chunk_rows=chunk_rows, followups=False)


def test_a_person_twice_in_one_file_is_stored_once_and_a_second_import_changes_nothing(
    workspace, files
):
    path = files(
        "c.csv",
        "Email,First Name,Last Name,Title\nann@acme.com,Ann,Lee,CTO\nann@acme.com,Ann,Lee,CEO\n",
    )
    first = run(workspace, path, "contacts")
    assert first.counts == {"rows": 2, "created": 1, "updated": 0, "unchanged": 1, "rejected": 0}
    assert first.progress["merged"] == 1
    ann = Contact.objects.for_workspace(workspace).get()
    assert ann.title == "CEO"  # the later row's value, as applying the rows in order gives

    second = run(workspace, path, "contacts")
    assert second.counts == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert not ImportRowChange.objects.filter(job=second).exists()  # nothing for undo to restore
    again = Contact.objects.for_workspace(workspace).get()
    assert (again.title, again.updated_at) == ("CEO", ann.updated_at)


def test_each_column_keeps_its_last_non_empty_value_and_the_first_crm_id(workspace, files):
    text = (
        "Id,Email,FirstName,Title,Phone,Department\n"
        "003A,ann@acme.com,Ann,CTO,+1 555 0100,\n"
        "003X,bob@acme.com,Bob,Engineer,,\n"
        ",ANN@acme.com,,CEO,,Board\n"
    )
    job = run(workspace, files("c.csv", text), "contacts", source="salesforce")
    assert job.counts["created"] == 2
    assert job.counts["unchanged"] == 1
    assert reconciles(job)
    ann = Contact.objects.for_workspace(workspace).get(email="ann@acme.com")
    assert (ann.crm_id, ann.first_name, ann.title, ann.phone, ann.department) == (
        "003A",
        "Ann",
        "CEO",
        "+1 555 0100",
        "Board",
    )
    again = run(workspace, files("c.csv", text), "contacts", source="salesforce")
    assert (again.counts["updated"], again.counts["unchanged"]) == (0, 3)


def test_repeats_far_apart_in_different_chunks_are_merged(workspace, files):
    people = [f"p{i}@acme.com,P{i},Analyst\n" for i in range(7)]
    text = (
        "Email,FirstName,Title\n"
        + "ann@acme.com,Ann,CTO\n"
        + "".join(people)
        + "ann@acme.com,,CEO\n"
        + "p3@acme.com,P3,Manager\n"
    )
    path = files("c.csv", text)
    first = run(workspace, path, "contacts", chunk_rows=3)
    assert first.counts == {"rows": 10, "created": 8, "updated": 0, "unchanged": 2, "rejected": 0}
    assert Contact.objects.for_workspace(workspace).get(email="ann@acme.com").title == "CEO"
    assert Contact.objects.for_workspace(workspace).get(email="p3@acme.com").title == "Manager"
    second = run(workspace, path, "contacts", chunk_rows=3)
    assert second.counts["unchanged"] == 10


def test_a_run_killed_between_a_row_and_its_repeat_resumes_with_the_same_result(
    workspace, files, monkeypatch
):
    text = (
        "Email,FirstName,Title\nann@acme.com,Ann,CTO\n"
        + "".join(f"p{i}@acme.com,P{i},Analyst\n" for i in range(4))
        + "ann@acme.com,Ann,CEO\n"
    )
    job = import_job_create(workspace=workspace, kind="contacts", path=files("c.csv", text))
    real_loader_for = import_services._loader_for
    monkeypatch.setattr(import_services, "_loader_for", _dying_loader(after_chunks=1))
    with pytest.raises(KeyboardInterrupt):
        import_run(job=job, chunk_rows=2, followups=False)
    monkeypatch.setattr(import_services, "_loader_for", real_loader_for)
    job = import_run(job=job, chunk_rows=2, followups=False)
    assert job.status == "done"
    assert job.counts == {"rows": 6, "created": 5, "updated": 0, "unchanged": 1, "rejected": 0}
    assert Contact.objects.for_workspace(workspace).get(email="ann@acme.com").title == "CEO"


def test_when_the_merged_row_is_rejected_its_repeats_are_rejected_with_it(workspace, files):
    run(
        workspace,
        files("c.csv", "Id,Email,FirstName\n003A,ann@acme.com,Ann\n003B,bob@acme.com,Bob\n"),
        "contacts",
        source="salesforce",
    )
    # Ann's record (003A) is given Bob's email by her second row.
    text = "Id,Email,Title\n003A,ann@acme.com,CTO\n003C,cy@acme.com,VP\n003A,bob@acme.com,CEO\n"
    job = run(workspace, files("d.csv", text), "contacts", source="salesforce")
    assert job.counts == {"rows": 3, "created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    rows = report(job)
    assert [r[0] for r in rows[1:]] == ["2", "4"]
    assert rows[1][1:4] == ["003A", "ann@acme.com", "CTO"]  # the row as it came, not merged
    assert "already belongs to another person" in rows[1][-1]
    assert "merged with line 4" in rows[1][-1]
    assert rows[2][-1] == "the same record as line 2, which was rejected"
    assert Contact.objects.for_workspace(workspace).get(crm_id="003A").title == ""


def test_a_repeat_whose_first_row_was_rejected_in_an_earlier_chunk_is_rejected_too(
    workspace, files
):
    run(
        workspace,
        files("c.csv", "Id,Email\n003A,ann@acme.com\n003B,bob@acme.com\n"),
        "contacts",
        source="salesforce",
    )
    text = "Id,Email,Title\n003A,ann@acme.com,CTO\n003C,cy@acme.com,VP\n003A,bob@acme.com,CEO\n"
    job = run(workspace, files("d.csv", text), "contacts", source="salesforce", chunk_rows=2)
    assert job.counts["rejected"] == 2
    assert reconciles(job)
    assert report(job)[2][-1] == "the same record as line 2, which was rejected"


def test_an_invalid_repeat_is_rejected_alone_and_not_merged(workspace, files):
    text = "Email,FirstName,Country\nann@acme.com,Ann,DE\nann@acme.com,Ann,Atlantis\n"
    job = run(workspace, files("c.csv", text), "contacts")
    assert job.counts == {"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert Contact.objects.for_workspace(workspace).get().country == "DE"


def test_duplicate_crm_records_sharing_an_email_become_one_person_under_the_first_id(
    workspace, files
):
    text = "Id,Email,Title\n003A,ann@acme.com,CTO\n003B,ann@acme.com,CEO\n"
    path = files("c.csv", text)
    first = run(workspace, path, "contacts", source="salesforce")
    assert (first.counts["created"], first.counts["unchanged"]) == (1, 1)
    ann = Contact.objects.for_workspace(workspace).get()
    assert (ann.crm_id, ann.title) == ("003A", "CEO")
    second = run(workspace, path, "contacts", source="salesforce")
    assert (second.counts["updated"], second.counts["unchanged"]) == (0, 2)


def test_a_later_crm_id_stored_as_a_record_of_its_own_is_not_merged(workspace, files):
    run(workspace, files("b.csv", "Id,Email\n003B,bob@acme.com\n"), "contacts", source="salesforce")
    text = "Id,Email,Title\n003A,ann@acme.com,CTO\n003B,ann@acme.com,CEO\n"
    job = run(workspace, files("c.csv", text), "contacts", source="salesforce")
    assert "merged" not in job.progress
    assert (job.counts["created"], job.counts["rejected"]) == (1, 1)
    assert "already belongs to another person" in report(job)[1][-1]
    assert Contact.objects.for_workspace(workspace).get(crm_id="003B").email == "bob@acme.com"


def test_an_account_under_two_spellings_of_its_website_is_merged(workspace, files):
    text = (
        "Name,Website,Industry,NumberOfEmployees\n"
        "Acme,https://www.acme.com/about,Software,\n"
        "Globex,globex.io,Energy,250\n"
        "Acme Corp,acme.com,,51-200\n"
    )
    path = files("a.csv", text)
    first = run(workspace, path, "accounts")
    assert (first.counts["created"], first.counts["unchanged"]) == (2, 1)
    acme = Account.objects.for_workspace(workspace).get(domain="acme.com")
    assert (acme.name, acme.industry, acme.employees) == ("Acme Corp", "Software", 125)
    second = run(workspace, path, "accounts")
    assert (second.counts["updated"], second.counts["unchanged"]) == (0, 3)


def test_an_opportunity_exported_twice_keeps_its_latest_stage(workspace, files):
    run(workspace, files("a.csv", "Id,Name,Website\n001A,Acme,acme.com\n"), "accounts")
    text = (
        "Id,AccountId,Name,StageName,Amount,IsClosed,IsWon\n"
        "006A,001A,Acme renewal,Prospecting,1000,false,false\n"
        "006A,001A,Acme renewal,Closed Won,1200,true,true\n"
    )
    path = files("o.csv", text)
    first = run(workspace, path, "opportunities", source="salesforce")
    assert (first.counts["created"], first.counts["unchanged"]) == (1, 1)
    deal = Opportunity.objects.for_workspace(workspace).get()
    assert (deal.stage, deal.amount, deal.is_won) == ("Closed Won", 1200, True)
    second = run(workspace, path, "opportunities", source="salesforce")
    assert (second.counts["updated"], second.counts["unchanged"]) == (0, 2)


def test_the_result_page_says_how_many_rows_were_merged(workspace, files, admin_client):
    path = files("c.csv", "Email,Title\nann@acme.com,CTO\nann@acme.com,CEO\n")
    job = run(workspace, path, "contacts")
    page = admin_client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200
    assert "1 row repeated a record that appears earlier in the file" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_repeats_merge_the_same_with_two_writers_loading_chunks_side_by_side(tmp_path):
    """On PostgreSQL a run outside a transaction loads chunks in two writer threads (COPY)."""
    from tests.factories import WorkspaceFactory

    workspace = WorkspaceFactory(slug="dup-writers")
    rows = [f"003P{i},p{i}@acme.com,P{i},Analyst\n" for i in range(40)]
    rows[25] = "003P3,,,Manager\n"  # p3 again, by CRM id alone, in a later chunk
    rows[33] = "003Q,P7@ACME.COM,Seven,\n"  # a duplicate CRM record of p7
    path = tmp_path / "people.csv"
    path.write_text("Id,Email,FirstName,Title\n" + "".join(rows))
    first = run(workspace, path, "contacts", source="salesforce", chunk_rows=4)
    assert first.counts == {"rows": 40, "created": 38, "updated": 0, "unchanged": 2, "rejected": 0}
    people = Contact.objects.for_workspace(workspace)
    assert people.count() == 38
    assert (people.get(crm_id="003P3").title, people.get(crm_id="003P7").first_name) == (
        "Manager",
        "Seven",
    )
    second = run(workspace, path, "contacts", source="salesforce", chunk_rows=4)
    assert second.counts == {"rows": 40, "created": 0, "updated": 0, "unchanged": 40, "rejected": 0}


def test_the_key_pass_reads_files_as_the_import_does(tmp_path):
    """BOM, blank lines before the header, a quoted newline, case and `mailto:` variants, a
    short row; invalid emails that repeat are not a record."""
    from accounts.importing.columns import auto_mapping
    from accounts.importing.readers import open_table
    from accounts.importing.validation import Validator

    path = tmp_path / "people.csv"
    path.write_text(
        "\ufeff\n\nId,Email,Note\n"
        '003A, Ann@Acme.com ,"two\nlines"\n'  # lines 4-5
        "003B,mailto:ann@acme.com,x\n"  # 6: a duplicate CRM record of Ann
        "003C,not-an-email,\n"
        "003C,not-an-email,\n"
        "003D,dee@acme.com\n"  # 9: short
        "003E,DEE@acme.com,\n",  # 10
        encoding="utf-8",
    )
    table = open_table(path)
    validator = Validator.build(
        obj="contacts", headers=table.headers, mapping=auto_mapping(table.headers, "contacts")
    )
    plan = duplicates.plan_merges(table, validator, lambda ids: set())
    assert plan.superseded == {6: 4, 10: 9}
    assert plan.carriers[4][:2] == ["003A", "mailto:ann@acme.com"]

    stored_b = duplicates.plan_merges(table, validator, lambda ids: ids & {"003B"})
    assert stored_b.superseded == {10: 9}  # 003B is a record of its own: loaded as it comes
