"""The PostgreSQL fast path (COPY + set-wise SQL) behaves exactly like the ORM loader."""

import logging
import re
import time

import pytest
from django.db import connection, transaction

from accounts import import_services
from accounts.import_services import import_job_create, import_run, import_undo
from accounts.importing.duplicates import MergePlan
from accounts.importing.loaders.orm import LOADERS
from accounts.models import Contact
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, ContactFactory, WorkspaceFactory

pytestmark = [requires_postgres, pytest.mark.postgres]

PEOPLE = """Id,AccountId,FirstName,LastName,Email,Title,MailingCountry
003A,001A,Ada,Lovelace,ada@acme.com,VP Marketing,Deutschland
003B,,Bob,=SUM(A1),bob@acme.com,Engineer,
003C,001Z,Cy,,cy@acme.com,,U.S.A.
003A,001A,,,ada@acme.com,,Germany
,,No,Key,,,
003D,,,,bob@acme.com,Engineer,
"""
FIELDS = ("crm_id", "crm_source", "first_name", "last_name", "email", "email_domain", "title", "seniority",
          "country", "crm_account_id", "match_status", "is_lead")  # fmt: skip


def snapshot(workspace):
    rows = (
        Contact.objects.for_workspace(workspace)
        .order_by("email")
        .values(*FIELDS, "account__crm_id")
    )
    return [tuple(r.values()) for r in rows]


def run(workspace, path, kind="contacts", orm=False, monkeypatch=None):
    if orm:
        monkeypatch.setattr(import_services, "_loader_for", lambda job: (LOADERS[job.kind], 2))
    job = import_run(
        job=import_job_create(workspace=workspace, kind=kind, path=path),
        chunk_rows=2,
        followups=False,
    )
    if orm:
        monkeypatch.undo()
    return job


@pytest.mark.django_db
def test_copy_loader_and_orm_loader_give_the_same_people_and_counts(tmp_path, monkeypatch):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    fast_ws, orm_ws = WorkspaceFactory(slug="fast"), WorkspaceFactory(slug="orm")
    for ws in (fast_ws, orm_ws):
        AccountFactory(workspace=ws, crm_id="001A", crm_source="salesforce")
    fast = run(fast_ws, path)
    slow = run(orm_ws, path, orm=True, monkeypatch=monkeypatch)
    assert fast.counts == slow.counts
    assert fast.counts["rows"] == 6
    assert snapshot(fast_ws) == snapshot(orm_ws)
    ada = Contact.objects.for_workspace(fast_ws).get(crm_id="003A")
    assert ada.title == "VP Marketing"  # the repeated row's empty cells wipe nothing
    assert ada.first_name == "Ada"
    assert ada.account.crm_id == "001A"
    assert ada.match_status == "accepted"
    assert Contact.objects.for_workspace(fast_ws).get(crm_id="003B").last_name == "=SUM(A1)"


@pytest.mark.django_db
def test_copy_loader_reimport_is_unchanged_keeps_values_and_undo_restores(tmp_path):
    workspace = WorkspaceFactory(slug="fast")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    first = run(workspace, path)
    again = run(workspace, path)
    assert again.counts["created"] == 0
    assert again.counts["updated"] == 0
    assert (
        again.counts["unchanged"]
        == first.counts["created"] + first.counts["updated"] + first.counts["unchanged"]
    )
    blanks = tmp_path / "blanks.csv"
    blanks.write_text(
        "Id,FirstName,LastName,Email,Title\n003A,,,ada@acme.com,Chief Marketing Officer\n003E,Eve,New,eve@acme.com,\n"
    )
    later = run(workspace, blanks)
    ada = Contact.objects.for_workspace(workspace).get(crm_id="003A")
    assert later.counts["updated"] == 1
    assert later.counts["created"] == 1
    assert ada.first_name == "Ada"  # an empty cell never wipes
    assert ada.title == "Chief Marketing Officer"
    import_undo(job=later)
    ada.refresh_from_db()
    assert ada.title == "VP Marketing"
    assert not Contact.objects.for_workspace(workspace).filter(email="eve@acme.com").exists()
    import_undo(job=first)
    assert Contact.objects.for_workspace(workspace).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_overlapped_run_outside_a_transaction_loads_every_row(tmp_path):
    workspace = WorkspaceFactory(slug="threaded")
    path = tmp_path / "many.csv"
    path.write_text(
        "Email,FirstName\n" + "".join(f"p{i}@acme.com,P{i}\n" for i in range(1000)) + "bad,Row\n"
    )
    job = import_run(
        job=import_job_create(workspace=workspace, kind="leads", path=path), chunk_rows=300
    )
    assert job.status == "done"
    assert job.counts == {
        "rows": 1001,
        "created": 1000,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert Contact.objects.for_workspace(workspace).filter(is_lead=True).count() == 1000


def slowed(*, before_first: float = 0.0, after_first: float = 0.0):
    """The COPY loader, with its first chunk held up so the next chunk's writer runs meanwhile."""
    from accounts.importing.loaders import postgres

    calls = []

    def loader(ctx, chunk):
        first = not calls
        calls.append(chunk)
        if first:
            time.sleep(before_first)
        out = postgres.load_contacts_copy(ctx, chunk)
        if first:
            time.sleep(after_first)
        return out

    loader.columnar = True
    return lambda job: (loader, postgres.CHUNK_ROWS)


@pytest.mark.django_db(transaction=True)
def test_a_chunk_loaded_beside_one_that_changed_people_loads_again_after_it(
    tmp_path, monkeypatch, caplog
):
    """Chunk 1 moves Xena to a new email; chunk 2 has her old email (a new person, read one
    after the other). Loaded side by side, chunk 2 would find Xena under the old email."""
    workspace = WorkspaceFactory(slug="two-writers")
    ContactFactory(
        workspace=workspace, account=None, crm_source="salesforce", crm_id="003X",
        first_name="Xena", email="old@acme.com", email_domain="acme.com",
    )  # fmt: skip
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email\n"
        "003X,Xena,Old,new@acme.com\n"
        "003Y,Yuri,Y,y@acme.com\n"
        ",Olga,O,old@acme.com\n"
        "003Z,Zoe,Z,z@acme.com\n"
    )
    monkeypatch.setattr(import_services, "_loader_for", slowed(after_first=1.0))
    with caplog.at_level(logging.INFO, logger="accounts.import_services"):
        job = run(workspace, path)
    assert job.status == "done"
    assert job.counts == {"rows": 4, "created": 3, "updated": 1, "unchanged": 0, "rejected": 0}
    people = Contact.objects.for_workspace(workspace)
    assert people.get(crm_id="003X").email == "new@acme.com"
    assert people.get(email="old@acme.com").first_name == "Olga"
    assert "loaded again" in caplog.text  # the side-by-side load happened and was undone


@pytest.mark.django_db(transaction=True)
def test_a_chunk_holding_a_lock_the_one_before_waits_for_gives_way(tmp_path, monkeypatch, caplog):
    """Chunk 2 changes Yuri (by CRM id) first; chunk 1 then wants Yuri too (by email) and waits
    on chunk 2's lock while chunk 2 waits for chunk 1 to commit: chunk 2 rolls back."""
    workspace = WorkspaceFactory(slug="lock-order")
    ContactFactory(
        workspace=workspace, account=None, crm_source="salesforce", crm_id="003Y",
        first_name="Yuri", email="y@acme.com", email_domain="acme.com", title="",
    )  # fmt: skip
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email,Title\n"
        ",,,y@acme.com,CMO\n"
        "003A,Ann,A,a@acme.com,\n"
        "003Y,,,y2@acme.com,\n"
        "003B,Bea,B,b@acme.com,\n"
    )
    monkeypatch.setattr(import_services, "_loader_for", slowed(before_first=1.0))
    with caplog.at_level(logging.INFO, logger="accounts.import_services"):
        job = run(workspace, path)
    assert job.status == "done"
    assert job.counts == {"rows": 4, "created": 2, "updated": 2, "unchanged": 0, "rejected": 0}
    yuri = Contact.objects.for_workspace(workspace).get(crm_id="003Y")
    assert (yuri.title, yuri.email) == ("CMO", "y2@acme.com")
    assert "loaded again" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_chunks_sharing_a_key_load_one_after_the_other(tmp_path, monkeypatch):
    workspace = WorkspaceFactory(slug="shared-key")
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email,Title\n"
        "003A,Ann,A,a@acme.com,\n"
        "003B,Bea,B,b@acme.com,\n"
        ",,,a@acme.com,CEO\n"
        "003C,Cy,C,c@acme.com,\n"
    )
    monkeypatch.setattr(import_services, "_loader_for", slowed(after_first=0.5))
    # Repeats the file-wide key pass misses (or won't merge) still meet in two chunks: the
    # second waits for the first. The pass is off so that this file reaches the writers as is.
    monkeypatch.setattr(import_services, "plan_merges", lambda *args, **kwargs: MergePlan())
    job = run(workspace, path)
    assert job.counts == {"rows": 4, "created": 3, "updated": 1, "unchanged": 0, "rejected": 0}
    assert Contact.objects.for_workspace(workspace).get(crm_id="003A").title == "CEO"


@pytest.mark.django_db
def test_the_chunk_statement_probes_the_unique_indexes_whatever_the_statistics_say(tmp_path):
    """A table the statistics call tiny must still be probed through its unique indexes: a
    scan per staged row walks every row another writer has inserted but not committed."""
    from django.test.utils import CaptureQueriesContext

    from accounts.importing.loaders import postgres

    workspace = WorkspaceFactory(slug="plan")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    run(workspace, path)  # the first import into an empty workspace COPYs straight in
    with CaptureQueriesContext(connection) as queries:
        run(workspace, path)
    statement = next(q["sql"] for q in queries if q["sql"].lstrip().startswith("WITH s AS"))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("ANALYZE accounts_contact")
        postgres.pin_plan(cur)
        cur.execute("EXPLAIN " + statement)
        plan = "\n".join(r[0] for r in cur.fetchall())
    # Index Scan, Index Only Scan or Bitmap Index Scan, as the statistics of the moment say;
    # never a scan of the whole table.
    assert re.search(
        r"Index (Only )?Scan on uniq_contact_crm_id|using uniq_contact_crm_id", plan
    ), plan
    assert re.search(r"Index (Only )?Scan on uniq_contact_email|using uniq_contact_email", plan), (
        plan
    )
    assert "Seq Scan on accounts_contact" not in plan, plan


@pytest.mark.django_db
def test_people_link_to_accounts_whose_crm_ids_hold_quotes_backslashes_and_commas(tmp_path):
    workspace = WorkspaceFactory(slug="odd-ids")
    odd = ['001"Q', "001\\B", "001,C", "{001}", "NULL", "001 X", "001A"]
    for crm_id in odd:
        AccountFactory(workspace=workspace, crm_id=crm_id, crm_source="salesforce")
    AccountFactory(workspace=workspace, crm_id='002"H', crm_source="hubspot")  # another source
    path = tmp_path / "people.csv"
    lines = ["Id,AccountId,Email"]
    for i, crm_id in enumerate([*odd, '002"H', "001Z"]):
        cell = '"' + crm_id.replace('"', '""') + '"'
        lines.append(f"003{i},{cell},p{i}@acme.com")
    path.write_text("\n".join(lines) + "\n")
    job = run(workspace, path)
    assert job.counts["created"] == 9
    linked = dict(Contact.objects.for_workspace(workspace).values_list("crm_id", "account__crm_id"))
    assert linked == {f"003{i}": crm_id for i, crm_id in enumerate([*odd, '002"H', None])}
