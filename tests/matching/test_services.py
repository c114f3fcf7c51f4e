"""Matching a workspace's leads: links, review suggestions, runs, and people's decisions."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Account, Contact
from matching import services
from matching.models import MatchCandidate, MatchRun
from tests.matching.factories import account, extra_domain, lead

pytestmark = pytest.mark.django_db


def test_a_lead_with_a_corporate_address_is_linked_and_the_run_recorded(workspace):
    # given
    acme = account(workspace, "Acme Corporation", "acme.com", country="US")
    person = lead(workspace, "ann@acme.com", "Acme", country="US")
    # when
    run = services.match_contacts_to_accounts(workspace=workspace)
    # then
    person.refresh_from_db()
    assert person.account == acme
    assert person.match_status == "auto"
    assert person.match_confidence >= 0.9
    assert run.status == MatchRun.Status.DONE
    assert run.counts["auto"] == 1
    assert run.progress == {"total": 1, "done": 1, "chunks": 1}
    auto = MatchCandidate.objects.get(contact=person)
    assert auto.decision == "auto"
    assert "email domain acme.com = account domain" in auto.reason


def test_extra_and_former_domains_link_too(workspace):
    nova = account(workspace, "Nova Health", "novahealth.com")
    extra_domain(nova, "novahealth.de")
    extra_domain(nova, "oldnova.com", former=True)
    a = lead(workspace, "a@novahealth.de")
    b = lead(workspace, "b@oldnova.com", "Nova Health")
    services.match_contacts_to_accounts(workspace=workspace)
    assert Contact.objects.get(pk=a.pk).account == nova
    assert Contact.objects.get(pk=b.pk).account == nova


def test_uncertain_leads_wait_in_review_with_their_candidates(workspace):
    # given a strict workspace: only near-certain links are automatic
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    kanor = account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    person = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE")
    # when
    run = services.match_contacts_to_accounts(workspace=workspace)
    # then
    person.refresh_from_db()
    assert person.match_status == "review"
    assert person.account is None
    candidate = MatchCandidate.objects.get(contact=person)
    assert (candidate.account, candidate.decision) == (kanor, "review")
    assert candidate.signals["country_eq"] == 1.0
    assert run.params["auto_threshold"] == 0.99999


def test_free_mail_and_junk_company_leads_get_no_account(workspace):
    account(workspace, "Google LLC", "google.com")
    person = lead(workspace, "someone@gmail.com", "n/a")
    services.match_contacts_to_accounts(workspace=workspace)
    person.refresh_from_db()
    assert (person.account, person.match_status) == (None, "none")


def test_an_accepted_match_is_never_undone_by_rematching(workspace):
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    kanor = account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    account(workspace, "Other Shipping", "kanorship.com")
    person = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE")
    services.match_contacts_to_accounts(workspace=workspace)
    candidate = MatchCandidate.objects.get(contact=person, account=kanor)
    services.match_candidate_accept(candidate=candidate, user=None)
    # when the workspace is re-matched with other thresholds
    workspace.settings = {"match_auto_threshold": 0.5, "match_review_threshold": 0.1}
    workspace.save()
    services.match_contacts_to_accounts(workspace=workspace)
    # then
    person.refresh_from_db()
    assert (person.account, person.match_status) == (kanor, "accepted")
    assert MatchCandidate.objects.get(contact=person, account=kanor).decision == "accepted"


def test_a_rejected_account_is_not_proposed_again(workspace):
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    kanor = account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    person = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE")
    services.match_contacts_to_accounts(workspace=workspace)
    services.match_candidate_reject(
        candidate=MatchCandidate.objects.get(contact=person, account=kanor), user=None
    )
    person.refresh_from_db()
    assert person.match_status == "rejected"
    # when
    services.match_contacts_to_accounts(workspace=workspace, contact_ids=[person.pk])
    # then
    person.refresh_from_db()
    assert person.account is None
    assert person.match_status == "rejected"
    assert MatchCandidate.objects.get(contact=person, account=kanor).decision == "rejected"


def test_contacts_linked_by_the_crm_are_left_alone(workspace):
    crm_account = account(workspace, "Initech", "initech.com")
    account(workspace, "Acme Corp", "acme.com")
    person = lead(workspace, "x@acme.com", "Acme", account=crm_account)
    services.match_contacts_to_accounts(workspace=workspace)
    person.refresh_from_db()
    assert person.account == crm_account
    assert person.match_status == "unmatched"


def test_leads_of_an_unknown_company_become_a_suggested_account(workspace):
    account(workspace, "Acme Corp", "acme.com")
    lead(workspace, "a@newco.io", "NewCo")
    lead(workspace, "b@newco.io", "NewCo")
    lead(workspace, "c@gmail.com", "Freelance Studio")
    lead(workspace, "d@gmail.com", "Freelance Studio")
    run = services.match_contacts_to_accounts(workspace=workspace)
    assert run.suggestions == [{"domain": "newco.io", "name": "NewCo", "leads": 2}]


def test_creating_an_account_from_a_lead_links_its_colleagues(workspace):
    a = lead(workspace, "a@newco.io", "NewCo")
    b = lead(workspace, "b@newco.io", "NewCo")
    services.match_contacts_to_accounts(workspace=workspace)
    created = services.account_create_from_lead(
        contact=a, user=None, name="NewCo Ltd", domain="newco.io"
    )
    assert created.domain == "newco.io"
    assert set(created.contacts.values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Contact.objects.get(pk=b.pk).match_status == "manual"


def test_picking_another_account_by_hand(workspace):
    initech = account(workspace, "Initech", "initech.com")
    person = lead(workspace, "x@gmail.com", "Some Co")
    services.contact_link_account(contact=person, account=initech, user=None)
    person.refresh_from_db()
    assert (person.account, person.match_status) == (initech, "manual")
    services.match_contacts_to_accounts(workspace=workspace)
    person.refresh_from_db()
    assert person.account == initech


def test_linking_across_workspaces_is_refused(workspace, other_workspace):
    theirs = account(other_workspace, "Globex", "globex.com")
    person = lead(workspace, "x@gmail.com", "Globex")
    with pytest.raises(ValueError, match="different workspaces"):
        services.contact_link_account(contact=person, account=theirs, user=None)


def test_matching_never_crosses_workspaces(workspace, other_workspace):
    account(other_workspace, "Acme Corporation", "acme.com")
    person = lead(workspace, "ann@acme.com", "Acme")
    services.match_contacts_to_accounts(workspace=workspace)
    person.refresh_from_db()
    assert person.account is None


def test_bulk_accept_takes_one_account_per_lead(workspace):
    workspace.settings = {"match_auto_threshold": 0.99999, "match_review_threshold": 0.2}
    workspace.save()
    account(workspace, "Kanor Shipping GmbH", "kanor.de", country="DE")
    account(workspace, "Zentrix Logistics", "zentrix.com", country="GB")
    a = lead(workspace, "k@gmail.com", "Kanor Shiping", country="DE")
    b = lead(workspace, "z@gmail.com", "Zentrix Logistcs", country="GB")
    services.match_contacts_to_accounts(workspace=workspace)
    ids = list(MatchCandidate.objects.filter(decision="review").values_list("pk", flat=True))
    done = services.match_candidates_bulk_accept(workspace=workspace, candidate_ids=ids, user=None)
    assert done == 2
    assert {c.match_status for c in Contact.objects.filter(pk__in=[a.pk, b.pk])} == {"accepted"}


def test_full_rematch_task_runs_in_chunks_and_reports_progress(
    workspace, django_capture_on_commit_callbacks, monkeypatch
):
    from matching.tasks import match_workspace_enqueue

    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    acme = account(workspace, "Acme Corporation", "acme.com")
    people = [lead(workspace, f"p{i}@acme.com", "Acme") for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        run = match_workspace_enqueue(workspace=workspace)
    run.refresh_from_db()
    assert run.status == "done"
    assert run.progress["done"] == run.progress["total"] == 5
    assert run.progress["chunks"] == 3
    assert run.counts["auto"] == 5
    assert Account.objects.get(pk=acme.pk).contacts.count() == len(people)


def test_match_leads_command_prints_a_summary(workspace):
    account(workspace, "Acme Corporation", "acme.com")
    lead(workspace, "ann@acme.com", "Acme")
    out = StringIO()
    call_command("match_leads", workspace="acme", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["status"] == "done"
    assert (summary["leads"], summary["auto"]) == (1, 1)


def test_accounts_added_between_runs_are_seen_by_the_next_run(workspace):
    # given a first run that normalised (and kept) the workspace's accounts
    account(workspace, "Acme Corporation", "acme.com")
    early = lead(workspace, "ann@globex.com", "Globex")
    services.match_contacts_to_accounts(workspace=workspace)
    early.refresh_from_db()
    assert early.account is None
    # when an account arrives and the lead is matched again
    globex = account(workspace, "Globex", "globex.com")
    services.match_contacts_to_accounts(workspace=workspace, contact_ids=[early.pk])
    # then
    early.refresh_from_db()
    assert early.account == globex
