"""The import service end to end: counts reconcile, re-imports change nothing, undo, resume."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import import_services
from accounts.import_services import import_cancel, import_job_create, import_run, import_undo
from accounts.models import Account, Contact, ImportJob, Opportunity
from campaigns.models import Campaign, EngagementEvent

pytestmark = pytest.mark.django_db

ACCOUNTS = """Id,Name,Website,Industry,NumberOfEmployees,AnnualRevenue,BillingCity,BillingCountry,Phone,ParentId,Type,Technologies__c,Tier__c
001A,Acme Corp,https://www.acme.com,Software,51-200,"$1,200,000.00",Berlin,Deutschland,+49 30 1234,001B,Customer,Salesforce;HubSpot,Tier 1
001B,Acme Holding,acme-holding.com,Finance,"10,001+",,London,UK,,,,,
001C,,,,,,,,,,,,
001D,Globex,globex.io,Energy,250,"1.200.000,00 €",Paris,France,,,Prospect,,2
"""
CONTACTS = """Id,AccountId,FirstName,LastName,Email,Title,Department,Phone,MailingCountry,LeadSource
003A,001A,Ada,Lovelace,ada@acme.com,VP Marketing,Marketing,,DEU,Web
003B,001B,Bob,=HYPERLINK("http://evil"),bob@acme-holding.com,Director IT,,,,
003C,001Z,Cy,Nobody,not-an-email,,,,,
003D,,Dee,Free,dee@gmail.com,Engineer,,,U.S.A.,
"""
LEADS = """Record ID,First Name,Last Name,Email,Job Title,Company Name,Website URL,Country/Region,Phone Number,Lifecycle Stage,Lead Status,Create Date
901,Lena,Lead,lena@initech.com,Head of Growth,Initech,https://initech.com,Germany,,marketingqualifiedlead,OPEN,2024-03-05 10:00
902,Ola,Other,ola@acme.com,CTO,Acme,acme.com,NL,,lead,UNQUALIFIED,2024-03-06
"""
OPPORTUNITIES = """Id,AccountId,Name,StageName,Amount,CurrencyIsoCode,IsClosed,IsWon,CreatedDate,CloseDate,CampaignName
006A,001A,Acme renewal,Closed Won,"$50,000.00",USD,true,true,2024-01-10T09:00:00.000+0000,03/05/2024,Q1 Webinar
006B,001D,Globex new,Prospecting,"12.500,00 €",EUR,false,false,2024-02-01,2024-06-30,
006C,001X,Ghost deal,Prospecting,100,USD,false,false,2024-02-01,2024-06-30,
"""
EVENTS = """external_id,occurred_at,kind,channel,email,account_domain,campaign,url
ev-1,2024-03-05T14:22:10Z,email_open,email,ada@acme.com,,Q1 Webinar,
ev-2,2024-03-06 10:00,page_view,web,,globex.io,,https://globex.io/pricing
ev-3,not a date,page_view,web,,globex.io,,
ev-1,2024-03-05T14:22:10Z,email_open,email,ada@acme.com,,Q1 Webinar,
"""
INTENT = """domain,topic,strength,observed_at,source
acme.com,ABM software,87,2024-03-04,bombora
unknown-company.com,ABM software,50,2024-03-04,bombora
"""


@pytest.fixture
def files(tmp_path):
    def write(name, text, encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def run(workspace, path, kind, **kwargs):
    job = import_job_create(workspace=workspace, kind=kind, path=path, **kwargs)
    return import_run(job=job, followups=False)


def reconciles(job):
    c = job.counts
    return c["rows"] == c["created"] + c["updated"] + c["unchanged"] + c["rejected"]


def report_rows(job):
    text = job.error_report.open("rb").read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_accounts_import_with_parents_values_and_a_rejected_row(workspace, files):
    # when a Salesforce account export is imported
    job = run(workspace, files("Account.csv", ACCOUNTS, "cp1252"), "accounts")
    # then counts reconcile and the nameless row is reported with its line
    assert job.status == "done"
    assert job.counts == {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    assert reconciles(job)
    acme = Account.objects.for_workspace(workspace).get(crm_id="001A")
    assert acme.domain == "acme.com"
    assert acme.employees == 125
    assert acme.annual_revenue == Decimal("1200000.00")
    assert acme.country == "DE"
    assert acme.technologies == ["Salesforce", "HubSpot"]
    assert acme.tier == 1
    assert acme.parent.crm_id == "001B"  # the parent came later in the file
    assert Account.objects.for_workspace(workspace).get(crm_id="001D").annual_revenue == Decimal(
        "1200000.00"
    )
    rows = report_rows(job)
    assert rows[0][0] == "line"
    assert rows[0][-1] == "reason"
    assert rows[1][0] == "4"
    assert "no name" in rows[1][-1]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(workspace, files):
    path = files("Account.csv", ACCOUNTS)
    first = run(workspace, path, "accounts")
    second = run(workspace, path, "accounts")
    assert first.counts["created"] == 3
    assert second.counts == {"rows": 4, "created": 0, "updated": 0, "unchanged": 3, "rejected": 1}
    assert Account.objects.for_workspace(workspace).count() == 3


def test_an_empty_cell_never_wipes_a_stored_value(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    # given a later export where Acme's industry is blank and its city changed
    later = files("b.csv", "Id,Name,Industry,BillingCity\n001A,Acme Corp,,Munich\n")
    job = run(workspace, later, "accounts")
    acme = Account.objects.for_workspace(workspace).get(crm_id="001A")
    assert job.counts["updated"] == 1
    assert acme.industry == "Software"
    assert acme.city == "Munich"


def test_accounts_without_crm_id_are_found_again_by_domain(workspace, files):
    path = files("generic.csv", "company,website\nInitech,https://www.initech.com/about\n")
    run(workspace, path, "accounts")
    again = run(workspace, files("g2.csv", "name,domain\nInitech Inc,initech.com\n"), "accounts")
    assert again.counts["updated"] == 1
    assert Account.objects.for_workspace(workspace).get().name == "Initech Inc"


def test_contacts_link_to_imported_accounts_and_keep_formulas_as_typed(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    job = run(workspace, files("Contact.csv", CONTACTS), "contacts")
    assert job.counts == {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    ada = Contact.objects.for_workspace(workspace).get(email="ada@acme.com")
    bob = Contact.objects.for_workspace(workspace).get(crm_id="003B")
    assert ada.account.crm_id == "001A"
    assert ada.seniority == "c_level_vp"
    assert ada.country == "DE"
    assert bob.account.crm_id == "001B"
    assert bob.last_name == '=HYPERLINK("http://evil")'  # stored as it came
    assert Contact.objects.for_workspace(workspace).get(email="dee@gmail.com").country == "US"


def test_the_error_report_neutralises_formulas(workspace, files):
    text = 'Email,FirstName,LastName\nnot-an-email,=cmd|" /C calc"!A0,@SUM(A1)\n'
    job = run(workspace, files("c.csv", text), "contacts")
    rows = report_rows(job)
    assert rows[1][:4] == ["2", "not-an-email", '\'=cmd|" /C calc"!A0', "'@SUM(A1)"]


def test_contacts_imported_before_their_accounts_are_linked_when_the_accounts_arrive(
    workspace, files
):
    run(workspace, files("c.csv", CONTACTS), "contacts")
    assert Contact.objects.for_workspace(workspace).get(email="ada@acme.com").account is None
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    assert (
        Contact.objects.for_workspace(workspace).get(email="ada@acme.com").account.crm_id == "001A"
    )


def test_contacts_are_matched_by_email_when_the_crm_id_is_new(workspace, files):
    run(workspace, files("c.csv", CONTACTS), "contacts")
    job = run(
        workspace, files("h.csv", "Record ID,Email,Job Title\n77,ada@acme.com,CMO\n"), "contacts"
    )
    ada = Contact.objects.for_workspace(workspace).get(email="ada@acme.com")
    assert job.counts["updated"] == 1
    assert ada.title == "CMO"
    assert ada.crm_id == "003A"  # known under its Salesforce id, which stays


def test_an_email_owned_by_another_person_is_rejected_not_merged(workspace, files):
    run(workspace, files("c.csv", CONTACTS), "contacts")
    job = run(
        workspace,
        files("d.csv", "Id,Email\n003A,bob@acme-holding.com\n"),
        "contacts",
        source="salesforce",
    )
    assert job.counts["rejected"] == 1
    assert "already belongs to another person" in report_rows(job)[1][-1]


def test_duplicate_rows_in_one_file_do_not_create_duplicates(workspace, files):
    text = "Email,FirstName\nada@acme.com,Ada\nADA@acme.com,Ada\nada@acme.com,Augusta\n"
    job = run(workspace, files("dup.csv", text), "contacts")
    # the three rows are merged into one record (tests/accounts/test_import_duplicates.py)
    assert job.counts == {"rows": 3, "created": 1, "updated": 0, "unchanged": 2, "rejected": 0}
    assert Contact.objects.for_workspace(workspace).get().first_name == "Augusta"


def test_hubspot_leads_are_leads_with_their_lifecycle_status(workspace, files):
    job = run(workspace, files("leads.csv", LEADS), "leads")
    assert job.resolved_source == "hubspot"
    assert job.counts["created"] == 2
    lena = Contact.objects.for_workspace(workspace).get(email="lena@initech.com")
    ola = Contact.objects.for_workspace(workspace).get(email="ola@acme.com")
    assert lena.is_lead
    assert lena.lead_status == "mql"
    assert lena.company_name == "Initech"
    assert lena.crm_source == "hubspot"
    assert ola.lead_status == "disqualified"


def test_opportunities_link_accounts_and_create_missing_campaigns(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    job = run(workspace, files("o.csv", OPPORTUNITIES), "opportunities")
    assert job.counts == {"rows": 3, "created": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    renewal = Opportunity.objects.for_workspace(workspace).get(crm_id="006A")
    assert renewal.account.crm_id == "001A"
    assert renewal.amount == Decimal("50000.00")
    assert renewal.is_won
    assert renewal.is_closed
    assert renewal.campaign.name == "Q1 Webinar"
    assert str(renewal.close_date) == "2024-03-05"
    assert Opportunity.objects.for_workspace(workspace).get(crm_id="006B").amount == Decimal(
        "12500.00"
    )
    assert "001X matches no account" in report_rows(job)[1][-1]
    again = run(workspace, files("o.csv", OPPORTUNITIES), "opportunities")
    assert again.counts["unchanged"] == 2
    assert Campaign.objects.for_workspace(workspace).count() == 1


def test_events_are_idempotent_and_resolve_contact_and_account(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    run(workspace, files("c.csv", CONTACTS), "contacts")
    job = run(workspace, files("e.csv", EVENTS), "events")
    assert job.counts == {"rows": 4, "created": 2, "updated": 0, "unchanged": 1, "rejected": 1}
    opened = EngagementEvent.objects.for_workspace(workspace).get(external_id="ev-1")
    viewed = EngagementEvent.objects.for_workspace(workspace).get(external_id="ev-2")
    assert opened.contact.email == "ada@acme.com"
    assert opened.account.crm_id == "001A"
    assert opened.campaign.name == "Q1 Webinar"
    assert viewed.account.domain == "globex.io"
    assert viewed.meta == {"url": "https://globex.io/pricing"}
    again = run(workspace, files("e.csv", EVENTS), "events")
    assert again.counts["created"] == 0
    assert EngagementEvent.objects.for_workspace(workspace).count() == 2


def test_intent_rows_are_stored_or_rejected_with_a_reason_never_dropped(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    job = run(workspace, files("i.csv", INTENT), "intent")
    assert reconciles(job)
    assert job.counts["rows"] == 2
    reasons = [r[-1] for r in report_rows(job)[1:]]
    assert any("unknown-company.com" in r or "IntentSignal" in r for r in reasons)


def test_undo_removes_what_the_job_created_and_restores_what_it_updated(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    later = run(
        workspace,
        files("b.csv", "Id,Name,BillingCity\n001A,Acme Corp,Munich\n001E,Hooli,\n"),
        "accounts",
    )
    assert later.counts["created"] == 1
    assert later.counts["updated"] == 1
    import_undo(job=later)
    later.refresh_from_db()
    assert later.status == "undone"
    assert Account.objects.for_workspace(workspace).get(crm_id="001A").city == "Berlin"
    assert not Account.objects.for_workspace(workspace).filter(crm_id="001E").exists()


def test_undo_of_an_opportunity_import_removes_the_campaigns_it_made(workspace, files):
    run(workspace, files("a.csv", ACCOUNTS), "accounts")
    job = run(workspace, files("o.csv", OPPORTUNITIES), "opportunities")
    import_undo(job=job)
    assert Opportunity.objects.for_workspace(workspace).count() == 0
    assert Campaign.objects.for_workspace(workspace).count() == 0


def _dying_loader(after_chunks):
    real_loader_for = import_services._loader_for
    calls = {"n": 0}

    def loader_for(job):
        loader, size = real_loader_for(job)

        def load(ctx, items):
            calls["n"] += 1
            if calls["n"] > after_chunks:
                raise KeyboardInterrupt("worker killed")
            return loader(ctx, items)

        return load, size

    return loader_for


def test_a_run_killed_mid_import_resumes_with_no_duplicates(workspace, files, monkeypatch):
    text = "Email,FirstName\n" + "".join(f"p{i}@acme.com,P{i}\n" for i in range(10))
    job = import_job_create(workspace=workspace, kind="contacts", path=files("c.csv", text))
    monkeypatch.setattr(import_services, "_loader_for", _dying_loader(after_chunks=2))
    with pytest.raises(KeyboardInterrupt):
        import_run(job=job, chunk_rows=3, followups=False)
    job.refresh_from_db()
    assert job.status == "running"
    assert job.rows_done == 6
    assert Contact.objects.for_workspace(workspace).count() == 6
    # when the job is run again (a redelivered task)
    monkeypatch.undo()
    job = import_run(job=job, chunk_rows=3, followups=False)
    # then it finishes where it stopped
    assert job.status == "done"
    assert job.counts == {"rows": 10, "created": 10, "updated": 0, "unchanged": 0, "rejected": 0}
    assert Contact.objects.for_workspace(workspace).count() == 10


def test_cancel_stops_after_the_current_chunk_and_keeps_what_was_committed(
    workspace, files, monkeypatch
):
    text = "Email\n" + "".join(f"p{i}@acme.com\n" for i in range(9))
    job = import_job_create(workspace=workspace, kind="contacts", path=files("c.csv", text))
    real = import_services._loader_for

    def loader_for(j):
        loader, size = real(j)

        def load(ctx, items):
            out = loader(ctx, items)
            import_cancel(job=ImportJob.objects.get(pk=j.pk))
            return out

        return load, size

    monkeypatch.setattr(import_services, "_loader_for", loader_for)
    job = import_run(job=job, chunk_rows=3, followups=False)
    assert job.status == "cancelled"
    assert job.rows_done == 3
    assert Contact.objects.for_workspace(workspace).count() == 3


def test_limits_refuse_the_file_before_anything_is_written(workspace, files, settings):
    settings.IMPORT_MAX_ROWS = 3
    job = import_job_create(
        workspace=workspace, kind="accounts", path=files("a.csv", ACCOUNTS + "001F,Extra,x.com\n")
    )
    job = import_run(job=job, followups=False)
    assert job.status == "failed"
    assert "IMPORT_MAX_ROWS" in job.error_message
    assert Account.objects.for_workspace(workspace).count() == 0


def test_import_crm_prints_the_contract_json_last(workspace, files):
    out = io.StringIO()
    call_command(
        "import_crm", str(files("a.csv", ACCOUNTS)), workspace="acme", object="accounts", stdout=out
    )
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {k: result[k] for k in ("rows", "created", "updated", "rejected")} == {
        "rows": 4,
        "created": 3,
        "updated": 0,
        "rejected": 1,
    }
    assert result["error_report"].endswith(".csv")


def test_import_crm_fails_with_one_line_when_the_file_cannot_be_read(workspace, files):
    with pytest.raises(CommandError, match="empty"):
        call_command(
            "import_crm",
            str(files("e.csv", "")),
            workspace="acme",
            object="contacts",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="No workspace"):
        call_command(
            "import_crm", str(files("a.csv", ACCOUNTS)), workspace="nope", object="accounts"
        )


def test_import_crm_takes_a_mapping_file_for_unknown_headers(workspace, files, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Courriel": "email", "Société": "company_name"}))
    path = files("fr.csv", "Courriel;Société;Prénom\nmarie@acme.fr;Acme SA;Marie\n", "cp1252")
    out = io.StringIO()
    call_command(
        "import_crm", str(path), workspace="acme", object="leads", mapping=str(mapping), stdout=out
    )
    assert json.loads(out.getvalue().splitlines()[-1])["created"] == 1
    lead = Contact.objects.for_workspace(workspace).get()
    assert lead.company_name == "Acme SA"


class _Recorder:
    def __init__(self):
        self.calls = []

    def delay(self, **kwargs):
        self.calls.append(kwargs)


def test_after_an_import_people_go_to_matching_and_accounts_to_scoring(
    workspace, files, monkeypatch, django_capture_on_commit_callbacks
):
    tasks = {
        "matching.tasks.match_contacts_to_accounts": _Recorder(),
        "scoring.tasks.score_accounts": _Recorder(),
    }
    monkeypatch.setattr(import_services, "_optional_task", tasks.get)
    with django_capture_on_commit_callbacks(execute=True):
        accounts = import_run(
            job=import_job_create(
                workspace=workspace, kind="accounts", path=files("a.csv", ACCOUNTS)
            )
        )
        leads = import_run(
            job=import_job_create(workspace=workspace, kind="leads", path=files("l.csv", LEADS))
        )
    scored = tasks["scoring.tasks.score_accounts"].calls
    matched = tasks["matching.tasks.match_contacts_to_accounts"].calls
    assert accounts.status == leads.status == "done"
    assert matched == [
        {
            "workspace_id": workspace.pk,
            "contact_ids": sorted(
                Contact.objects.for_workspace(workspace).values_list("pk", flat=True)
            ),
        }
    ]
    account_ids = sorted(Account.objects.for_workspace(workspace).values_list("pk", flat=True))
    assert scored == [
        {"workspace_id": workspace.pk, "account_ids": account_ids}
    ]  # leads touch no account
