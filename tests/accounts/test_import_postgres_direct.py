"""The first import of people into a workspace without any COPYs each chunk straight into the
people table: the same people, counts and undo log as the upsert, which takes over a chunk
whenever one of its rows finds a person after all."""

import threading

import pytest
from django.db import connections, transaction

from accounts import import_services
from accounts.import_services import created_ids, import_job_create, import_run, import_undo
from accounts.importing.duplicates import MergePlan
from accounts.importing.loaders import postgres
from accounts.models import Contact, ImportRejectedRow, ImportRowChange
from tests.conftest import requires_postgres
from tests.factories import AccountFactory, ContactFactory, WorkspaceFactory

pytestmark = [requires_postgres, pytest.mark.postgres]

# Linked and unlinked people, a missing account, empty cells, a person without an email and one
# without a CRM id, lead fields, and cells COPY csv must quote (comma, quote, line break).
PEOPLE = (
    "Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,City,"
    "LeadSource,Status,Company,Website\n"
    '003A,001A,Ada,Lovelace,ada@acme.com,VP Marketing,Marketing,+49 30 1234,Deutschland,"Berlin, Mitte",'
    "Web,MQL,Acme,acme.com\n"
    '003B,,Bob,=SUM(A1),bob@acme.com,"Engineer, ""senior""",,,,,,,,\n'
    "003C,001Z,Cy,,cy@acme.com,,,,U.S.A.,,,,,\n"
    ',,Dee,"Two\nLines",dee@acme.com,CMO,,,,,Event,SQL,Dee Co,\n'
    "003E,001A,Eve,,,Chief Revenue Officer,Sales,,France,,,,,\n"
    "003F,,José,Müller,jose@mueller.example,Sales Development Rep,,,,,,,,\n"
    "bad,,,,not-an-email,,,,,,,,,\n"
)
# Every column an import fills, and the account as its CRM id (ids differ between workspaces).
FIELDS = tuple(
    f.attname
    for f in Contact._meta.concrete_fields
    if f.attname not in ("id", "workspace_id", "account_id", "created_at", "updated_at")
)


def people(workspace) -> list[tuple]:
    rows = (
        Contact.objects.for_workspace(workspace)
        .order_by("email", "crm_id")
        .values_list(*FIELDS, "account__crm_id")
    )
    return list(rows)


def run(workspace, path, kind="contacts"):
    return import_run(
        job=import_job_create(workspace=workspace, kind=kind, path=path), followups=False
    )


def watch_direct(monkeypatch) -> list[bool]:
    """The direct COPY's answers, chunk by chunk (True: the chunk was COPYed straight in)."""
    answers: list[bool] = []
    copy_new = postgres._copy_new

    def watched(*args, **kwargs):
        answers.append(copy_new(*args, **kwargs))
        return answers[-1]

    monkeypatch.setattr(postgres, "_copy_new", watched)
    return answers


def upsert_only(monkeypatch) -> None:
    monkeypatch.setattr(postgres, "_copy_new", lambda *args, **kwargs: False)


def undo_log(job) -> tuple[list[tuple], set[tuple]]:
    """(what each update logged, as (person's email, before); who was created, by key)."""
    changes = ImportRowChange.objects.filter(job=job)
    emails = dict(Contact.objects.values_list("id", "email"))
    updates = sorted(
        (emails[c.object_id], sorted(c.before.items()))
        for c in changes.filter(action="u", model="contact")
    )
    created = set(
        Contact.objects.filter(pk__in=list(created_ids(job=job, model="contact"))).values_list(
            "crm_id", "email"
        )
    )
    return updates, created


def rejections(job) -> list[tuple[int, str]]:
    return list(
        ImportRejectedRow.objects.filter(job=job).order_by("line").values_list("line", "reason")
    )


def side_by_side(monkeypatch, path, kind="contacts", workspaces=("direct", "upsert"), setup=None):
    """The same file imported into two empty workspaces, directly where it can and by the
    upsert only; the direct path's answers, chunk by chunk."""
    direct_ws, upsert_ws = (WorkspaceFactory(slug=slug) for slug in workspaces)
    for ws in (direct_ws, upsert_ws):
        AccountFactory(workspace=ws, crm_id="001A", crm_source="salesforce")
        if setup:
            setup(ws)
    with monkeypatch.context() as patch:
        answers = watch_direct(patch)
        direct = run(direct_ws, path, kind)
    with monkeypatch.context() as patch:
        upsert_only(patch)
        upsert = run(upsert_ws, path, kind)
    return direct, upsert, answers


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["contacts", "leads"])
def test_first_import_into_an_empty_workspace_copies_the_people_the_upsert_would_create(
    tmp_path, monkeypatch, kind
):
    # given
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 3)
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    # when
    direct, upsert, answers = side_by_side(monkeypatch, path, kind)
    # then
    assert answers == [True, True]  # both chunks (the invalid row never reaches the loader)
    assert direct.counts == upsert.counts
    assert direct.counts == {"rows": 7, "created": 6, "updated": 0, "unchanged": 0, "rejected": 1}
    assert people(direct.workspace) == people(upsert.workspace)
    assert rejections(direct) == rejections(upsert)
    assert undo_log(direct) == undo_log(upsert)
    logged = ImportRowChange.objects.filter(job=direct)
    assert logged.count() == 2  # one row per chunk lists the ids it created, as the upsert logs
    for change in logged:
        assert change.action == "c"
        assert change.before["count"] == len(change.before["ids"])
        assert change.object_id == min(change.before["ids"])
    stored = Contact.objects.for_workspace(direct.workspace)
    assert set(created_ids(job=direct, model="contact")) == set(stored.values_list("id", flat=True))
    assert all(p.created_at == p.updated_at and p.created_at for p in stored)
    ada = stored.get(crm_id="003A")
    assert (ada.account.crm_id, ada.match_status, ada.match_confidence) == ("001A", "accepted", 1.0)
    assert (ada.city, ada.crm_source, ada.is_lead) == (
        "Berlin, Mitte",
        "salesforce",
        kind == "leads",
    )
    dee = stored.get(email="dee@acme.com")
    assert (dee.crm_id, dee.crm_source, dee.last_name) == ("", "", "Two\nLines")
    bob = stored.get(crm_id="003B")
    assert (bob.title, bob.account, bob.match_status) == ('Engineer, "senior"', None, "unmatched")


@pytest.mark.django_db
def test_a_later_chunk_that_finds_an_earlier_chunks_person_falls_back_to_the_upsert(
    tmp_path, monkeypatch
):
    """`Ann <ann@acme.com>` is not the same cell as `ann@acme.com`, so the file's duplicate
    pass leaves both rows to the loader; the second one finds Ann by her email."""
    # given
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 2)
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email,Title\n"
        "003A,Ann,A,ann@acme.com,\n"
        "003B,Bea,B,bea@acme.com,CTO\n"
        "003C,,,Ann <ann@acme.com>,CEO\n"
        "003D,Dan,D,dan@acme.com,\n"
        "003E,Eve,E,eve@acme.com,\n"
        "003F,,,Bea B <BEA@acme.com>,CTO\n"
    )
    # when
    direct, upsert, answers = side_by_side(monkeypatch, path)
    # then
    assert answers == [True, False, False]  # chunks 2 and 3 were loaded by the upsert
    assert direct.counts == upsert.counts
    assert direct.counts == {"rows": 6, "created": 4, "updated": 1, "unchanged": 1, "rejected": 0}
    assert people(direct.workspace) == people(upsert.workspace)
    assert undo_log(direct) == undo_log(upsert)
    ann = Contact.objects.for_workspace(direct.workspace).get(email="ann@acme.com")
    assert (ann.crm_id, ann.title) == ("003A", "CEO")  # the id she was first stored under
    # when
    import_undo(job=direct)
    # then
    assert not Contact.objects.for_workspace(direct.workspace).exists()


@pytest.mark.django_db
def test_after_two_chunks_that_fall_back_the_rest_of_the_job_goes_to_the_upsert(
    tmp_path, monkeypatch
):
    """A file whose every later chunk repeats someone from an earlier one: after two wasted
    COPYs the loader stops trying, with the same result as the upsert alone."""
    # given: chunk 1 new people, chunks 2–5 each repeat one of them in another raw form
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 2)
    lines = [
        "Id,FirstName,LastName,Email,Title",
        "003A,Ann,A,ann@acme.com,",
        "003B,Bea,B,bea@acme.com,",
    ]
    for n, who in enumerate(["Ann <ann@acme.com>", "Bea <bea@acme.com>"] * 2):
        lines += [f"00{n}X,New,{n},new{n}@acme.com,", f",,,{who},Title {n}"]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    # when
    direct, upsert, answers = side_by_side(monkeypatch, path)
    # then
    assert answers == [True, False, False]  # chunks 4 and 5 were not tried
    assert direct.counts == upsert.counts
    assert direct.counts["created"] == 6
    assert people(direct.workspace) == people(upsert.workspace)
    assert undo_log(direct) == undo_log(upsert)


@pytest.mark.django_db
def test_a_later_chunk_with_a_rejected_row_falls_back_and_is_rejected_as_by_the_upsert(
    tmp_path, monkeypatch
):
    # given a file whose repeats reach the loader as they are (the duplicate pass is off)
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 2)
    monkeypatch.setattr(import_services, "plan_merges", lambda *args, **kwargs: MergePlan())
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email,Title\n"
        "003A,Ann,A,ann@acme.com,\n"
        "003B,Bea,B,bea@acme.com,\n"
        "003A,,,bea@acme.com,CEO\n"  # Ann's CRM id, Bea's email: rejected
        "003C,Cy,C,cy@acme.com,\n"
        "003B,,,,CTO\n"  # Bea again, by her CRM id only: updated
        "003D,Dan,D,dan@acme.com,\n"
    )
    # when
    direct, upsert, answers = side_by_side(monkeypatch, path)
    # then
    assert answers == [True, False, False]
    assert direct.counts == upsert.counts
    assert direct.counts == {"rows": 6, "created": 4, "updated": 1, "unchanged": 0, "rejected": 1}
    assert people(direct.workspace) == people(upsert.workspace)
    assert rejections(direct) == rejections(upsert)
    assert "already belongs to another person" in rejections(direct)[0][1]
    assert undo_log(direct) == undo_log(upsert)


@pytest.mark.django_db
def test_a_workspace_with_people_is_never_copied_into_directly(tmp_path, monkeypatch):
    # given
    workspace = WorkspaceFactory(slug="has-people")
    ContactFactory(workspace=workspace, account=None, email="someone@else.com")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    answers = watch_direct(monkeypatch)
    # when
    job = run(workspace, path)
    # then
    assert answers == []
    assert job.counts["created"] == 6


@pytest.mark.django_db
def test_reimporting_what_was_copied_in_changes_nothing_and_undo_removes_it(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 4)
    workspace = WorkspaceFactory(slug="again")
    AccountFactory(workspace=workspace, crm_id="001A", crm_source="salesforce")
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    answers = watch_direct(monkeypatch)
    first = run(workspace, path)
    before = list(Contact.objects.for_workspace(workspace).order_by("pk").values())
    # when
    again = run(workspace, path)
    # then
    assert answers == [True, True]  # the first import only
    assert again.counts == {"rows": 7, "created": 0, "updated": 0, "unchanged": 6, "rejected": 1}
    assert not ImportRowChange.objects.filter(job=again).exists()
    assert list(Contact.objects.for_workspace(workspace).order_by("pk").values()) == before
    # when
    import_undo(job=again)
    import_undo(job=first)
    # then
    assert not Contact.objects.for_workspace(workspace).exists()
    # and the workspace is empty again, so the next first import is direct again
    assert run(workspace, path).counts["created"] == 6
    assert answers == [True, True, True, True]


@pytest.mark.django_db(transaction=True)
def test_two_writers_copy_straight_in_and_a_repeat_across_chunks_falls_back(tmp_path, monkeypatch):
    """Outside a transaction, two writers load consecutive chunks at once; the file repeats an
    earlier chunk's person in forms the duplicate pass cannot see."""
    # given
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 100)
    rows = [f"00{i},P{i},Q{i},p{i}@acme.com,\n" for i in range(500)]
    rows[250] = "00250,,,P <p10@acme.com>,CEO\n"  # chunk 3 finds p10 of chunk 1 by email
    path = tmp_path / "people.csv"
    path.write_text("Id,FirstName,LastName,Email,Title\n" + "".join(rows))
    # when
    direct, upsert, answers = side_by_side(monkeypatch, path, workspaces=("two-a", "two-b"))
    # then
    # chunk 3 once; chunk 4, loaded beside it, again after it since chunk 3 changed a person
    assert answers.count(False) == 1
    assert answers.count(True) in (4, 5)
    assert direct.counts == upsert.counts
    assert direct.counts == {
        "rows": 500,
        "created": 499,
        "updated": 1,
        "unchanged": 0,
        "rejected": 0,
    }
    assert people(direct.workspace) == people(upsert.workspace)
    assert undo_log(direct) == undo_log(upsert)


@pytest.mark.django_db(transaction=True)
def test_a_person_another_transaction_is_inserting_makes_the_copy_wait_then_give_way(
    tmp_path, monkeypatch
):
    """The workspace looks empty (the other transaction has not committed), so the chunk is
    COPYed; the unique index makes it wait for the other transaction, whose commit turns the
    COPY into a unique violation: the chunk is loaded by the upsert, which finds that person."""
    # given
    monkeypatch.setattr(postgres, "CHUNK_ROWS", 2)
    workspace = WorkspaceFactory(slug="race")
    path = tmp_path / "people.csv"
    path.write_text(
        "Id,FirstName,LastName,Email\n"
        "003A,Ann,A,ann@acme.com\n"
        "003B,Bea,B,bea@acme.com\n"
        "003C,Cy,C,cy@acme.com\n"
        "003D,Dan,D,dan@acme.com\n"
    )
    inserted, release = threading.Event(), threading.Event()

    def other_transaction() -> None:
        try:
            with transaction.atomic():
                ContactFactory(
                    workspace=workspace, account=None, crm_source="", crm_id="",
                    first_name="Ann", last_name="A", email="ann@acme.com", email_domain="acme.com",
                )  # fmt: skip
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_transaction)
    other.start()
    assert inserted.wait(30)
    threading.Timer(1.0, release.set).start()
    answers = watch_direct(monkeypatch)
    # when
    job = run(workspace, path)
    other.join()
    # then
    assert job.status == "done"
    assert False in answers
    assert True in answers
    assert job.counts == {"rows": 4, "created": 3, "updated": 1, "unchanged": 0, "rejected": 0}
    ann = Contact.objects.for_workspace(workspace).get(email="ann@acme.com")  # one Ann
    assert (ann.crm_id, ann.crm_source) == ("003A", "salesforce")
    assert Contact.objects.for_workspace(workspace).count() == 4
